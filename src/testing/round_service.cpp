#include "testing/round_service.hpp"

#include <algorithm>

#include "auth/audit_log.hpp"
#include "registry/model.hpp"
#include "registry/resident_input.hpp"
#include "registry/scope_directory.hpp"
#include "testing/round_store.hpp"
#include "testing/site_store.hpp"

namespace bulwark::testing {
namespace {

constexpr const char* kRead = "rounds.read";
constexpr const char* kWrite = "rounds.write";
// The longest list of people one round may name.
constexpr size_t kMaxScopeIds = 20000;

Error Missing() { return NotFound("未找到"); }

void SortUnique(std::vector<int64_t>* ids) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
}

// Applies the given fields of `in` to `r` and checks the whole.
Status Apply(const RoundInput& in, Round* r) {
    if (in.name) {
        ASSIGN_OR_RETURN(r->name, registry::CleanLabel(*in.name, "name", "轮次名称", 50));
    }
    if (in.kind && !ParseRoundKind(*in.kind, &r->kind)) {
        return InvalidArgument("kind 应为 whole、key_groups 或 follow_up", "kind");
    }
    if (in.scope_kind && !ParseRoundScopeKind(*in.scope_kind, &r->scope_kind)) {
        return InvalidArgument("scope.kind 应为 community、grids、buildings 或 people", "scope");
    }
    if (in.scope_ids) r->scope_ids = *in.scope_ids;
    if (in.scope_kind && *in.scope_kind == "community" && !in.scope_ids) r->scope_ids.clear();
    if (in.starts_at) r->starts_at = *in.starts_at;
    if (in.ends_at) r->ends_at = *in.ends_at;
    if (in.pool_size) {
        if (!IsValidPoolSize(*in.pool_size)) {
            return InvalidArgument("混采人数应为 1、5、10 或 20", "pool_size");
        }
        r->pool_size = static_cast<int>(*in.pool_size);
    }
    if (in.single_tube_tags) {
        uint32_t mask = 0;
        for (const std::string& name : *in.single_tube_tags) {
            uint32_t bit = registry::TagBit(name);
            if (bit == 0) return InvalidArgument("未知标签 " + name, "single_tube_tags");
            mask |= bit;
        }
        r->single_tube_tags = mask;
    }
    if (in.single_tube_control_areas) r->single_tube_control_areas = *in.single_tube_control_areas;
    if (in.site_ids) r->site_ids = *in.site_ids;
    SortUnique(&r->scope_ids);
    SortUnique(&r->site_ids);
    if (r->scope_ids.size() > kMaxScopeIds) {
        return InvalidArgument("检测范围最多 20000 项", "scope");
    }
    return ValidateRound(*r);
}

// Checks that the round's scope ids and sites belong to its community.
Status CheckPlaces(db::Session& s, const registry::SamplingAccess& access, const Round& r) {
    for (int64_t site_id : r.site_ids) {
        ASSIGN_OR_RETURN(auto site, SiteStore::GetSite(s, site_id));
        if (!site || site->community_id != r.community_id) {
            return InvalidArgument("采样点 " + std::to_string(site_id) + " 不属于本社区",
                                   "site_ids");
        }
    }
    auto all_in = [&](const std::vector<int64_t>& known) {
        return std::all_of(r.scope_ids.begin(), r.scope_ids.end(), [&](int64_t id) {
            return std::find(known.begin(), known.end(), id) != known.end();
        });
    };
    switch (r.scope_kind) {
        case RoundScopeKind::kCommunity:
            return Ok();
        case RoundScopeKind::kGrids: {
            ASSIGN_OR_RETURN(auto grids, access.GridsOf(s, r.community_id));
            std::vector<int64_t> ids;
            for (const auto& g : grids) ids.push_back(g.id);
            if (!all_in(ids)) return InvalidArgument("有网格不属于本社区", "scope");
            return Ok();
        }
        case RoundScopeKind::kBuildings: {
            ASSIGN_OR_RETURN(auto buildings, access.BuildingsOf(s, r.community_id));
            std::vector<int64_t> ids;
            for (const auto& b : buildings) ids.push_back(b.id);
            if (!all_in(ids)) return InvalidArgument("有楼栋不属于本社区", "scope");
            return Ok();
        }
        case RoundScopeKind::kPeople: {
            ASSIGN_OR_RETURN(auto strangers, access.NotResidentsOf(s, r.community_id, r.scope_ids));
            if (!strangers.empty()) {
                return InvalidArgument(
                    "居民 " + std::to_string(strangers.front()) + " 不属于本社区", "scope");
            }
            return Ok();
        }
    }
    return Ok();
}

Status Audit(db::Session& s, const auth::Principal& who, const char* action, int64_t round_id,
             int64_t now) {
    auth::AuditEntry e = auth::AuditLog::For(who, action);
    e.subject_kind = "round";
    e.subject_id = round_id;
    e.at = now;
    return auth::AuditLog::Append(s, e);
}

RoundFilter FilterFor(const std::vector<auth::Scope>& scopes) {
    RoundFilter f;
    for (const auth::Scope& s : scopes) {
        if (s.kind == auth::ScopeKind::kStreet) f.streets.push_back(s.id);
        if (s.kind == auth::ScopeKind::kCommunity) f.communities.push_back(s.id);
        if (s.kind == auth::ScopeKind::kSite) f.sites.push_back(s.id);
    }
    return f;
}

}  // namespace

