#include "testing/testing_json.hpp"

#include <boost/json.hpp>

#include "registry/model.hpp"

namespace bulwark::testing {
namespace {

namespace json = boost::json;

json::value Time(int64_t at) { return at > 0 ? json::value(at) : json::value(nullptr); }
json::value Id(int64_t id) { return id > 0 ? json::value(id) : json::value(nullptr); }

// A JSON string: escaped as boost::json's serializer does (short escapes where JSON has them,
// \u00xx for the other control characters, UTF-8 as it is).
void AppendString(std::string& out, std::string_view text) {
    static constexpr std::string_view kShort = "\"\\\b\f\n\r\t";  // escaped as \ and a letter
    static constexpr std::string_view kLetter = "\"\\bfnrt";
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\') {
            out.push_back(c);
            continue;
        }
        const size_t at = kShort.find(c);
        if (at != std::string_view::npos) {
            out.push_back('\\');
            out.push_back(kLetter[at]);
        } else {
            out.append("\\u00");
            out.push_back(kHex[(c >> 4) & 0xf]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    out.push_back('"');
}

// "name": followed by the value's text, with a comma before all but an object's first member.
void AppendName(std::string& out, std::string_view name) {
    if (out.back() != '{') out.push_back(',');
    out.push_back('"');
    out.append(name).append("\":");
}

void AppendNumber(std::string& out, std::string_view name, int64_t value) {
    AppendName(out, name);
    out.append(std::to_string(value));
}

// A time or id that is null when not set (0), as Time() and Id().
void AppendOptional(std::string& out, std::string_view name, int64_t value) {
    AppendName(out, name);
    out.append(value > 0 ? std::to_string(value) : "null");
}

void AppendTube(std::string& out, const Tube& t) {
    out.push_back('{');
    AppendNumber(out, "id", t.id);
    AppendNumber(out, "round_id", t.round_id);
    AppendNumber(out, "site_id", t.site_id);
    AppendNumber(out, "table_id", t.table_id);
    AppendName(out, "barcode");
    AppendString(out, t.barcode);
    AppendNumber(out, "pool_size", t.pool_size);
    AppendNumber(out, "count", t.count);
    AppendName(out, "status");
    AppendString(out, TubeStatusName(t.status));
    AppendNumber(out, "opened_at", t.opened_at);
    AppendOptional(out, "closed_at", t.closed_at);
    AppendOptional(out, "box_id", t.box_id);
    out.push_back('}');
}

json::array IdArray(const std::vector<int64_t>& ids) {
    json::array out;
    out.reserve(ids.size());
    for (int64_t id : ids) out.emplace_back(id);
    return out;
}

}  // namespace

json::object RoundJson(const RoundView& v) {
    const Round& r = v.round;
    json::array tags;
    for (const std::string& t : registry::TagNames(r.single_tube_tags)) tags.emplace_back(t);
    return {{"id", r.id},
            {"street_id", r.street_id},
            {"community_id", r.community_id},
            {"name", r.name},
            {"kind", RoundKindName(r.kind)},
            {"scope", json::object{{"kind", RoundScopeKindName(r.scope_kind)},
                                   {"ids", IdArray(r.scope_ids)}}},
            {"starts_at", r.starts_at},
            {"ends_at", r.ends_at},
            {"pool_size", r.pool_size},
            {"single_tube_tags", std::move(tags)},
            {"single_tube_control_areas", r.single_tube_control_areas},
            {"site_ids", IdArray(r.site_ids)},
            {"status", RoundStatusName(v.status)},
            {"closed_at", Time(r.closed_at)},
            {"version", r.version},
            {"sample_count", v.sample_count},
            {"created_at", r.created_at},
            {"updated_at", r.updated_at}};
}

json::object SiteJson(const Site& site) {
    json::array hours;
    for (const OpeningHours& h : site.hours) {
        hours.push_back(json::object{{"weekday", h.weekday},
                                     {"open", FormatClockMinutes(h.open_minute)},
                                     {"close", FormatClockMinutes(h.close_minute)}});
    }
    json::array tables;
    for (const SiteTable& t : site.tables) {
        tables.push_back(
            json::object{{"id", t.id}, {"name", t.name}, {"priority_lane", t.priority_lane}});
    }
    return {{"id", site.id},
            {"street_id", site.street_id},
            {"community_id", site.community_id},
            {"name", site.name},
            {"address", site.address},
            {"hours", std::move(hours)},
            {"tables", std::move(tables)},
            {"version", site.version}};
}

json::object LabJson(const Lab& lab) { return {{"id", lab.id}, {"name", lab.name}}; }

json::object TubeJson(const Tube& t) {
    return {{"id", t.id},
            {"round_id", t.round_id},
            {"site_id", t.site_id},
            {"table_id", t.table_id},
            {"barcode", t.barcode},
            {"pool_size", t.pool_size},
            {"count", t.count},
            {"status", TubeStatusName(t.status)},
            {"opened_at", t.opened_at},
            {"closed_at", Time(t.closed_at)},
            {"box_id", Id(t.box_id)}};
}

std::string AcceptedScanJson(const AcceptedScan& scan) {
    std::string out;
    out.reserve(512);
    out.append("{\"sample\":{");
    AppendNumber(out, "id", scan.sample_id);
    AppendNumber(out, "round_id", scan.tube.round_id);
    AppendName(out, "tube_barcode");
    AppendString(out, scan.tube.barcode);
    AppendNumber(out, "site_id", scan.tube.site_id);
    AppendNumber(out, "table_id", scan.tube.table_id);
    AppendNumber(out, "scanned_at", scan.taken_at);
    out.append("},\"resident\":{");
    AppendNumber(out, "id", scan.resident_id);
    AppendName(out, "name_masked");
    AppendString(out, scan.name_masked);
    out.append("},\"tube\":");
    AppendTube(out, scan.after);
    out.append(",\"warnings\":[");
    bool first = true;
    for (const Warning& w : WarningsOf(scan.warning_bits)) {
        out.append(first ? "{" : ",{");
        first = false;
        AppendName(out, "code");
        AppendString(out, w.code);
        AppendName(out, "message");
        AppendString(out, w.message);
        out.push_back('}');
    }
    out.append("]}");
    return out;
}

json::object BoxJson(const Box& b) {
    return {{"id", b.id},
            {"round_id", b.round_id},
            {"site_id", b.site_id},
            {"barcode", b.barcode},
            {"status", BoxStatusName(b.status)},
            {"tube_count", b.tube_count},
            {"created_at", b.created_at},
            {"sealed_at", Time(b.sealed_at)},
            {"lab_id", Id(b.lab_id)},
            {"handed_over_at", Time(b.handed_over_at)},
            {"received_at", Time(b.received_at)}};
}

}  // namespace bulwark::testing
