#pragma once

#include <string>

namespace bulwark {

// Sets up the process-wide spdlog logger: to stderr, level from `level` ("debug", "info",
// "warn", "error"). Call once at start, before other threads run. Logs never carry personal
// data (ID numbers, phones, names): log internal ids instead.
void SetupLogging(const std::string& level);

}  // namespace bulwark
