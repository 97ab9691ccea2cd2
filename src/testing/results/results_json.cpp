#include "testing/results/results_json.hpp"

namespace bulwark::testing::results {
namespace {

namespace json = boost::json;

json::value Time(int64_t at) { return at > 0 ? json::value(at) : json::value(nullptr); }

json::value StatusJson(const std::optional<MemberStatus>& status) {
    return status ? json::value(MemberStatusName(*status)) : json::value(nullptr);
}

json::array ResultsJson(const std::vector<ResidentResult>& results, bool with_tube) {
    json::array out;
    for (const ResidentResult& r : results) out.push_back(ResidentResultJson(r, with_tube));
    return out;
}

}  // namespace

json::value CtJson(const CtValues& ct) {
    if (ct.empty()) return nullptr;
    json::object o;
    if (ct.orf1ab) o["orf1ab"] = *ct.orf1ab;
    if (ct.n) o["n"] = *ct.n;
    return o;
}

json::object SummaryJson(const LoadSummary& s) {
    return {{"new", s.created}, {"unchanged", s.unchanged}, {"conflicts", s.conflicts}};
}

json::object ImportJson(const ResultImport& i) {
    json::array errors;
    for (const EntryError& e : i.errors) {
        errors.push_back(
            json::object{{"row", e.row}, {"column", e.field}, {"message", RowErrorText(e)}});
    }
    return {
        {"id", i.id},         {"filename", i.filename},      {"lab_id", i.lab_id},
        {"rows", i.rows},     {"errors", std::move(errors)}, {"summary", SummaryJson(i.summary)},
        {"status", i.status}, {"created_at", i.created_at}};
}

json::object ConflictJson(const Conflict& c, const std::string& lab_name) {
    return {
        {"id", c.id},
        {"tube_barcode", c.tube_barcode},
        {"round_id", c.round_id},
        {"community_id", c.community_id},
        {"recorded", json::object{{"result", OutcomeName(c.recorded)},
                                  {"reported_at", c.recorded_reported_at},
                                  {"ct", CtJson(c.recorded_ct)}}},
        {"incoming", json::object{{"result", OutcomeName(c.incoming)},
                                  {"reported_at", c.incoming_reported_at},
                                  {"ct", CtJson(c.incoming_ct)}}},
        {"lab", json::object{{"id", c.lab_id}, {"name", lab_name}}},
        {"created_at", c.created_at},
        {"status", c.open ? "open" : "resolved"},
        {"resolution", c.resolution.empty() ? json::value(nullptr) : json::value(c.resolution)},
        {"resolved_by", c.resolved_by.empty() ? json::value(nullptr) : json::value(c.resolved_by)},
        {"resolved_at", Time(c.resolved_at)},
        {"note", c.note}};
}

json::object ResidentResultJson(const ResidentResult& r, bool with_tube) {
    json::object o{{"round_name", r.round_name},
                   {"sampled_at", r.sampled_at},
                   {"result", r.result ? json::value(OutcomeName(*r.result)) : json::value()},
                   {"reported_at", r.result ? Time(r.reported_at) : json::value()},
                   {"turnaround_minutes",
                    r.turnaround_minutes ? json::value(*r.turnaround_minutes) : json::value()},
                   {"status", StatusJson(r.status)}};
    if (with_tube) {
        o["round_id"] = r.round_id;
        o["tube_barcode"] = r.tube_barcode;
        o["pool_size"] = r.pool_size;
    }
    return o;
}

json::object MemberJson(const MemberView& m) {
    return {{"resident_id", m.resident_id},
            {"name", m.name},
            {"building", m.building},
            {"room", m.room}};
}

json::object PoolJson(const Pool& p) {
    return {{"id", p.id},
            {"tube_barcode", p.tube_barcode},
            {"round_id", p.round_id},
            {"community_id", p.community_id},
            {"opened_at", p.opened_at},
            {"closed_at", Time(p.closed_at)},
            {"status", p.closed_at > 0 ? "closed" : "open"},
            {"members_total", p.members_total},
            {"pending", p.pending},
            {"cleared", p.cleared},
            {"cases", p.cases},
            {"retest_round_id",
             p.retest_round_id > 0 ? json::value(p.retest_round_id) : json::value()}};
}

json::object PoolDetailJson(const PoolDetail& d) {
    json::object out = PoolJson(d.pool);
    json::array members;
    for (const auto& [view, m] : d.members) {
        json::object o = MemberJson(view);
        o["status"] = MemberStatusName(m.status);
        o["retest"] =
            m.retest_tube_id > 0
                ? json::value(json::object{
                      {"tube_barcode", m.retest_barcode},
                      {"sampled_at", Time(m.retest_sampled_at)},
                      {"result", m.retest_result ? json::value(OutcomeName(*m.retest_result))
                                                 : json::value()},
                      {"reported_at", Time(m.retest_reported_at)}})
                : json::value();
        members.push_back(std::move(o));
    }
    out["members"] = std::move(members);
    json::array events;
    for (const PoolEvent& e : d.events) {
        boost::system::error_code ec;
        json::value evidence = json::parse(e.evidence, ec);
        events.push_back(json::object{{"at", e.at},
                                      {"action", e.action},
                                      {"by", e.actor},
                                      {"evidence", ec ? json::value(e.evidence) : evidence}});
    }
    out["events"] = std::move(events);
    return out;
}

json::object OwnPageJson(const OwnPage& page) {
    json::array household;
    for (const OwnPage::Member& m : page.household) {
        household.push_back(json::object{{"name", m.name},
                                         {"status", StatusJson(m.status)},
                                         {"results", ResultsJson(m.results, false)}});
    }
    return {{"resident", json::object{{"name", page.name},
                                      {"status", StatusJson(page.status)},
                                      {"results", ResultsJson(page.results, false)}}},
            {"household", std::move(household)}};
}

json::object OverviewJson(const LabOverview& o) {
    json::array boxes;
    for (const LabBox& b : o.boxes) {
        boxes.push_back(json::object{{"id", b.id},
                                     {"barcode", b.barcode},
                                     {"round_id", b.round_id},
                                     {"tubes_sent", b.tubes_sent},
                                     {"tubes_received", b.tubes_received},
                                     {"handed_over_at", Time(b.handed_over_at)},
                                     {"received_at", Time(b.received_at)}});
    }
    json::array days;
    for (const LabOverview::Day& d : o.by_day) {
        days.push_back(json::object{{"date", d.date},
                                    {"p50_minutes", d.p50_minutes},
                                    {"p90_minutes", d.p90_minutes},
                                    {"tubes", d.tubes}});
    }
    return {{"lab", json::object{{"id", o.lab_id}, {"name", o.lab_name}}},
            {"boxes", std::move(boxes)},
            {"pending_tubes", o.pending_tubes},
            {"results_today", o.results_today},
            {"turnaround", json::object{{"p50_minutes", o.p50_minutes},
                                        {"p90_minutes", o.p90_minutes},
                                        {"by_day", std::move(days)}}}};
}

}  // namespace bulwark::testing::results
