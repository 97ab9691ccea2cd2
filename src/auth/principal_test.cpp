#include "auth/principal.hpp"

#include <gtest/gtest.h>

namespace bulwark::auth {
namespace {

Principal::GrantedPermissions Granted(Role role, ScopeKind kind, int64_t id,
                                      std::vector<std::string> permissions) {
    std::sort(permissions.begin(), permissions.end());
    return {.grant = {.role = role, .scope = {.kind = kind, .id = id}},
            .permissions = std::move(permissions)};
}

TEST(PrincipalTest, NamesRoundTrip) {
    for (Role r : {Role::kAdministrator, Role::kStaff, Role::kGridWorker, Role::kDataVerifier,
                   Role::kScanner, Role::kLab}) {
        Role parsed{};
        ASSERT_TRUE(ParseRole(RoleName(r), &parsed)) << RoleName(r);
        EXPECT_EQ(parsed, r);
    }
    for (ScopeKind k : {ScopeKind::kStreet, ScopeKind::kCommunity, ScopeKind::kGrid,
                        ScopeKind::kSite, ScopeKind::kLab}) {
        ScopeKind parsed{};
        ASSERT_TRUE(ParseScopeKind(ScopeKindName(k), &parsed));
        EXPECT_EQ(parsed, k);
    }
    Role r{};
    EXPECT_FALSE(ParseRole("root", &r));
    EXPECT_FALSE(ParseRole("", &r));
    ScopeKind k{};
    EXPECT_FALSE(ParseScopeKind("city", &k));
    EXPECT_EQ(RoleName(Role::kGridWorker), "grid_worker");
    EXPECT_EQ(RoleName(Role::kDataVerifier), "data_verifier");
}

// Every scope kind against a placement that is inside, outside (other id), and not applicable.
TEST(PrincipalTest, CoversMatrix) {
    const Placement resident{.street_id = 1, .community_id = 10, .grid_id = 100};
    const Placement sample{.street_id = 1, .community_id = 10, .grid_id = 100, .site_id = 7};
    const Placement tube{.lab_id = 3};
    struct Case {
        Scope scope;
        Placement where;
        bool covers;
    };
    const Case cases[] = {
        {{ScopeKind::kStreet, 1}, resident, true},
        {{ScopeKind::kStreet, 2}, resident, false},
        {{ScopeKind::kStreet, 1}, tube, false},
        {{ScopeKind::kCommunity, 10}, resident, true},
        {{ScopeKind::kCommunity, 11}, resident, false},
        {{ScopeKind::kCommunity, 10}, tube, false},
        {{ScopeKind::kGrid, 100}, resident, true},
        {{ScopeKind::kGrid, 101}, resident, false},
        {{ScopeKind::kGrid, 100}, tube, false},
        {{ScopeKind::kSite, 7}, sample, true},
        {{ScopeKind::kSite, 8}, sample, false},
        {{ScopeKind::kSite, 7}, resident, false},
        {{ScopeKind::kLab, 3}, tube, true},
        {{ScopeKind::kLab, 4}, tube, false},
        {{ScopeKind::kLab, 3}, resident, false},
        // A zero id never matches a "not applicable" zero.
        {{ScopeKind::kSite, 0}, resident, false},
        {{ScopeKind::kLab, 0}, resident, false},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(Covers(c.scope, c.where), c.covers)
            << ScopeKindName(c.scope.kind) << ":" << c.scope.id;
    }
}

TEST(PrincipalTest, CanAtNeedsPermissionAndScopeFromTheSameGrant) {
    Principal who;
    who.grants.push_back(Granted(Role::kGridWorker, ScopeKind::kGrid, 100, {"residents.read"}));
    who.grants.push_back(
        Granted(Role::kScanner, ScopeKind::kSite, 7, {"sampling.scan", "account.self"}));
    const Placement in_grid{.street_id = 1, .community_id = 10, .grid_id = 100, .site_id = 9};
    const Placement other_grid{.street_id = 1, .community_id = 10, .grid_id = 101, .site_id = 7};

    EXPECT_TRUE(who.Can("residents.read"));
    EXPECT_TRUE(who.Can("sampling.scan"));
    EXPECT_FALSE(who.Can("residents.write"));
    EXPECT_FALSE(who.Can(""));

    EXPECT_TRUE(who.CanAt("residents.read", in_grid));
    EXPECT_FALSE(who.CanAt("residents.read", other_grid));
    // Scanning is granted at site 7 only: a placement in grid 100 but site 9 is not covered,
    // and the grid grant does not lend its scope to the scanner's permission.
    EXPECT_FALSE(who.CanAt("sampling.scan", in_grid));
    EXPECT_TRUE(who.CanAt("sampling.scan", other_grid));
    EXPECT_FALSE(who.CanAt("residents.write", in_grid));

    auto scopes = who.ScopesFor("residents.read");
    ASSERT_EQ(scopes.size(), 1u);
    EXPECT_EQ(scopes[0], (Scope{ScopeKind::kGrid, 100}));
    EXPECT_TRUE(who.ScopesFor("users.manage").empty());
    ASSERT_NE(who.PrimaryGrant(), nullptr);
    EXPECT_EQ(who.PrimaryGrant()->role, Role::kGridWorker);
}

TEST(PrincipalTest, StreetCoversItsCommunitiesAndGrids) {
    Principal who;
    who.grants.push_back(Granted(Role::kAdministrator, ScopeKind::kStreet, 1, {"users.manage"}));
    EXPECT_TRUE(who.CanAt("users.manage", {.street_id = 1, .community_id = 10}));
    EXPECT_TRUE(who.CanAt("users.manage", {.street_id = 1, .community_id = 10, .grid_id = 100}));
    EXPECT_FALSE(who.CanAt("users.manage", {.street_id = 2, .community_id = 20}));
    EXPECT_FALSE(who.CanAt("users.manage", {.community_id = 10}));  // placement unknown above
}

TEST(PrincipalTest, NobodyCanDoAnything) {
    Principal nobody;
    EXPECT_FALSE(nobody.Can("account.self"));
    EXPECT_FALSE(nobody.CanAt("account.self", {.street_id = 1}));
    EXPECT_TRUE(nobody.ScopesFor("account.self").empty());
    EXPECT_EQ(nobody.PrimaryGrant(), nullptr);
}

}  // namespace
}  // namespace bulwark::auth
