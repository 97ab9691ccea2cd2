#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulwark::auth {

// The kinds of place a role can be granted over. A street covers its communities, a community
// its grids; a site and a lab stand alone.
enum class ScopeKind { kStreet, kCommunity, kGrid, kSite, kLab };

// The roles of the platform (residents come in through their own codes, not accounts).
enum class Role {
    kAdministrator,  // street or community leadership: everything in scope, users, audit
    kStaff,          // community worker: registry, rounds, sites, follow-up in scope
    kGridWorker,     // their grids' residents and missed lists
    kDataVerifier,   // follow-up and verification in scope
    kScanner,        // their site: scanning only, masked names
    kLab,            // tubes sent to their lab, results
};

std::string_view RoleName(Role role);  // "administrator", "staff", "grid_worker", ...
bool ParseRole(std::string_view name, Role* out);
std::string_view ScopeKindName(ScopeKind kind);  // "street", "community", "grid", "site", "lab"
bool ParseScopeKind(std::string_view name, ScopeKind* out);

struct Scope {
    ScopeKind kind = ScopeKind::kCommunity;
    int64_t id = 0;
    bool operator==(const Scope&) const = default;
};

struct Grant {
    Role role = Role::kStaff;
    Scope scope;
};

// Where a thing sits, for scope checks: every level it belongs to (0 = not applicable). A
// resident has street, community and grid; a sample also its site; a tube its lab.
struct Placement {
    int64_t street_id = 0;
    int64_t community_id = 0;
    int64_t grid_id = 0;
    int64_t site_id = 0;
    int64_t lab_id = 0;
};

// Who is asking: the signed-in user, their grants and the permissions those grants give
// (resolved once at session load from the role_permissions table). A plain value, copied into
// the request context by the guard; immutable afterwards, so thread-safe to read.
struct Principal {
    int64_t user_id = 0;
    std::string username;
    std::string display_name;
    std::string session_id;  // internal id of the session row (never the token)
    std::string client_address;
    std::string request_id;
    struct GrantedPermissions {
        Grant grant;
        std::vector<std::string> permissions;  // sorted
    };
    std::vector<GrantedPermissions> grants;

    // True if any grant gives `permission`, anywhere.
    bool Can(std::string_view permission) const;
    // True if a grant that gives `permission` covers `where`.
    bool CanAt(std::string_view permission, const Placement& where) const;
    // The scopes over which `permission` is granted (for list queries: filter rows to these).
    std::vector<Scope> ScopesFor(std::string_view permission) const;
    // The first role (for the audit row's "role" column), and its scope.
    const Grant* PrimaryGrant() const { return grants.empty() ? nullptr : &grants.front().grant; }
};

// Whether a grant's scope covers a placement: street ⊇ community ⊇ grid; site and lab by id.
bool Covers(const Scope& scope, const Placement& where);

}  // namespace bulwark::auth
