#pragma once

#include <map>
#include <string>

#include "base/result.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace bulwark::http {

// The built web app, read into memory once at start so that serving it never blocks an I/O
// thread. Thread-safe after Load().
//   /assets/* (Vite's content-hashed names): Cache-Control public, max-age=31536000, immutable
//   index.html and other files: Cache-Control no-cache, with an ETag (304 on If-None-Match)
//   any other GET outside /api/ that names no file: index.html (the app's own routes)
class StaticFiles {
public:
    // Loads every file under `root`. A missing folder is not an error: the server then answers
    // with a short page saying the web app was not built.
    Status Load(const std::string& root);
    Response Serve(const Request& request) const;

private:
    struct File {
        std::string body;
        std::string content_type;
        std::string etag;
        bool immutable = false;
    };
    std::map<std::string, File> files_;
};

}  // namespace bulwark::http
