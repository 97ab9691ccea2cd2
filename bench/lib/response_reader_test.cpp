#include "bench/lib/response_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace bulwark::bench {
namespace {

using State = ResponseReader::State;

// Feeds `bytes` in pieces of at most `piece` bytes; returns the state after the last piece.
State Feed(ResponseReader& reader, std::string_view bytes, size_t piece = 1 << 20) {
    State state = State::kNeedMore;
    while (!bytes.empty()) {
        std::span<char> space = reader.Space();
        EXPECT_GE(space.size(), ResponseReader::kMinSpace);
        const size_t n = std::min({piece, bytes.size(), space.size()});
        std::memcpy(space.data(), bytes.data(), n);
        bytes.remove_prefix(n);
        state = reader.Commit(n);
        if (state != State::kNeedMore) break;
    }
    return state;
}

constexpr std::string_view kScanAnswer =
    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 26\r\n\r\n"
    "{\"tube\":{\"status\":\"open\"}}";

TEST(ResponseReaderTest, ReadsAResponseWithContentLength) {
    ResponseReader reader;
    ASSERT_EQ(Feed(reader, kScanAnswer), State::kDone);
    EXPECT_EQ(reader.status(), 201u);
    EXPECT_TRUE(reader.keep_alive());
    EXPECT_EQ(reader.body(), "{\"tube\":{\"status\":\"open\"}}");
}

TEST(ResponseReaderTest, WaitsForEveryByteWhateverThePieces) {
    for (size_t piece : {1, 2, 3, 7, 50}) {
        ResponseReader reader;
        const std::string_view all = kScanAnswer;
        // Every prefix short of the whole is not a response yet.
        ASSERT_EQ(Feed(reader, all.substr(0, all.size() - 1), piece), State::kNeedMore) << piece;
        ASSERT_EQ(Feed(reader, all.substr(all.size() - 1)), State::kDone) << piece;
        EXPECT_EQ(reader.body(), "{\"tube\":{\"status\":\"open\"}}") << piece;
    }
}

TEST(ResponseReaderTest, KeepsBytesAfterAResponseForTheNext) {
    ResponseReader reader;
    const std::string two = std::string(kScanAnswer) +
                            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n" +
                            "Connection: close\r\n\r\nno";
    ASSERT_EQ(Feed(reader, two), State::kDone);
    EXPECT_EQ(reader.status(), 201u);
    reader.Next();
    // The second answer is already in: no more bytes needed.
    ASSERT_EQ(reader.Commit(0), State::kDone);
    EXPECT_EQ(reader.status(), 503u);
    EXPECT_FALSE(reader.keep_alive());
    EXPECT_EQ(reader.body(), "no");
    reader.Next();
    EXPECT_EQ(Feed(reader, kScanAnswer, 5), State::kDone);
    EXPECT_EQ(reader.status(), 201u);
}

TEST(ResponseReaderTest, ManyResponsesInARowReuseTheBuffer) {
    ResponseReader reader;
    std::string body(3000, 'x');
    const std::string answer =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (int i = 0; i < 200; ++i) {
        ASSERT_EQ(Feed(reader, answer, 1000), State::kDone) << i;
        ASSERT_EQ(reader.body(), body) << i;
        reader.Next();
    }
}

TEST(ResponseReaderTest, CollectsSetCookiesAndFieldNamesIgnoreCase) {
    ResponseReader reader;
    ASSERT_EQ(Feed(reader,
                   "HTTP/1.1 200 OK\r\nset-cookie: bulwark_session=abc; HttpOnly\r\n"
                   "CONTENT-LENGTH:  2 \r\nSet-Cookie: bulwark_csrf=def; Path=/\r\n\r\n{}",
                   4),
              State::kDone);
    const auto cookies = reader.set_cookies();
    ASSERT_EQ(cookies.size(), 2u);
    EXPECT_EQ(cookies[0], "bulwark_session=abc; HttpOnly");
    EXPECT_EQ(cookies[1], "bulwark_csrf=def; Path=/");
    EXPECT_EQ(reader.body(), "{}");
}

TEST(ResponseReaderTest, DecodesChunkedBodies) {
    ResponseReader reader;
    const std::string_view chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n";
    for (size_t piece : {1, 4, 1000}) {
        reader.Reset();
        ASSERT_EQ(Feed(reader, chunked, piece), State::kDone) << piece;
        EXPECT_EQ(reader.body(), "hello, world") << piece;
    }
    reader.Reset();
    ASSERT_EQ(Feed(reader, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
              State::kDone);
    EXPECT_EQ(reader.body(), "");
    reader.Next();
    EXPECT_EQ(Feed(reader, kScanAnswer), State::kDone);
    EXPECT_EQ(reader.status(), 201u);
}

TEST(ResponseReaderTest, NoBodyFor204AndHttp10ClosesByDefault) {
    ResponseReader reader;
    ASSERT_EQ(Feed(reader, "HTTP/1.1 204 No Content\r\n\r\n"), State::kDone);
    EXPECT_EQ(reader.body(), "");
    EXPECT_TRUE(reader.keep_alive());
    reader.Next();
    ASSERT_EQ(Feed(reader, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"), State::kDone);
    EXPECT_FALSE(reader.keep_alive());
    reader.Next();
    ASSERT_EQ(
        Feed(reader, "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"),
        State::kDone);
    EXPECT_TRUE(reader.keep_alive());
}

TEST(ResponseReaderTest, RefusesWhatItCannotRead) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"HTTP/2 200 OK\r\n\r\n", "bad status line"},
        {"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "bad status"},
        {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line"},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
         "bad Content-Length"},
        {"HTTP/1.1 200 OK\r\n\r\nuntil close", "without Content-Length"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported Transfer-Encoding"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n",
         "not followed by CRLF"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", "over the limit"},
    };
    for (const auto& [bytes, why] : cases) {
        ResponseReader reader(100);
        EXPECT_EQ(Feed(reader, bytes), State::kError) << bytes;
        EXPECT_NE(reader.error().find(why), std::string::npos) << bytes << ": " << reader.error();
        reader.Reset();
        EXPECT_EQ(Feed(reader, kScanAnswer), State::kDone) << "after " << bytes;
    }
}

}  // namespace
}  // namespace bulwark::bench
