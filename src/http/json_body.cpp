#include "http/json_body.hpp"

#include <boost/json/parse.hpp>

namespace bulwark::http {

Result<boost::json::value> ParseJsonBody(const Request& request) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(request.body, ec);
    if (ec) return InvalidArgument("请求体不是有效的 JSON: " + ec.message());
    return value;
}

}  // namespace bulwark::http
