#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/json_body.hpp"
#include "http/response.hpp"

namespace bulwark::http {
namespace {

namespace json = boost::json;

TEST(ResponseTest, JsonAndEmpty) {
    Response ok = Response::Json({{"a", 1}});
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(ok.body, R"({"a":1})");
    EXPECT_EQ(Response::Json(json::array{}, 201).status, 201);

    Response empty = Response::Empty(204);
    EXPECT_EQ(empty.status, 204);
    EXPECT_TRUE(empty.content_type.empty());
    EXPECT_TRUE(empty.body.empty());
}

TEST(ResponseTest, StatusMapping) {
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kAlreadyExists), 409);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kFailedPrecondition), 422);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
}

TEST(ResponseTest, ErrorBodies) {
    Response with_field =
        Response::FromError(InvalidArgument("第 37 行 身份证号: 校验位错误", "id_number"));
    EXPECT_EQ(with_field.status, 400);
    EXPECT_EQ(with_field.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(json::parse(with_field.body), json::parse(R"({"error":{"code":"invalid_argument",
                              "message":"第 37 行 身份证号: 校验位错误","field":"id_number"}})"));

    Response without_field = Response::FromError(NotFound("没有这个轮次"));
    EXPECT_EQ(without_field.status, 404);
    EXPECT_TRUE(json::parse(without_field.body).at("error").at("field").is_null());

    Response transport = Response::TransportError(413, "payload_too_large", "太大");
    EXPECT_EQ(transport.status, 413);
    EXPECT_EQ(json::parse(transport.body),
              json::parse(R"({"error":{"code":"payload_too_large","message":"太大",
                              "field":null}})"));
}

TEST(JsonBodyTest, ParsesOrExplains) {
    Request request;
    request.body = R"({"name":"第一轮","size":3})";
    auto parsed = ParseJsonBody(request);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->at("size"), 3);

    request.body = R"({"name":)";
    auto broken = ParseJsonBody(request);
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(broken.error().message.rfind("请求体不是有效的 JSON: ", 0), 0u);

    request.body.clear();
    EXPECT_FALSE(ParseJsonBody(request).ok());
}

}  // namespace
}  // namespace bulwark::http
