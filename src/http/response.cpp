#include "http/response.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace bulwark::http {
namespace {

constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

Response ErrorBody(int status, std::string_view code, std::string_view message,
                   std::string_view field) {
    boost::json::object error;
    error["code"] = code;
    error["message"] = message;
    if (field.empty()) {
        error["field"] = nullptr;
    } else {
        error["field"] = field;
    }
    boost::json::object body;
    body["error"] = std::move(error);
    return Response::Json(body, status);
}

}  // namespace

Response Response::Json(const boost::json::value& body, int status) {
    Response response;
    response.status = status;
    response.content_type = kJsonContentType;
    response.body = boost::json::serialize(body);
    return response;
}

Response Response::Empty(int status) {
    Response response;
    response.status = status;
    return response;
}

Response Response::FromError(const Error& error) {
    return ErrorBody(HttpStatusFor(error.code), ErrorCodeName(error.code), error.message,
                     error.field);
}

Response Response::TransportError(int status, std::string_view code, std::string_view message) {
    return ErrorBody(status, code, message, {});
}

int HttpStatusFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kAlreadyExists:
            return 409;
        case ErrorCode::kFailedPrecondition:
            return 422;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

}  // namespace bulwark::http
