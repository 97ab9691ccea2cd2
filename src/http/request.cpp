#include "http/request.hpp"

#include <strings.h>

namespace bulwark::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (EqualsIgnoreCase(key, name)) return value;
    }
    return {};
}

std::optional<std::string> Request::Query(std::string_view name) const {
    auto it = query.find(std::string(name));
    if (it == query.end()) return std::nullopt;
    return it->second;
}

const std::string& Request::Param(const std::string& name) const {
    static const std::string kEmpty;
    auto it = path_params.find(name);
    return it == path_params.end() ? kEmpty : it->second;
}

std::string Request::Cookie(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (!EqualsIgnoreCase(key, "cookie")) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            size_t semi = rest.find(';');
            std::string_view pair = Trim(rest.substr(0, semi));
            rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
            size_t eq = pair.find('=');
            if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
            std::string_view cookie_value = Trim(pair.substr(eq + 1));
            if (cookie_value.size() >= 2 && cookie_value.front() == '"' &&
                cookie_value.back() == '"') {
                cookie_value = cookie_value.substr(1, cookie_value.size() - 2);
            }
            return std::string(cookie_value);
        }
    }
    return {};
}

}  // namespace bulwark::http
