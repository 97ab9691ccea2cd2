#include <iostream>

#include <boost/json.hpp>

#include "app/commands.hpp"
#include "app/modules.hpp"
#include "http/router.hpp"

namespace bulwark::app {
namespace {

// Prints every route's declaration, for reviews and for tests that walk the whole registry.
int RunRoutes(const CommonOptions& common, bool as_json) {
    auto ctx = OpenApp(common, 1);
    if (!ctx.ok()) {
        std::cerr << "bulwark routes: " << ctx.error().message << "\n";
        return 1;
    }
    http::Router router;
    RegisterRoutes(**ctx, router);
    boost::json::array out;
    for (const http::RouteSpec& r : router.routes()) {
        if (as_json) {
            boost::json::array accepts(r.accepts.begin(), r.accepts.end());
            out.push_back(boost::json::object{{"method", r.method},
                                              {"pattern", r.pattern},
                                              {"public", r.is_public},
                                              {"permission", r.permission},
                                              {"personal_data", r.personal_data},
                                              {"audit_event", r.audit_event},
                                              {"accepts", std::move(accepts)}});
        } else {
            std::cout << r.method << "\t" << r.pattern << "\t"
                      << (r.is_public ? "public" : r.permission)
                      << (r.personal_data ? "\tpersonal-data" : "")
                      << (r.audit_event.empty() ? "" : "\taudit:" + r.audit_event) << "\n";
        }
    }
    if (as_json) std::cout << boost::json::serialize(out) << "\n";
    (*ctx)->db->Close();
    return 0;
}

}  // namespace

void AddRoutesCommand(CLI::App& cli, const CommonOptions& common, int* exit_code) {
    auto as_json = std::make_shared<bool>(false);
    CLI::App* cmd =
        cli.add_subcommand("routes", "列出全部接口及其声明 (公开、权限、个人数据、审计事件)");
    cmd->add_flag("--json", *as_json, "以 JSON 输出");
    cmd->callback([&common, as_json, exit_code] { *exit_code = RunRoutes(common, *as_json); });
}

}  // namespace bulwark::app
