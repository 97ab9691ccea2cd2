#include "testing/site_service.hpp"

#include "auth/audit_log.hpp"
#include "registry/resident_input.hpp"
#include "testing/site_store.hpp"

namespace bulwark::testing {
namespace {

constexpr const char* kRead = "sites.read";
constexpr const char* kWrite = "sites.write";

Error Missing() { return NotFound("未找到"); }

SiteFilter FilterFor(const std::vector<auth::Scope>& scopes) {
    SiteFilter f;
    for (const auth::Scope& s : scopes) {
        switch (s.kind) {
            case auth::ScopeKind::kStreet:
                f.streets.push_back(s.id);
                break;
            case auth::ScopeKind::kCommunity:
                f.communities.push_back(s.id);
                break;
            case auth::ScopeKind::kSite:
                f.sites.push_back(s.id);
                break;
            case auth::ScopeKind::kGrid:
            case auth::ScopeKind::kLab:
                break;
        }
    }
    return f;
}

// Applies the given fields of `in` to `site`, cleaning names.
Status Apply(const SiteInput& in, Site* site) {
    if (in.name) {
        ASSIGN_OR_RETURN(site->name, registry::CleanLabel(*in.name, "name", "采样点名称", 50));
    }
    if (in.address) {
        ASSIGN_OR_RETURN(site->address,
                         registry::CleanLabel(*in.address, "address", "地址", 200, false));
    }
    if (in.hours) {
        RETURN_IF_ERROR(ValidateHours(*in.hours));
        site->hours = *in.hours;
    }
    if (in.tables) {
        std::vector<SiteTable> tables = *in.tables;
        for (SiteTable& t : tables) {
            auto name = registry::CleanLabel(t.name, "tables", "采样台名称", 50);
            if (!name.ok()) return InvalidArgument("采样台名称不能为空", "tables");
            t.name = *name;
        }
        RETURN_IF_ERROR(ValidateTables(tables));
        site->tables = std::move(tables);
    }
    if (site->name.empty()) return InvalidArgument("缺少字段 name", "name");
    if (site->tables.empty()) return InvalidArgument("采样点至少要有一个采样台", "tables");
    return Ok();
}

Status Audit(db::Session& s, const auth::Principal& who, const char* action, int64_t site_id,
             int64_t now) {
    auth::AuditEntry e = auth::AuditLog::For(who, action);
    e.subject_kind = "site";
    e.subject_id = site_id;
    e.at = now;
    return auth::AuditLog::Append(s, e);
}

}  // namespace

SiteService::SiteService(db::Database& db, Clock& clock,
                         std::shared_ptr<registry::SamplingAccess> access)
    : db_(db), clock_(clock), access_(std::move(access)) {}

Result<std::vector<Lab>> SiteService::ListLabs(const auth::Principal&) {
    return db_.ReadValue([](db::Session& s) { return SiteStore::ListLabs(s); });
}

Result<Lab> SiteService::CreateLab(const auth::Principal& who, const std::string& raw_name) {
    if (!who.Can("labs.write")) return PermissionDenied("没有执行此操作的权限");
    ASSIGN_OR_RETURN(std::string name, registry::CleanLabel(raw_name, "name", "检测机构名称", 50));
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<Lab> {
        ASSIGN_OR_RETURN(auto lab, SiteStore::InsertLab(s, name, now));
        if (!lab) return AlreadyExists("已有同名检测机构", "name");
        auth::AuditEntry e = auth::AuditLog::For(who, "lab.create");
        e.subject_kind = "lab";
        e.subject_id = lab->id;
        e.at = now;
        RETURN_IF_ERROR(auth::AuditLog::Append(s, e));
        return *lab;
    });
}

Result<std::vector<Site>> SiteService::ListSites(const auth::Principal& who, int64_t community_id) {
    SiteFilter f = FilterFor(who.ScopesFor(kRead));
    f.community_id = community_id;
    return db_.ReadValue([&](db::Session& s) { return SiteStore::ListSites(s, f); });
}

Result<Site> SiteService::GetSite(const auth::Principal& who, int64_t id) {
    ASSIGN_OR_RETURN(auto site,
                     db_.ReadValue([&](db::Session& s) { return SiteStore::GetSite(s, id); }));
    if (!site || !who.CanAt(kRead, site->placement())) return Missing();
    return std::move(*site);
}

Result<Site> SiteService::CreateSite(const auth::Principal& who, const SiteInput& input) {
    if (!input.community_id) return InvalidArgument("缺少字段 community_id", "community_id");
    Site site;
    RETURN_IF_ERROR(Apply(input, &site));
    const int64_t now = clock_.NowMillis();
    site.created_at = site.updated_at = now;
    return db_.WriteValue([&](db::Session& s) -> Result<Site> {
        ASSIGN_OR_RETURN(auto placement, access_->CommunityPlacement(s, *input.community_id));
        if (!placement || !who.CanAt(kWrite, *placement)) {
            return Error(ErrorCode::kNotFound, "社区未找到", "community_id");
        }
        site.street_id = placement->street_id;
        site.community_id = placement->community_id;
        for (SiteTable& t : site.tables) t.id = 0;
        ASSIGN_OR_RETURN(auto id, SiteStore::InsertSite(s, site));
        if (!id) return AlreadyExists("本社区已有同名采样点", "name");
        RETURN_IF_ERROR(Audit(s, who, "site.create", *id, now));
        ASSIGN_OR_RETURN(auto stored, SiteStore::GetSite(s, *id));
        if (!stored) return Internal("sampling_sites: new row vanished");
        return std::move(*stored);
    });
}

Result<Site> SiteService::UpdateSite(const auth::Principal& who, int64_t id, int64_t version,
                                     const SiteInput& input) {
    const int64_t now = clock_.NowMillis();
    return db_.WriteValue([&](db::Session& s) -> Result<Site> {
        ASSIGN_OR_RETURN(auto current, SiteStore::GetSite(s, id));
        if (!current || !who.CanAt(kRead, current->placement())) return Missing();
        if (!who.CanAt(kWrite, current->placement())) {
            return PermissionDenied("无权修改该采样点");
        }
        if (input.community_id && *input.community_id != current->community_id) {
            return InvalidArgument("采样点不能改到另一个社区", "community_id");
        }
        if (current->version != version) {
            return FailedPrecondition("该采样点已被他人修改, 请刷新后重试", "version");
        }
        Site site = *current;
        RETURN_IF_ERROR(Apply(input, &site));
        for (const SiteTable& t : site.tables) {
            if (t.id != 0 && current->FindTable(t.id) == nullptr) {
                return InvalidArgument("采样台不属于该采样点", "tables");
            }
        }
        if (site.name != current->name) {
            ASSIGN_OR_RETURN(auto other, SiteStore::SiteNamed(s, site.community_id, site.name));
            if (other && *other != id) return AlreadyExists("本社区已有同名采样点", "name");
        }
        site.updated_at = now;
        ASSIGN_OR_RETURN(bool updated, SiteStore::UpdateSite(s, site, version));
        if (!updated) return FailedPrecondition("该采样点已被他人修改, 请刷新后重试", "version");
        RETURN_IF_ERROR(Audit(s, who, "site.update", id, now));
        ASSIGN_OR_RETURN(auto stored, SiteStore::GetSite(s, id));
        if (!stored) return Internal("sampling_sites: updated row vanished");
        return std::move(*stored);
    });
}

}  // namespace bulwark::testing
