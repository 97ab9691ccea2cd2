#include "bench/lib/loopback_target.hpp"

#include <charconv>

namespace bulwark::bench {

Result<LoopbackTarget> ParseLoopbackTarget(std::string_view url) {
    std::string_view rest = url;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.find("://") != std::string_view::npos) {
        return InvalidArgument("only http:// targets are supported: " + std::string(url));
    }
    if (rest.ends_with('/')) rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos) {
        return InvalidArgument("give the target without a path (paths go to --get/--post): " +
                               std::string(url));
    }

    LoopbackTarget target;
    target.host = std::string(rest);
    std::string_view host = rest;
    std::string_view port;
    if (rest.starts_with('[')) {
        const size_t close = rest.find(']');
        if (close == std::string_view::npos)
            return InvalidArgument("unclosed '[' in " + target.host);
        host = rest.substr(0, close + 1);
        port = rest.substr(close + 1);
        if (!port.empty() && !port.starts_with(':')) {
            return InvalidArgument("expected ':PORT' after ']' in " + target.host);
        }
        if (!port.empty()) port.remove_prefix(1);
    } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }

    if (host == "127.0.0.1" || host == "localhost") {
        target.address = "127.0.0.1";
    } else if (host == "[::1]") {
        target.address = "::1";
    } else {
        return InvalidArgument("refusing to load '" + std::string(host) +
                               "': targets must be 127.0.0.1, localhost or [::1]");
    }
    if (!port.empty()) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
            return InvalidArgument("bad port '" + std::string(port) + "' in " + target.host);
        }
        target.port = static_cast<uint16_t>(value);
    }
    return target;
}

}  // namespace bulwark::bench
