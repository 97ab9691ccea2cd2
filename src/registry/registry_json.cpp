#include "registry/registry_json.hpp"

#include <boost/json.hpp>

namespace bulwark::registry {
namespace {

namespace json = boost::json;

Status OptionalString(const json::object& o, const char* name, std::optional<std::string>* out) {
    const json::value* v = o.if_contains(name);
    if (!v) return Ok();
    if (v->is_null()) {
        *out = std::string();
        return Ok();
    }
    if (v->is_string()) {
        *out = std::string(v->as_string());
        return Ok();
    }
    // Spreadsheets and forms send numbers for rooms and phones; keep them as typed.
    if (v->is_int64()) {
        *out = std::to_string(v->as_int64());
        return Ok();
    }
    return InvalidArgument(std::string(name) + " 应为字符串", name);
}

}  // namespace

json::object ResidentJson(const MaskedResident& m) {
    const Resident& r = m.detail.resident;
    json::array tag_names;
    for (const std::string& t : TagNames(m.tags)) tag_names.emplace_back(t);
    return {{"id", r.id},
            {"household_id", r.household_id},
            {"building_id", r.building_id},
            {"grid_id", r.grid_id},
            {"community_id", r.community_id},
            {"street_id", r.street_id},
            {"street", m.detail.street},
            {"community", m.detail.community},
            {"grid", m.detail.grid},
            {"building", m.detail.building},
            {"unit", m.detail.unit},
            {"room", m.detail.room},
            {"name", r.name},
            {"name_initials", r.name_initials},
            {"doc_type", DocTypeName(r.doc_type)},
            {"doc_number", m.doc_number_masked},
            {"phone", m.phone_masked},
            {"sex", SexName(r.sex)},
            {"birth_date", FormatDate(r.birth_date)},
            {"age", m.age},
            {"residency", ResidencyName(r.residency)},
            {"presence", PresenceName(r.presence)},
            {"tags", std::move(tag_names)},
            {"notes", r.notes},
            {"code_issued_at", r.code_issued_at},
            {"created_at", r.created_at},
            {"updated_at", r.updated_at},
            {"version", r.version}};
}

json::object StreetJson(const Street& s) {
    return {{"id", s.id}, {"name", s.name}, {"district", s.district}};
}
json::object CommunityJson(const Community& c) {
    return {{"id", c.id}, {"street_id", c.street_id}, {"name", c.name}};
}
json::object GridJson(const Grid& g) {
    return {{"id", g.id}, {"community_id", g.community_id}, {"name", g.name}};
}
json::object BuildingJson(const Building& b) {
    return {{"id", b.id},           {"street_id", b.street_id}, {"community_id", b.community_id},
            {"grid_id", b.grid_id}, {"name", b.name},           {"floors", b.floors}};
}

json::object PlaceTreeJson(const PlaceTree& tree) {
    json::array streets;
    for (const auto& st : tree.streets) {
        json::array communities;
        int64_t street_residents = 0;
        for (const auto& c : st.communities) {
            json::array grids;
            int64_t community_residents = 0;
            for (const auto& g : c.grids) {
                json::array buildings;
                int64_t grid_residents = 0;
                for (const auto& b : g.buildings) {
                    json::object o = BuildingJson(b.building);
                    o["residents"] = b.residents;
                    o["households"] = b.households;
                    grid_residents += b.residents;
                    buildings.push_back(std::move(o));
                }
                json::object o = GridJson(g.grid);
                o["residents"] = grid_residents;
                o["buildings"] = std::move(buildings);
                community_residents += grid_residents;
                grids.push_back(std::move(o));
            }
            json::object o = CommunityJson(c.community);
            o["residents"] = community_residents;
            o["grids"] = std::move(grids);
            street_residents += community_residents;
            communities.push_back(std::move(o));
        }
        json::object o = StreetJson(st.street);
        o["residents"] = street_residents;
        o["communities"] = std::move(communities);
        streets.push_back(std::move(o));
    }
    return {{"streets", std::move(streets)}};
}

json::object ScannerViewJson(const ScannerResidentView& v) {
    return {{"id", v.resident_id},
            {"name", v.masked_name},
            {"building", v.building},
            {"room", v.room},
            {"moved_out", v.moved_out}};
}

Result<ResidentInput> ParseResidentInput(const json::object& o) {
    ResidentInput in;
    if (const json::value* v = o.if_contains("building_id")) {
        if (!v->is_int64()) return InvalidArgument("building_id 应为整数", "building_id");
        in.building_id = v->as_int64();
    }
    RETURN_IF_ERROR(OptionalString(o, "unit", &in.unit));
    RETURN_IF_ERROR(OptionalString(o, "room", &in.room));
    RETURN_IF_ERROR(OptionalString(o, "name", &in.name));
    RETURN_IF_ERROR(OptionalString(o, "doc_type", &in.doc_type));
    RETURN_IF_ERROR(OptionalString(o, "doc_number", &in.doc_number));
    RETURN_IF_ERROR(OptionalString(o, "phone", &in.phone));
    RETURN_IF_ERROR(OptionalString(o, "sex", &in.sex));
    RETURN_IF_ERROR(OptionalString(o, "birth_date", &in.birth_date));
    RETURN_IF_ERROR(OptionalString(o, "residency", &in.residency));
    RETURN_IF_ERROR(OptionalString(o, "presence", &in.presence));
    RETURN_IF_ERROR(OptionalString(o, "notes", &in.notes));
    if (const json::value* v = o.if_contains("tags")) {
        if (!v->is_array()) return InvalidArgument("tags 应为字符串数组", "tags");
        std::vector<std::string> tags;
        for (const json::value& t : v->as_array()) {
            if (!t.is_string()) return InvalidArgument("tags 应为字符串数组", "tags");
            tags.emplace_back(t.as_string());
        }
        in.tags = std::move(tags);
    }
    return in;
}

}  // namespace bulwark::registry
