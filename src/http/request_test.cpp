#include <gtest/gtest.h>

#include "http/request.hpp"
#include "http/url.hpp"

namespace bulwark::http {
namespace {

TEST(RequestTest, HeaderIsCaseInsensitiveAndFirstWins) {
    Request request;
    request.headers = {{"content-type", "application/json"}, {"x-a", "1"}, {"x-a", "2"}};
    EXPECT_EQ(request.Header("Content-Type"), "application/json");
    EXPECT_EQ(request.Header("X-A"), "1");
    EXPECT_EQ(request.Header("missing"), "");
}

TEST(RequestTest, QueryAndParams) {
    Request request;
    request.query = {{"page", "2"}, {"q", ""}};
    request.path_params = {{"id", "17"}};
    EXPECT_EQ(request.Query("page"), "2");
    EXPECT_EQ(request.Query("q"), "");
    EXPECT_EQ(request.Query("size"), std::nullopt);
    EXPECT_EQ(request.Param("id"), "17");
    EXPECT_EQ(request.Param("other"), "");
}

TEST(RequestTest, Cookies) {
    Request request;
    request.headers = {{"cookie", "theme=dark;  bulwark_session=abc.def ; quoted=\"q v\"; flag"}};
    EXPECT_EQ(request.Cookie("bulwark_session"), "abc.def");
    EXPECT_EQ(request.Cookie("theme"), "dark");
    EXPECT_EQ(request.Cookie("quoted"), "q v");
    EXPECT_EQ(request.Cookie("flag"), "");
    EXPECT_EQ(request.Cookie("session"), "");  // no prefix matches
    Request none;
    EXPECT_EQ(none.Cookie("theme"), "");
}

TEST(UrlTest, PercentDecode) {
    EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
    EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
    EXPECT_EQ(PercentDecode("%E7%AC%AC%e4%b8%80", false), "第一");
    EXPECT_EQ(PercentDecode("%", false), std::nullopt);
    EXPECT_EQ(PercentDecode("%2", false), std::nullopt);
    EXPECT_EQ(PercentDecode("%zz", false), std::nullopt);
    EXPECT_EQ(PercentDecode("a%00b", false), std::nullopt);
}

TEST(UrlTest, ParseTarget) {
    std::string path;
    std::multimap<std::string, std::string> query;
    ASSERT_TRUE(ParseTarget("/api/v1/residents/%E5%BC%A0?name=%E5%BC%A0+%E4%B8%89&tag=a&tag=b&x",
                            &path, &query));
    EXPECT_EQ(path, "/api/v1/residents/张");
    EXPECT_EQ(query.find("name")->second, "张 三");
    EXPECT_EQ(query.count("tag"), 2u);
    EXPECT_EQ(query.find("x")->second, "");

    ASSERT_TRUE(ParseTarget("/", &path, &query));
    EXPECT_EQ(path, "/");
    EXPECT_TRUE(query.empty());

    EXPECT_FALSE(ParseTarget("http://example.com/", &path, &query));
    EXPECT_FALSE(ParseTarget("*", &path, &query));
    EXPECT_FALSE(ParseTarget("/a?b=%G1", &path, &query));
}

}  // namespace
}  // namespace bulwark::http
