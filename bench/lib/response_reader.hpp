#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulwark::bench {

// Reads HTTP/1.1 responses, one after another, from the bytes of one keep-alive connection: the
// load generator's side of the wire, cheaper than Beast's parser and flat_buffer for the few things
// the load needs (the status, the body, keep-alive and, at login, Set-Cookie). Bodies come with
// Content-Length or chunked; a body that ends only when the connection closes is refused, as is
// anything that is not well-formed HTTP/1.x. Owned by one connection; not thread-safe.
//
//     std::span<char> space = reader.Space();   // receive at most space.size() bytes into it
//     switch (reader.Commit(received)) { kNeedMore: receive again; kDone: use it, then Next() }
class ResponseReader {
public:
    enum class State { kNeedMore, kDone, kError };

    explicit ResponseReader(size_t body_limit = size_t{64} << 20) : body_limit_(body_limit) {}

    // Where to receive the next bytes: at least kMinSpace free bytes. Only valid until Commit.
    std::span<char> Space();
    // `n` bytes were received into Space(). kDone once the whole response is in; kError (see
    // error()) when the bytes are not an HTTP/1.x response the reader accepts; then Reset().
    State Commit(size_t n);

    // Of the response Commit() returned kDone for, until Next() or Reset().
    unsigned status() const { return status_; }
    bool keep_alive() const { return keep_alive_; }
    std::string_view body() const;
    // The values of its Set-Cookie header fields, in order.
    std::vector<std::string_view> set_cookies() const;
    const std::string& error() const { return error_; }

    // Drops the finished response and starts on the next, keeping bytes received after it.
    void Next();
    // Forgets everything: a new connection.
    void Reset();

    static constexpr size_t kMinSpace = 4096;

private:
    State Parse();
    State ParseHead(size_t head_end);
    State ParseChunks();
    State Fail(std::string why);

    size_t body_limit_;
    std::vector<char> buffer_;
    size_t begin_ = 0;  // the current response's first byte in buffer_
    size_t end_ = 0;    // bytes received into buffer_
    // Parse state of the current response; offsets are from begin_.
    size_t scanned_ = 0;  // the head's end was not before this offset
    size_t head_size_ = 0;
    bool chunked_ = false;
    uint64_t content_length_ = 0;
    size_t chunk_at_ = 0;  // chunked: the next chunk's size line
    std::string chunked_body_;
    size_t total_ = 0;  // the whole response's size, once kDone
    bool done_ = false;
    unsigned status_ = 0;
    bool keep_alive_ = true;
    std::vector<std::pair<size_t, size_t>> cookies_;  // offset and size of each Set-Cookie value
    std::string error_;
};

}  // namespace bulwark::bench
