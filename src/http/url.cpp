#include "http/url.hpp"

namespace bulwark::http {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = HexValue(text[i + 1]);
            int lo = HexValue(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return std::nullopt;
        out.push_back(c);
    }
    return out;
}

bool ParseTarget(std::string_view target, std::string* path,
                 std::multimap<std::string, std::string>* query) {
    if (target.empty() || target[0] != '/') return false;
    size_t question = target.find('?');
    std::string_view raw_path = target.substr(0, question);
    // A fragment never belongs in a request target; drop it rather than route on it.
    if (size_t hash = raw_path.find('#'); hash != std::string_view::npos) {
        raw_path = raw_path.substr(0, hash);
    }
    auto decoded_path = PercentDecode(raw_path, /*plus_is_space=*/false);
    if (!decoded_path) return false;
    *path = std::move(*decoded_path);
    query->clear();
    if (question == std::string_view::npos) return true;

    std::string_view raw_query = target.substr(question + 1);
    if (size_t hash = raw_query.find('#'); hash != std::string_view::npos) {
        raw_query = raw_query.substr(0, hash);
    }
    while (!raw_query.empty()) {
        size_t amp = raw_query.find('&');
        std::string_view pair = raw_query.substr(0, amp);
        raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        auto name = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
        auto value =
            PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
                          /*plus_is_space=*/true);
        if (!name || !value) return false;
        query->emplace(std::move(*name), std::move(*value));
    }
    return true;
}

}  // namespace bulwark::http