RoundService::RoundService(db::Database& db, Clock& clock,
                           std::shared_ptr<registry::SamplingAccess> access)
    : db_(db), clock_(clock), access_(std::move(access)) {}

Result<bool> RoundService::Readable(db::Session& s, const auth::Principal& who,
                                    const Round& round) const {
    if (RoundCovers(who, kRead, round)) return true;
    // A grant over a grid reads the rounds of the grid's community: the grid worker follows up
    // the people of their grid that a round missed.
    std::vector<int64_t> grids;
    for (const auth::Scope& scope : who.ScopesFor(kRead)) {
        if (scope.kind == auth::ScopeKind::kGrid) grids.push_back(scope.id);
    }
    if (grids.empty()) return false;
    ASSIGN_OR_RETURN(std::vector<registry::Grid> community_grids,
                     access_->GridsOf(s, round.community_id));
    return std::any_of(community_grids.begin(), community_grids.end(),
                       [&](const registry::Grid& g) {
                           return std::find(grids.begin(), grids.end(), g.id) != grids.end();
                       });
}

Result<RoundView> RoundService::ViewIn(db::Session& s, const Round& round) const {
    ASSIGN_OR_RETURN(auto counts, RoundStore::SampleCounts(s, {round.id}));
    return RoundView{.round = round,
                     .status = StatusAt(round, clock_.NowMillis()),
                     .sample_count = counts[round.id]};
}

Result<std::vector<RoundView>> RoundService::List(const auth::Principal& who, int64_t community_id,
                                                  std::optional<RoundStatus> status) {
    RoundFilter f = FilterFor(who.ScopesFor(kRead));
    f.community_id = community_id;
    const int64_t now = clock_.NowMillis();
    return db_.ReadValue([&](db::Session& s) -> Result<std::vector<RoundView>> {
        // A grant over a grid lists the rounds of the grid's community, as Readable() reads
        // them one by one.
        const registry::RegistryScopeDirectory places;
        for (const auth::Scope& scope : who.ScopesFor(kRead)) {
            if (scope.kind != auth::ScopeKind::kGrid) continue;
            ASSIGN_OR_RETURN(auth::Placement at, places.PlacementOf(s, scope));
            if (at.community_id != 0) f.communities.push_back(at.community_id);
        }
        ASSIGN_OR_RETURN(std::vector<Round> rounds, RoundStore::List(s, f));
        std::vector<int64_t> ids;
        for (const Round& r : rounds) ids.push_back(r.id);
        ASSIGN_OR_RETURN(auto counts, RoundStore::SampleCounts(s, ids));
        std::vector<RoundView> out;
        for (Round& r : rounds) {
            RoundStatus st = StatusAt(r, now);
            if (status && st != *status) continue;
            const int64_t samples = counts[r.id];
            out.push_back(RoundView{.round = std::move(r), .status = st, .sample_count = samples});
        }
        return out;
    });
}

Result<RoundView> RoundService::Get(const auth::Principal& who, int64_t id) {
    return db_.ReadValue([&](db::Session& s) -> Result<RoundView> {
        ASSIGN_OR_RETURN(auto round, RoundStore::Get(s, id));
        if (!round) return Missing();
        ASSIGN_OR_RETURN(bool readable, Readable(s, who, *round));
        if (!readable) return Missing();
        return ViewIn(s, *round);
    });
}

