#include "registry/codes/qr_code.hpp"

#include <qrencode.h>

namespace bulwark::registry {

Result<QrMatrix> EncodeQr(std::string_view text) {
    if (text.empty()) return InvalidArgument("二维码内容为空");
    std::string copy(text);  // libqrencode wants a NUL-terminated string
    QRcode* code = QRcode_encodeString(copy.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (code == nullptr) return InvalidArgument("二维码内容过长");
    QrMatrix out;
    out.width = code->width;
    out.dark.resize(static_cast<size_t>(code->width) * code->width);
    for (size_t i = 0; i < out.dark.size(); ++i) out.dark[i] = code->data[i] & 1;
    QRcode_free(code);
    return out;
}

std::string QrSvg(const QrMatrix& qr, std::string_view title) {
    constexpr int kQuiet = 4;
    const int size = qr.width + 2 * kQuiet;
    std::string escaped;
    for (char c : title) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            default:
                escaped += c;
        }
    }
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " +
           std::to_string(size) + "\" width=\"" + std::to_string(size * 8) + "\" height=\"" +
           std::to_string(size * 8) + "\" shape-rendering=\"crispEdges\" role=\"img\">";
    svg += "<title>" + escaped + "</title>";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
    for (int y = 0; y < qr.width; ++y) {
        for (int x = 0; x < qr.width; ++x) {
            if (!qr.Dark(x, y)) continue;
            // Runs of dark modules in a row become one rectangle.
            int run = 1;
            while (x + run < qr.width && qr.Dark(x + run, y)) ++run;
            svg += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h" +
                   std::to_string(run) + "v1h-" + std::to_string(run) + "z";
            x += run - 1;
        }
    }
    svg += "\"/></svg>\n";
    return svg;
}

std::string ResidentCodeLink(std::string_view origin, std::string_view token) {
    std::string out(origin);
    while (!out.empty() && out.back() == '/') out.pop_back();
    return out + "/r/" + std::string(token);
}

}  // namespace bulwark::registry
