#include "bench/lib/template_scenario.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace bulwark::bench {

RequestTemplate::RequestTemplate(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, Kind>, 3> kPlaceholders = {{
        {"{key}", Kind::kKey},
        {"{seq}", Kind::kSeq},
        {"{conn}", Kind::kConn},
    }};
    std::string literal;
    size_t i = 0;
    while (i < text.size()) {
        bool matched = false;
        if (text[i] == '{') {
            for (const auto& [name, kind] : kPlaceholders) {
                if (text.substr(i, name.size()) == name) {
                    if (!literal.empty()) parts_.emplace_back(Kind::kText, std::move(literal));
                    literal.clear();
                    parts_.emplace_back(kind, std::string());
                    uses_key_ = uses_key_ || kind == Kind::kKey;
                    i += name.size();
                    matched = true;
                    break;
                }
            }
        }
        if (!matched) literal.push_back(text[i++]);
    }
    if (!literal.empty()) parts_.emplace_back(Kind::kText, std::move(literal));
}

void RequestTemplate::ExpandTo(std::string& out, std::string_view key, uint64_t seq,
                               int conn) const {
    for (const auto& [kind, text] : parts_) {
        switch (kind) {
            case Kind::kText:
                out += text;
                break;
            case Kind::kKey:
                out += key;
                break;
            case Kind::kSeq:
                out += std::to_string(seq);
                break;
            case Kind::kConn:
                out += std::to_string(conn);
                break;
        }
    }
}

std::string RequestTemplate::Expand(std::string_view key, uint64_t seq, int conn) const {
    std::string out;
    ExpandTo(out, key, seq, conn);
    return out;
}

std::string IdempotencyKey(std::string_view run_id, int conn, uint64_t seq) {
    // As the sampling page makes them (web/src/offline/keys.ts, a UUID v7): the time first, so
    // that keys made one after another sort one after another, and the database's index of
    // keys takes each new key at its end instead of at a random page.
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    char time[20];
    std::snprintf(time, sizeof time, "%013llx", static_cast<unsigned long long>(micros));
    std::string key(run_id);
    key += '-';
    key += time;
    key += '-';
    key += std::to_string(conn);
    key += '-';
    key += std::to_string(seq);
    return key;
}

TemplateScenario::TemplateScenario(std::string method, std::string_view target,
                                   std::string_view body,
                                   const std::vector<std::pair<std::string, std::string>>& headers)
    : method_(std::move(method)), target_(target), body_(body) {
    uses_key_ = target_.UsesKey() || body_.UsesKey();
    for (const auto& [name, value] : headers) {
        headers_.emplace_back(name, RequestTemplate(value));
        uses_key_ = uses_key_ || headers_.back().second.UsesKey();
    }
}

Request TemplateScenario::Next(ConnState& state) {
    Request request;
    request.method = method_;
    if (uses_key_) request.idempotency_key = IdempotencyKey(state.run_id, state.conn, state.seq);
    const std::string& key = request.idempotency_key;
    request.target = target_.Expand(key, state.seq, state.conn);
    request.body = body_.Expand(key, state.seq, state.conn);
    request.headers.reserve(headers_.size());
    for (const auto& [name, value] : headers_) {
        request.headers.emplace_back(name, value.Expand(key, state.seq, state.conn));
    }
    return request;
}

}  // namespace bulwark::bench
