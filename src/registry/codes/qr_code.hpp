#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace bulwark::registry {

// A QR code's module matrix (libqrencode, error correction level M), and its drawings. Pure;
// thread-safe.
struct QrMatrix {
    int width = 0;              // modules per side
    std::vector<uint8_t> dark;  // width * width, row by row: 1 for a dark module
    bool Dark(int x, int y) const { return dark[static_cast<size_t>(y * width + x)] != 0; }
};

// kInvalidArgument if `text` is empty or too long for a QR code.
Result<QrMatrix> EncodeQr(std::string_view text);

// A standalone SVG (viewBox in modules, a 4-module quiet zone, one path of dark squares) that
// scales crisply; `title` goes into <title> for screen readers.
std::string QrSvg(const QrMatrix& qr, std::string_view title);

// The link a personal code carries: ORIGIN/r/TOKEN, the resident's own page. The token is
// opaque and random (sealing.hpp); the link never holds an ID number or a name.
std::string ResidentCodeLink(std::string_view origin, std::string_view token);

}  // namespace bulwark::registry
