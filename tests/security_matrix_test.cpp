// The route registry matrix: every route the server declares, for every role, against an object
// in the role's scope, one outside it and an id that does not exist. The expected answer of
// each cell follows from the route's declared permission and the role's permissions; out of
// scope answers exactly as a missing id does. One server per driver, one session per role.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "tests/security_routes.hpp"
#include "tests/security_test_environment.hpp"

namespace bulwark::securitytest {
namespace {

using testsupport::HttpClient;
using testsupport::HttpResult;
namespace json = boost::json;

std::string ErrorCodeOf(const HttpResult& r) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
}

// One cell's answer, with what is needed to explain a failure.
struct Cell {
    std::string role;
    Variant variant;
    Call call;
    HttpResult result;
    std::string Describe() const {
        return call.method + " " + call.target + " as " + role + " (" + VariantName(variant) +
               "): " + std::to_string(result.status) + " " + result.body.substr(0, 300);
    }
};

class SecurityMatrixTest : public WorldTest {};

TEST_P(SecurityMatrixTest, EveryDeclaredRouteHasAnEntry) {
    std::string error;
    std::vector<DeclaredRoute> routes = DeclaredRoutes(world(), &error);
    ASSERT_FALSE(routes.empty()) << error;
    EXPECT_EQ(MissingEntries(routes), "");
    // Nothing is public but login, health, the residents' own page by code (issue 7) and (not a
    // route) the static files.
    std::set<std::string> public_routes;
    for (const DeclaredRoute& r : routes) {
        if (r.is_public) public_routes.insert(r.key());
        if (!r.is_public) {
            EXPECT_FALSE(r.permission.empty()) << r.key() << " declares no permission";
        }
    }
    EXPECT_EQ(public_routes,
              (std::set<std::string>{"POST /api/v1/auth/login", "GET /healthz",
                                     "GET /api/v1/public/codes/:token/results",
                                     "POST /api/v1/public/codes/:token/home-sampling"}));
}

TEST_P(SecurityMatrixTest, EveryRouteEveryRoleEveryScope) {
    std::string error;
    std::vector<DeclaredRoute> routes = DeclaredRoutes(world(), &error);
    ASSERT_FALSE(routes.empty()) << error;
    // Calls that end their session go last, each in a session of its own.
    std::stable_partition(routes.begin(), routes.end(), [](const DeclaredRoute& r) {
        const RouteCase* c = FindRouteCase(r.key());
        return c == nullptr || !c->ends_session;
    });

    std::set<std::string> denied_request_ids;
    std::set<std::string> failing_routes;
    int cells = 0;
    for (const DeclaredRoute& route : routes) {
        const RouteCase* c = FindRouteCase(route.key());
        if (c == nullptr) continue;  // EveryDeclaredRouteHasAnEntry names it
        for (const std::string& role : testsupport::SecurityRoles()) {
            const bool allowed =
                route.is_public || world().Permissions(role).count(route.permission) > 0;
            std::map<Variant, Cell> row;
            for (Variant v : {Variant::kIn, Variant::kOut, Variant::kMissing}) {
                // Without an object there is nothing to be out of scope: one call decides.
                if (v != Variant::kIn && !row.at(Variant::kIn).call.named_object) break;
                CallContext ctx(world(), role, v);
                Call call = BuildCall(route, *c, ctx);
                std::unique_ptr<HttpClient> own;
                if (c->ends_session) own = world().FreshSession(role);
                HttpClient& client = own ? *own : world().As(role);
                HttpResult r = client.Send(call.method, call.target, call.body, call.headers);
                ++cells;
                if (!allowed) denied_request_ids.insert(r.Header("x-request-id"));
                row.emplace(v, Cell{role, v, std::move(call), std::move(r)});
            }

            auto expect = [&](const Cell& cell, int status, const std::string& why) {
                if (cell.result.status == status) return;
                failing_routes.insert(route.key());
                ADD_FAILURE() << cell.Describe() << "\n  expected " << status << ": " << why;
            };
            const Cell& in = row.at(Variant::kIn);
            if (!allowed) {
                const bool names = NamesObjectInPath(route);
                for (const auto& [v, cell] : row) {
                    expect(cell, names ? 404 : 403,
                           "the role lacks " + route.permission +
                               (names ? ", and a denied object looks like a missing one"
                                      : ", and the route names no object"));
                    if (!names && ErrorCodeOf(cell.result) != "permission_denied") {
                        failing_routes.insert(route.key());
                        ADD_FAILURE() << cell.Describe() << "\n  expected code permission_denied";
                    }
                    if (cell.result.body != in.result.body) {
                        failing_routes.insert(route.key());
                        ADD_FAILURE() << "a denied role tells objects apart:\n  " << in.Describe()
                                      << "\n  " << cell.Describe();
                    }
                }
                continue;
            }
            auto special = c->ok_for.find(role);
            expect(in, special != c->ok_for.end() ? special->second : c->ok,
                   "the role holds " + (route.is_public ? "(public)" : route.permission) +
                       " and the object is in its scope (the entry's ok / ok_for)");
            if (row.size() < 3) continue;
            const Cell& out = row.at(Variant::kOut);
            const Cell& missing = row.at(Variant::kMissing);
            const int absent = NamesObjectInPath(route) ? 404 : c->missing;
            expect(missing, absent, "the id does not exist");
            expect(out, absent, "out of scope answers exactly as a missing id");
            if (out.result.body != missing.result.body) {
                failing_routes.insert(route.key());
                ADD_FAILURE() << "out of scope and missing id answer differently:\n  "
                              << out.Describe() << "\n  " << missing.Describe();
            }
        }
    }
    EXPECT_GT(cells, 100);
    std::string summary;
    for (const std::string& r : failing_routes) summary += "\n  " + r;
    EXPECT_TRUE(failing_routes.empty()) << "routes failing the matrix:" << summary;

    // Every denied request left its audit row.
    auto rows = world().Query("SELECT request_id FROM audit_log WHERE action = 'request.denied'");
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    std::set<std::string> audited;
    for (const db::Row& row : *rows) audited.insert(row.Text(0));
    int unaudited = 0;
    for (const std::string& id : denied_request_ids) unaudited += audited.count(id) ? 0 : 1;
    EXPECT_EQ(unaudited, 0) << "of " << denied_request_ids.size() << " denied requests";
}

INSTANTIATE_TEST_SUITE_P(Drivers, SecurityMatrixTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark::securitytest
