#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace bulwark::bench {

// Where the load goes: always this machine. Plain value type.
struct LoopbackTarget {
    std::string address;  // IP literal to connect to: "127.0.0.1" or "::1"
    std::string host;     // Host header value, as given: "localhost:8080"
    uint16_t port = 80;
};

// Parses "http://HOST[:PORT][/]" or "HOST[:PORT]" where HOST is 127.0.0.1, localhost or [::1].
// Anything else (another host, https, a path) is kInvalidArgument: the load generator only ever
// loads this machine.
Result<LoopbackTarget> ParseLoopbackTarget(std::string_view url);

}  // namespace bulwark::bench