Result<RoundView> RoundService::Insert(const auth::Principal& who, Round r, const char* action) {
    return db_.WriteValue(
        [&](db::Session& s) -> Result<RoundView> { return InsertIn(s, who, r, action); });
}

Result<RoundView> RoundService::InsertIn(db::Session& s, const auth::Principal& who, Round r,
                                         const char* action) {
    const int64_t now = clock_.NowMillis();
    r.created_by = who.user_id;
    r.created_at = r.updated_at = now;
    r.version = 1;
    ASSIGN_OR_RETURN(auto placement, access_->CommunityPlacement(s, r.community_id));
    if (!placement || !who.CanAt(kWrite, *placement)) {
        return Error(ErrorCode::kNotFound, "社区未找到", "community_id");
    }
    r.street_id = placement->street_id;
    RETURN_IF_ERROR(CheckPlaces(s, *access_, r));
    ASSIGN_OR_RETURN(r.id, RoundStore::Insert(s, r));
    RETURN_IF_ERROR(Audit(s, who, action, r.id, now));
    return ViewIn(s, r);
}

Result<RoundView> RoundService::CreateIn(db::Session& s, const auth::Principal& who,
                                         const RoundInput& input) {
    if (!input.community_id) return InvalidArgument("缺少字段 community_id", "community_id");
    Round r;
    r.community_id = *input.community_id;
    RETURN_IF_ERROR(Apply(input, &r));
    return InsertIn(s, who, std::move(r), "round.create");
}

Result<RoundView> RoundService::Create(const auth::Principal& who, const RoundInput& input) {
    if (!input.community_id) return InvalidArgument("缺少字段 community_id", "community_id");
    Round r;
    r.community_id = *input.community_id;
    RETURN_IF_ERROR(Apply(input, &r));
    return Insert(who, std::move(r), "round.create");
}

Result<RoundView> RoundService::Copy(const auth::Principal& who, int64_t id,
                                     const std::string& name, int64_t starts_at, int64_t ends_at) {
    ASSIGN_OR_RETURN(auto source,
                     db_.ReadValue([&](db::Session& s) { return RoundStore::Get(s, id); }));
    if (!source || !RoundCovers(who, kRead, *source)) return Missing();
    Round r = *source;
    r.closed_at = 0;
    RETURN_IF_ERROR(Apply({.name = name, .starts_at = starts_at, .ends_at = ends_at}, &r));
    return Insert(who, std::move(r), "round.copy");
}

Result<RoundView> RoundService::Update(const auth::Principal& who, int64_t id, int64_t version,
                                       const RoundInput& input) {
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<RoundView> {
        ASSIGN_OR_RETURN(auto current, RoundStore::Get(s, id));
        if (!current || !RoundCovers(who, kRead, *current)) return Missing();
        if (!who.CanAt(kWrite, current->placement())) return PermissionDenied("无权修改该轮次");
        if (input.community_id && *input.community_id != current->community_id) {
            return InvalidArgument("轮次不能改到另一个社区", "community_id");
        }
        if (current->version != version) {
            return FailedPrecondition("该轮次已被他人修改, 请刷新后重试", "version");
        }
        Round r = *current;
        RETURN_IF_ERROR(Apply(input, &r));
        RETURN_IF_ERROR(CheckPlaces(s, *access_, r));
        r.updated_at = now;
        ASSIGN_OR_RETURN(bool updated, RoundStore::Update(s, r, version));
        if (!updated) return FailedPrecondition("该轮次已被他人修改, 请刷新后重试", "version");
        r.version = version + 1;
        RETURN_IF_ERROR(Audit(s, who, "round.update", id, now));
        return ViewIn(s, r);
    });
}

Result<RoundView> RoundService::Close(const auth::Principal& who, int64_t id) {
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<RoundView> {
        ASSIGN_OR_RETURN(auto current, RoundStore::Get(s, id));
        if (!current || !RoundCovers(who, kRead, *current)) return Missing();
        if (!who.CanAt(kWrite, current->placement())) return PermissionDenied("无权结束该轮次");
        ASSIGN_OR_RETURN(bool closed, RoundStore::Close(s, id, now));
        if (closed) RETURN_IF_ERROR(Audit(s, who, "round.close", id, now));
        ASSIGN_OR_RETURN(auto stored, RoundStore::Get(s, id));
        if (!stored) return Internal("rounds: closed row vanished");
        return ViewIn(s, *stored);
    });
}

}  // namespace bulwark::testing
