#include "auth/csrf.hpp"

#include <cctype>
#include <string>

#include "auth/secure_random.hpp"

namespace bulwark::auth {
namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

bool ChangesState(std::string_view method) {
    return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool SameOrigin(const http::Request& request) {
    std::string_view fetch_site = request.Header("sec-fetch-site");
    if (fetch_site == "cross-site" || fetch_site == "same-site") return false;
    std::string_view origin = request.Header("origin");
    if (origin.empty()) return true;
    std::string_view host = request.Header("host");
    if (host.empty()) return false;
    std::string own = std::string(request.secure ? "https://" : "http://") + Lower(host);
    return Lower(origin) == own;
}

bool CsrfTokenMatches(const http::Request& request, std::string_view expected) {
    return SecretsEqual(request.Header(kCsrfHeader), expected);
}

}  // namespace bulwark::auth
