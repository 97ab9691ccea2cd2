#include "bench/lib/sampling_scenario.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "bench/lib/template_scenario.hpp"

namespace bulwark::bench {
namespace {

namespace json = boost::json;

constexpr std::string_view kScansPath = "/api/v1/sampling/scans";
constexpr std::string_view kTubesPath = "/api/v1/sampling/tubes";

// Codes and barcodes go into JSON bodies as they are: refuse anything that would need escaping.
bool PlainText(std::string_view s) {
    for (char c : s) {
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
    }
    return !s.empty();
}

Result<int64_t> PositiveId(const json::value& v, const char* what) {
    if (!v.is_int64() || v.as_int64() <= 0) {
        return InvalidArgument(std::string("sampling plan: ") + what + " must be positive ids");
    }
    return v.as_int64();
}

void AppendQuoted(std::string& out, std::string_view name, std::string_view value) {
    out.append("\"").append(name).append("\":\"").append(value).append("\"");
}

}  // namespace

// One table's phone: where it is, its current tube and the residents of its block.
struct SamplingScenario::Table {
    // kFindOpen and kCloseOpen: the table still had an open tube (from an earlier run, or a
    // server killed mid-tube), which the phone looks up and closes before opening its own.
    enum class Phase { kNeedTube, kFindOpen, kCloseOpen, kScanning };
    Phase phase = Phase::kNeedTube;
    bool have_block = false;
    int64_t round_id = 0;
    size_t first_code = 0;
    int next = 0;  // position in the block of the next scan
    int tube_no = 0;
    std::string barcode;
    int64_t tube_id = 0;
    // The last request sent: sent again, same key, when it got no answer or a 503.
    Request last;
    bool awaiting = false;
};

uint64_t SamplingPlan::Capacity() const {
    if (pool_size <= 0) return 0;
    return (codes.size() / static_cast<size_t>(pool_size)) * pool_size * rounds.size();
}

Result<SamplingPlan> ParseSamplingPlan(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return InvalidArgument("sampling plan: not a JSON object");
    const json::object& o = v.as_object();
    SamplingPlan plan;
    const json::value* tables = o.if_contains("tables");
    if (!tables || !tables->is_array() || tables->as_array().empty()) {
        return InvalidArgument("sampling plan: tables must be a non-empty array");
    }
    for (const json::value& t : tables->as_array()) {
        if (!t.is_array() || t.as_array().size() != 2) {
            return InvalidArgument("sampling plan: each table is [site_id, table_id]");
        }
        ASSIGN_OR_RETURN(int64_t site, PositiveId(t.as_array()[0], "tables"));
        ASSIGN_OR_RETURN(int64_t table, PositiveId(t.as_array()[1], "tables"));
        plan.tables.push_back({site, table});
    }
    const json::value* rounds = o.if_contains("rounds");
    if (!rounds || !rounds->is_array() || rounds->as_array().empty()) {
        return InvalidArgument("sampling plan: rounds must be a non-empty array");
    }
    for (const json::value& r : rounds->as_array()) {
        ASSIGN_OR_RETURN(int64_t id, PositiveId(r, "rounds"));
        plan.rounds.push_back(id);
    }
    const json::value* pool = o.if_contains("pool_size");
    if (!pool || !pool->is_int64() || pool->as_int64() < 1 || pool->as_int64() > 20) {
        return InvalidArgument("sampling plan: pool_size must be 1 to 20");
    }
    plan.pool_size = static_cast<int>(pool->as_int64());
    const json::value* codes = o.if_contains("codes");
    if (!codes || !codes->is_array())
        return InvalidArgument("sampling plan: codes must be an array");
    for (const json::value& c : codes->as_array()) {
        if (!c.is_string() || !PlainText(c.as_string())) {
            return InvalidArgument("sampling plan: codes must be plain strings");
        }
        plan.codes.emplace_back(c.as_string());
    }
    if (plan.codes.size() < static_cast<size_t>(plan.pool_size)) {
        return InvalidArgument("sampling plan: fewer codes than one pool");
    }
    return plan;
}

SamplingScenario::SamplingScenario(SamplingPlan plan)
    : plan_(std::move(plan)),
      blocks_per_round_(plan_.codes.size() / static_cast<size_t>(plan_.pool_size)) {}

std::map<std::string, uint64_t> SamplingScenario::Refusals() const {
    std::lock_guard lock(refusals_mu_);
    return refusals_;
}

SamplingScenario::Table& SamplingScenario::TableOf(ConnState& state) {
    if (!state.data.has_value()) state.data = Table{};
    return std::any_cast<Table&>(state.data);
}

void SamplingScenario::Claim(Table& t, const ConnState& state) {
    const uint64_t block = next_block_.fetch_add(1, std::memory_order_relaxed);
    t.round_id = plan_.rounds[(block / blocks_per_round_) % plan_.rounds.size()];
    t.first_code = (block % blocks_per_round_) * static_cast<size_t>(plan_.pool_size);
    t.next = 0;
    t.have_block = true;
    t.barcode =
        "T" + state.run_id + "-" + std::to_string(state.conn) + "-" + std::to_string(++t.tube_no);
}

Request SamplingScenario::Next(ConnState& state) {
    Table& t = TableOf(state);
    if (t.awaiting) return t.last;  // no answer last time: the same request, the same key
    const SamplingPlan::Table& where = plan_.tables[state.conn % plan_.tables.size()];
    Request r;
    if (t.phase == Table::Phase::kFindOpen) {
        r.label = "find_open_tube";
        r.target = "/api/v1/sampling/tables/" + std::to_string(where.table_id) + "/open-tube";
        t.last = r;
        t.awaiting = true;
        return r;
    }
    r.method = "POST";
    r.idempotency_key = IdempotencyKey(state.run_id, state.conn, state.seq);
    std::string& b = r.body;
    b.reserve(160);
    b.append("{");
    AppendQuoted(b, "key", r.idempotency_key);
    if (t.phase == Table::Phase::kNeedTube) {
        if (!t.have_block) Claim(t, state);
        r.label = "open_tube";
        r.target = kTubesPath;
        b.append(",\"round_id\":").append(std::to_string(t.round_id));
        b.append(",\"site_id\":").append(std::to_string(where.site_id));
        b.append(",\"table_id\":").append(std::to_string(where.table_id));
        b.append(",");
        AppendQuoted(b, "barcode", t.barcode);
    } else if (t.phase == Table::Phase::kCloseOpen) {
        r.label = "close_tube";
        r.target = std::string(kTubesPath) + "/" + std::to_string(t.tube_id) + "/close";
    } else if (t.next < plan_.pool_size) {
        r.label = "scan";
        r.target = kScansPath;
        b.append(",");
        AppendQuoted(b, "tube_barcode", t.barcode);
        b.append(",");
        AppendQuoted(b, "code", plan_.codes[t.first_code + static_cast<size_t>(t.next)]);
    } else {
        // Every resident of the block was tried, some refused: the tube is closed by hand.
        r.label = "close_tube";
        r.target = std::string(kTubesPath) + "/" + std::to_string(t.tube_id) + "/close";
    }
    b.append("}");
    t.last = r;
    t.awaiting = true;
    return r;
}

void SamplingScenario::OnResponse(ConnState& state, const Request& request,
                                  const Response& response) {
    Table& t = TableOf(state);
    if (response.status / 100 != 2) {
        std::string why = request.label + " " + std::to_string(response.status);
        const size_t code = response.body.find("\"code\":\"");
        if (code != std::string_view::npos) {
            const size_t from = code + 8;
            why +=
                " " + std::string(response.body.substr(from, response.body.find('"', from) - from));
        }
        std::lock_guard lock(refusals_mu_);
        ++refusals_[why];
    }
    // Overloaded: the phone backs off and sends the same request again.
    if (response.status == 503) return;
    t.awaiting = false;
    const bool ok = response.status / 100 == 2;
    auto id_in_body = [&] {
        boost::system::error_code ec;
        json::value v = json::parse(response.body, ec);
        const json::value* id = ec || !v.is_object() ? nullptr : v.as_object().if_contains("id");
        return id && id->is_int64() ? id->as_int64() : int64_t{0};
    };
    if (request.label == "open_tube") {
        if (response.status == 422 &&
            response.body.find("table_has_open_tube") != std::string_view::npos) {
            t.phase = Table::Phase::kFindOpen;
            return;
        }
        if (!ok) {
            // Refused (a barcode in use, a table with an open tube): another barcode.
            t.barcode = "T" + state.run_id + "-" + std::to_string(state.conn) + "-" +
                        std::to_string(++t.tube_no);
            return;
        }
        t.tube_id = id_in_body();
        t.phase = Table::Phase::kScanning;
        return;
    }
    if (request.label == "find_open_tube") {
        t.tube_id = ok ? id_in_body() : 0;
        // None open any more (404): open ours. The block is still unused.
        t.phase = t.tube_id != 0 ? Table::Phase::kCloseOpen : Table::Phase::kNeedTube;
        return;
    }
    if (request.label == "scan") {
        ++t.next;
        const bool closed = response.body.find("\"status\":\"closed\"") != std::string_view::npos;
        // Refusals that name the tube (closed, full, unknown) end it; others name the code.
        const bool tube_gone =
            !ok && response.body.find("\"field\":\"tube_barcode\"") != std::string_view::npos;
        if ((ok && closed) || tube_gone || (t.next >= plan_.pool_size && t.tube_id == 0)) {
            t.phase = Table::Phase::kNeedTube;
            t.have_block = false;
        }
        return;
    }
    // close_tube, whatever the answer: the next tube (a stale tube's close keeps the block,
    // which no tube has used yet).
    if (t.phase != Table::Phase::kCloseOpen) t.have_block = false;
    t.phase = Table::Phase::kNeedTube;
}

}  // namespace bulwark::bench
