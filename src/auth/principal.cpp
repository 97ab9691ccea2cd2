#include "auth/principal.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace bulwark::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoleNames = {{
    {Role::kAdministrator, "administrator"},
    {Role::kStaff, "staff"},
    {Role::kGridWorker, "grid_worker"},
    {Role::kDataVerifier, "data_verifier"},
    {Role::kScanner, "scanner"},
    {Role::kLab, "lab"},
}};

constexpr std::array<std::pair<ScopeKind, std::string_view>, 5> kScopeKindNames = {{
    {ScopeKind::kStreet, "street"},
    {ScopeKind::kCommunity, "community"},
    {ScopeKind::kGrid, "grid"},
    {ScopeKind::kSite, "site"},
    {ScopeKind::kLab, "lab"},
}};

bool Gives(const Principal::GrantedPermissions& granted, std::string_view permission) {
    return std::binary_search(granted.permissions.begin(), granted.permissions.end(), permission,
                              [](std::string_view a, std::string_view b) { return a < b; });
}

}  // namespace

std::string_view RoleName(Role role) {
    for (const auto& [r, name] : kRoleNames) {
        if (r == role) return name;
    }
    return "unknown";
}

bool ParseRole(std::string_view name, Role* out) {
    for (const auto& [r, n] : kRoleNames) {
        if (n == name) {
            *out = r;
            return true;
        }
    }
    return false;
}

std::string_view ScopeKindName(ScopeKind kind) {
    for (const auto& [k, name] : kScopeKindNames) {
        if (k == kind) return name;
    }
    return "unknown";
}

bool ParseScopeKind(std::string_view name, ScopeKind* out) {
    for (const auto& [k, n] : kScopeKindNames) {
        if (n == name) {
            *out = k;
            return true;
        }
    }
    return false;
}

bool Principal::Can(std::string_view permission) const {
    return std::any_of(grants.begin(), grants.end(),
                       [&](const GrantedPermissions& g) { return Gives(g, permission); });
}

bool Principal::CanAt(std::string_view permission, const Placement& where) const {
    return std::any_of(grants.begin(), grants.end(), [&](const GrantedPermissions& g) {
        return Gives(g, permission) && Covers(g.grant.scope, where);
    });
}

std::vector<Scope> Principal::ScopesFor(std::string_view permission) const {
    std::vector<Scope> scopes;
    for (const GrantedPermissions& g : grants) {
        if (Gives(g, permission) &&
            std::find(scopes.begin(), scopes.end(), g.grant.scope) == scopes.end()) {
            scopes.push_back(g.grant.scope);
        }
    }
    return scopes;
}

bool Covers(const Scope& scope, const Placement& where) {
    // An id of 0 means "not applicable" on both sides, so it never matches.
    if (scope.id == 0) return false;
    switch (scope.kind) {
        case ScopeKind::kStreet:
            return where.street_id == scope.id;
        case ScopeKind::kCommunity:
            return where.community_id == scope.id;
        case ScopeKind::kGrid:
            return where.grid_id == scope.id;
        case ScopeKind::kSite:
            return where.site_id == scope.id;
        case ScopeKind::kLab:
            return where.lab_id == scope.id;
    }
    return false;
}

}  // namespace bulwark::auth
