#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "http/static_files.hpp"

namespace bulwark::http {
namespace {

namespace fs = std::filesystem;

std::string HeaderOf(const Response& response, const std::string& name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return {};
}

Request Get(std::string path, std::string if_none_match = "") {
    Request request;
    request.method = "GET";
    request.path = std::move(path);
    if (!if_none_match.empty()) request.headers.emplace_back("if-none-match", if_none_match);
    return request;
}

class StaticFilesTest : public ::testing::Test {
protected:
    StaticFilesTest()
        : root_(fs::temp_directory_path() / ("bulwark_web_" + std::to_string(::getpid()))) {
        fs::remove_all(root_);
        fs::create_directories(root_ / "assets");
        Write("index.html", "<!doctype html><div id=app></div>");
        Write("favicon.ico", "ico");
        Write("manifest.webmanifest", "{}");
        Write("robots.txt", "User-agent: *");
        Write("assets/index-3f2a.js", "export{}");
        Write("assets/worker-9c.mjs", "export{}");
        Write("assets/index-3f2a.css", "body{}");
        Write("assets/logo.svg", "<svg/>");
        Write("assets/logo.png", "png");
        Write("assets/font.woff2", "woff2");
        Write("assets/data.json", "[]");
        EXPECT_TRUE(files_.Load(root_.string()).ok());
    }
    ~StaticFilesTest() override { fs::remove_all(root_); }

    void Write(const std::string& name, const std::string& content) {
        std::ofstream(root_ / name, std::ios::binary) << content;
    }

    fs::path root_;
    StaticFiles files_;
};

TEST_F(StaticFilesTest, ContentTypes) {
    const std::pair<const char*, const char*> expected[] = {
        {"/index.html", "text/html; charset=utf-8"},
        {"/favicon.ico", "image/x-icon"},
        {"/manifest.webmanifest", "application/manifest+json"},
        {"/robots.txt", "text/plain; charset=utf-8"},
        {"/assets/index-3f2a.js", "text/javascript; charset=utf-8"},
        {"/assets/worker-9c.mjs", "text/javascript; charset=utf-8"},
        {"/assets/index-3f2a.css", "text/css; charset=utf-8"},
        {"/assets/logo.svg", "image/svg+xml"},
        {"/assets/logo.png", "image/png"},
        {"/assets/font.woff2", "font/woff2"},
        {"/assets/data.json", "application/json"},
    };
    for (const auto& [path, type] : expected) {
        Response response = files_.Serve(Get(path));
        EXPECT_EQ(response.status, 200) << path;
        EXPECT_EQ(response.content_type, type) << path;
    }
}

TEST_F(StaticFilesTest, CachingHeaders) {
    Response asset = files_.Serve(Get("/assets/index-3f2a.js"));
    EXPECT_EQ(asset.body, "export{}");
    EXPECT_EQ(HeaderOf(asset, "Cache-Control"), "public, max-age=31536000, immutable");
    Response index = files_.Serve(Get("/"));
    EXPECT_EQ(index.body, "<!doctype html><div id=app></div>");
    EXPECT_EQ(HeaderOf(index, "Cache-Control"), "no-cache");
    std::string etag = HeaderOf(index, "ETag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(etag.front(), '"');
    EXPECT_NE(etag, HeaderOf(asset, "ETag"));

    Response not_modified = files_.Serve(Get("/index.html", etag));
    EXPECT_EQ(not_modified.status, 304);
    EXPECT_TRUE(not_modified.body.empty());
    EXPECT_EQ(HeaderOf(not_modified, "ETag"), etag);
    EXPECT_EQ(files_.Serve(Get("/index.html", "\"other\", W/" + etag)).status, 304);
    EXPECT_EQ(files_.Serve(Get("/index.html", "\"other\"")).status, 200);
}

TEST_F(StaticFilesTest, SpaFallbackAndMissingFiles) {
    Response route = files_.Serve(Get("/rounds/12/sites"));
    EXPECT_EQ(route.status, 200);
    EXPECT_EQ(route.body, "<!doctype html><div id=app></div>");
    EXPECT_EQ(HeaderOf(route, "Cache-Control"), "no-cache");

    Response missing = files_.Serve(Get("/assets/gone-1234.js"));
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.content_type, "application/json; charset=utf-8");
    EXPECT_NE(missing.body.find("not_found"), std::string::npos);
    // Files are looked up in memory only: nothing outside the folder is reachable.
    EXPECT_EQ(files_.Serve(Get("/../../etc/os-release.txt")).status, 404);
    EXPECT_EQ(files_.Serve(Get("/../../etc/passwd")).body, route.body);
}

TEST(StaticFilesNotBuiltTest, MissingFolderServesAPlaceholderPage) {
    StaticFiles files;
    ASSERT_TRUE(files.Load("/nonexistent/bulwark/web/dist").ok());
    Response page = files.Serve(Get("/"));
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("网页应用尚未构建 (run npm run build in web/)"), std::string::npos);
    EXPECT_EQ(files.Serve(Get("/rounds")).body, page.body);
}

}  // namespace
}  // namespace bulwark::http
