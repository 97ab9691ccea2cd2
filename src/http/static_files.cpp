#include "http/static_files.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace bulwark::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kNotBuiltPage =
    "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
    "<title>Bulwark</title></head>\n<body><h1>网页应用尚未构建 (run npm run build in web/)</h1>"
    "</body></html>\n";

std::string ContentTypeFor(const fs::path& path) {
    std::string ext = path.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".webp") return "image/webp";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".woff") return "font/woff";
    if (ext == ".json" || ext == ".map") return "application/json";
    if (ext == ".webmanifest") return "application/manifest+json";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    if (ext == ".wasm") return "application/wasm";
    return "application/octet-stream";
}

// A strong validator from the content (FNV-1a, 64 bits) and size; stable across restarts.
std::string EtagFor(std::string_view body) {
    uint64_t hash = 1469598103934665603ULL;
    for (unsigned char c : body) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    char text[48];
    std::snprintf(text, sizeof(text), "\"%zx-%016llx\"", body.size(),
                  static_cast<unsigned long long>(hash));
    return text;
}

// True if the If-None-Match header value lists `etag` (or is "*"); weak tags compare equal.
bool EtagListed(std::string_view header, std::string_view etag) {
    while (!header.empty()) {
        size_t comma = header.find(',');
        std::string_view tag = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
        if (tag == "*" || tag == etag) return true;
    }
    return false;
}

bool LastSegmentHasExtension(std::string_view path) {
    std::string_view last = path.substr(path.rfind('/') + 1);
    return last.find('.') != std::string_view::npos;
}

}  // namespace

Status StaticFiles::Load(const std::string& root) {
    files_.clear();
    std::error_code ec;
    if (fs::is_directory(root, ec)) {
        for (auto it = fs::recursive_directory_iterator(root, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;
            std::ifstream in(it->path(), std::ios::binary);
            std::ostringstream content;
            content << in.rdbuf();
            if (!in) return Internal("无法读取网页文件 " + it->path().string());
            std::string key = fs::relative(it->path(), root).generic_string();
            key.insert(key.begin(), '/');
            File file;
            file.body = std::move(content).str();
            file.content_type = ContentTypeFor(it->path());
            file.etag = EtagFor(file.body);
            file.immutable = key.rfind("/assets/", 0) == 0;
            files_.emplace(std::move(key), std::move(file));
        }
        if (ec) return Internal("无法读取网页目录 " + root + ": " + ec.message());
    }
    if (files_.find("/index.html") == files_.end()) {
        File page;
        page.body = kNotBuiltPage;
        page.content_type = "text/html; charset=utf-8";
        page.etag = EtagFor(page.body);
        files_.emplace("/index.html", std::move(page));
    }
    return Ok();
}

Response StaticFiles::Serve(const Request& request) const {
    std::string path = request.path;
    if (!path.empty() && path.back() == '/') path += "index.html";
    auto it = files_.find(path);
    if (it == files_.end()) {
        if (LastSegmentHasExtension(path)) {
            return Response::TransportError(404, "not_found", "文件不存在: " + request.path);
        }
        // The app's own routes (/rounds/12) are drawn by index.html in the browser.
        it = files_.find("/index.html");
        if (it == files_.end()) {
            return Response::TransportError(404, "not_found", "文件不存在: " + request.path);
        }
    }
    const File& file = it->second;
    Response response;
    if (EtagListed(request.Header("if-none-match"), file.etag)) {
        response.status = 304;
    } else {
        response.content_type = file.content_type;
        response.body = file.body;
    }
    response.AddHeader("ETag", file.etag);
    response.AddHeader("Cache-Control",
                       file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    return response;
}

}  // namespace bulwark::http
