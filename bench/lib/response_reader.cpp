#include "bench/lib/response_reader.hpp"

#include <algorithm>
#include <cstring>

namespace bulwark::bench {
namespace {

constexpr std::string_view kEndOfHead = "\r\n\r\n";

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == y; });
}

// Whether the comma-separated list `value` has `token` (lowercase), ignoring case and spaces.
bool HasToken(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const size_t comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (EqualsNoCase(item, token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

// Digits only; false on anything else or past 2^63.
bool ParseDecimal(std::string_view s, uint64_t& out) {
    if (s.empty() || s.size() > 18) return false;
    out = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        out = out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
}

// A chunk-size: hex digits, optionally followed by ";extension".
bool ParseChunkSize(std::string_view line, uint64_t& out) {
    line = line.substr(0, line.find(';'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.size() > 15) return false;
    out = 0;
    for (char c : line) {
        const char l = Lower(c);
        const int digit = l >= '0' && l <= '9' ? l - '0' : l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
        if (digit < 0) return false;
        out = out * 16 + static_cast<uint64_t>(digit);
    }
    return true;
}

}  // namespace

std::span<char> ResponseReader::Space() {
    if (buffer_.size() - end_ < kMinSpace) {
        if (begin_ > 0) {
            // Slide the current response to the front; every offset is from begin_, so it holds.
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        if (buffer_.size() - end_ < kMinSpace) {
            buffer_.resize(std::max(buffer_.size() * 2, end_ + 4 * kMinSpace));
        }
    }
    return {buffer_.data() + end_, buffer_.size() - end_};
}

ResponseReader::State ResponseReader::Commit(size_t n) {
    end_ += n;
    if (done_) return State::kDone;
    return Parse();
}

std::string_view ResponseReader::body() const {
    if (!done_) return {};
    if (chunked_) return chunked_body_;
    return {buffer_.data() + begin_ + head_size_, static_cast<size_t>(content_length_)};
}

std::vector<std::string_view> ResponseReader::set_cookies() const {
    std::vector<std::string_view> values;
    if (!done_) return values;
    for (const auto& [at, size] : cookies_) values.emplace_back(buffer_.data() + begin_ + at, size);
    return values;
}

void ResponseReader::Next() {
    if (!done_) return;
    begin_ += total_;
    if (begin_ == end_) begin_ = end_ = 0;
    scanned_ = head_size_ = chunk_at_ = total_ = 0;
    content_length_ = 0;
    chunked_ = done_ = false;
    chunked_body_.clear();
    cookies_.clear();
    status_ = 0;
    keep_alive_ = true;
}

void ResponseReader::Reset() {
    done_ = true;
    total_ = 0;
    Next();
    begin_ = end_ = 0;
    error_.clear();
}

ResponseReader::State ResponseReader::Fail(std::string why) {
    error_ = std::move(why);
    return State::kError;
}

ResponseReader::State ResponseReader::Parse() {
    const std::string_view data(buffer_.data() + begin_, end_ - begin_);
    if (head_size_ == 0) {
        const size_t from = scanned_ >= 3 ? scanned_ - 3 : 0;
        const size_t head_end = data.find(kEndOfHead, from);
        if (head_end == std::string_view::npos) {
            scanned_ = data.size();
            if (data.size() > (size_t{64} << 10)) return Fail("response head over 64 KiB");
            return State::kNeedMore;
        }
        if (State s = ParseHead(head_end); s != State::kNeedMore) return s;
    }
    if (chunked_) return ParseChunks();
    if (data.size() - head_size_ < content_length_) return State::kNeedMore;
    total_ = head_size_ + static_cast<size_t>(content_length_);
    done_ = true;
    return State::kDone;
}

// The status line and the fields, up to the blank line at `head_end`. kNeedMore: go on to the body.
ResponseReader::State ResponseReader::ParseHead(size_t head_end) {
    const std::string_view head(buffer_.data() + begin_, head_end + 2);  // with the last CRLF
    size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK": the version, a space, three digits, then a space or nothing.
    if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
        (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ' ||
        (status_line.size() > 12 && status_line[12] != ' ')) {
        return Fail("bad status line '" + std::string(status_line.substr(0, 40)) + "'");
    }
    uint64_t status = 0;
    if (!ParseDecimal(status_line.substr(9, 3), status) || status < 100) {
        return Fail("bad status '" + std::string(status_line.substr(9, 3)) + "'");
    }
    status_ = static_cast<unsigned>(status);
    const bool http10 = status_line[7] == '0';
    bool keep_alive = !http10;
    bool has_length = false;
    for (size_t at = line_end + 2; at < head.size(); at = line_end + 2) {
        line_end = head.find("\r\n", at);
        const std::string_view line = head.substr(at, line_end - at);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return Fail("bad header line '" + std::string(line.substr(0, 40)) + "'");
        }
        const std::string_view name = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
            value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
            value.remove_suffix(1);
        }
        if (EqualsNoCase(name, "content-length")) {
            uint64_t length = 0;
            if (!ParseDecimal(value, length) || (has_length && length != content_length_)) {
                return Fail("bad Content-Length '" + std::string(value.substr(0, 20)) + "'");
            }
            content_length_ = length;
            has_length = true;
        } else if (EqualsNoCase(name, "transfer-encoding")) {
            if (!HasToken(value, "chunked")) {
                return Fail("unsupported Transfer-Encoding '" + std::string(value) + "'");
            }
            chunked_ = true;
        } else if (EqualsNoCase(name, "connection")) {
            if (HasToken(value, "close")) keep_alive = false;
            if (HasToken(value, "keep-alive")) keep_alive = true;
        } else if (EqualsNoCase(name, "set-cookie")) {
            cookies_.emplace_back(static_cast<size_t>(value.data() - head.data()), value.size());
        }
    }
    keep_alive_ = keep_alive;
    head_size_ = head_end + kEndOfHead.size();
    const bool no_body = status_ < 200 || status_ == 204 || status_ == 304;
    if (no_body) {
        chunked_ = false;
        content_length_ = 0;
    } else if (chunked_) {
        content_length_ = 0;
        chunk_at_ = head_size_;
    } else if (!has_length) {
        // The body would end only when the server closes: not a keep-alive answer.
        return Fail("response without Content-Length");
    } else if (content_length_ > body_limit_) {
        return Fail("body of " + std::to_string(content_length_) + " bytes over the limit");
    }
    return State::kNeedMore;
}

// Decodes the chunks received so far into chunked_body_; kDone after the last chunk's trailer.
ResponseReader::State ResponseReader::ParseChunks() {
    const std::string_view data(buffer_.data() + begin_, end_ - begin_);
    for (;;) {
        const size_t line_end = data.find("\r\n", chunk_at_);
        if (line_end == std::string_view::npos) {
            if (data.size() - chunk_at_ > 1024) return Fail("bad chunk size line");
            return State::kNeedMore;
        }
        uint64_t size = 0;
        if (!ParseChunkSize(data.substr(chunk_at_, line_end - chunk_at_), size)) {
            return Fail(
                "bad chunk size '" +
                std::string(data.substr(chunk_at_, std::min<size_t>(20, line_end - chunk_at_))) +
                "'");
        }
        const size_t data_at = line_end + 2;
        if (size == 0) {
            // Trailer fields, if any, then a blank line.
            const size_t blank = data.find("\r\n", data_at) == data_at
                                     ? data_at
                                     : data.find(kEndOfHead, data_at - 2);
            if (blank == std::string_view::npos) return State::kNeedMore;
            total_ = blank == data_at ? data_at + 2 : blank + kEndOfHead.size();
            done_ = true;
            return State::kDone;
        }
        if (chunked_body_.size() + size > body_limit_) {
            return Fail("chunked body over the limit");
        }
        if (data.size() < data_at + size + 2) return State::kNeedMore;
        if (data.substr(data_at + size, 2) != "\r\n") return Fail("chunk not followed by CRLF");
        chunked_body_.append(data.substr(data_at, size));
        chunk_at_ = data_at + size + 2;
    }
}

}  // namespace bulwark::bench
