#include <gtest/gtest.h>

#include <any>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/json/parse.hpp>

#include "http/router.hpp"

namespace bulwark::http {
namespace {

namespace json = boost::json;

Request Make(std::string method, std::string path, std::string body = "",
             std::string content_type = "") {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.target = request.path;
    request.body = std::move(body);
    if (!content_type.empty()) request.headers.emplace_back("content-type", content_type);
    request.request_id = "test-1";
    return request;
}

// Designated initializers would trip -Wmissing-field-initializers; build specs field by field.
RouteSpec Route(std::string method, std::string pattern, Handler handler, bool is_public = false) {
    RouteSpec spec;
    spec.method = std::move(method);
    spec.pattern = std::move(pattern);
    spec.handler = std::move(handler);
    spec.is_public = is_public;
    spec.permission = is_public ? "" : "test.access";
    return spec;
}

Handler Named(std::string name) {
    return [name](Request& r) {
        json::object body{{"route", name}};
        for (const auto& [key, value] : r.path_params) body[key] = value;
        return Response::Json(body);
    };
}

std::string RouteOf(const Response& response) {
    return std::string(json::parse(response.body).at("route").as_string());
}

std::string ErrorCodeOf(const Response& response) {
    return std::string(json::parse(response.body).at("error").at("code").as_string());
}

TEST(MatchPatternTest, Segments) {
    std::map<std::string, std::string> params;
    EXPECT_TRUE(MatchPattern("/api/v1/rounds", "/api/v1/rounds", &params));
    EXPECT_FALSE(MatchPattern("/api/v1/rounds", "/api/v1/rounds/", &params));
    EXPECT_FALSE(MatchPattern("/api/v1/rounds", "/api/v1/round", &params));
    EXPECT_FALSE(MatchPattern("/api/v1/rounds", "/api/v1/rounds/1", &params));

    params.clear();
    EXPECT_TRUE(
        MatchPattern("/api/v1/rounds/:id/sites/:site", "/api/v1/rounds/7/sites/s-2", &params));
    EXPECT_EQ(params["id"], "7");
    EXPECT_EQ(params["site"], "s-2");
    EXPECT_FALSE(MatchPattern("/api/v1/rounds/:id", "/api/v1/rounds/", &params));

    params.clear();
    EXPECT_TRUE(MatchPattern("/files/*", "/files/a/b.txt", &params));
    EXPECT_EQ(params["*"], "a/b.txt");
    EXPECT_FALSE(MatchPattern("/files/*", "/other/a", &params));
    EXPECT_TRUE(MatchPattern("/", "/", nullptr));
    EXPECT_FALSE(MatchPattern("/", "/x", nullptr));
}

class RouterTest : public ::testing::Test {
protected:
    RouterTest() {
        router_.Add(Route("GET", "/api/v1/rounds/:id", Named("one")));
        router_.Add(Route("GET", "/api/v1/rounds/current", Named("current")));
        router_.Add(Route("DELETE", "/api/v1/rounds/:id", Named("del")));
        router_.Add(Route("POST", "/api/v1/rounds", Named("create")));
        RouteSpec import = Route("POST", "/api/v1/imports", Named("import"));
        import.accepts = {"text/csv", "application/octet-stream"};
        router_.Add(import);
        router_.Add(Route("GET", "/api/v1/cached", [](Request&) {
            Response r = Response::Json(json::object{{"route", "cached"}});
            r.AddHeader("cache-control", "private, max-age=60");
            return r;
        }));
        router_.Add(Route("GET", "/api/v1/throws", [](Request&) -> Response {
            throw std::runtime_error("database exploded");
        }));
        router_.SetFallback([](Request&) {
            return Response::Json(json::object{{"route", "web"}});
        });
        router_.Freeze();
    }
    Router router_;
};

TEST_F(RouterTest, LiteralSegmentsBeatParameters) {
    Request current = Make("GET", "/api/v1/rounds/current");
    EXPECT_EQ(RouteOf(router_.Dispatch(current)), "current");
    Request one = Make("GET", "/api/v1/rounds/12");
    Response response = router_.Dispatch(one);
    EXPECT_EQ(RouteOf(response), "one");
    EXPECT_EQ(json::parse(response.body).at("id"), "12");
    EXPECT_EQ(one.Param("id"), "12");
}

TEST_F(RouterTest, HeadRunsGetRoutes) {
    Request head = Make("HEAD", "/api/v1/rounds/3");
    EXPECT_EQ(router_.Dispatch(head).status, 200);
}

TEST_F(RouterTest, NotFoundAndMethodNotAllowed) {
    Request unknown = Make("GET", "/api/v1/nope");
    Response not_found = router_.Dispatch(unknown);
    EXPECT_EQ(not_found.status, 404);
    EXPECT_EQ(ErrorCodeOf(not_found), "not_found");

    Request put = Make("PUT", "/api/v1/rounds/3", "{}", "application/json");
    Response not_allowed = router_.Dispatch(put);
    EXPECT_EQ(not_allowed.status, 405);
    EXPECT_EQ(ErrorCodeOf(not_allowed), "method_not_allowed");
    std::string allow;
    for (const auto& [name, value] : not_allowed.headers) {
        if (name == "Allow") allow = value;
    }
    EXPECT_EQ(allow, "GET, HEAD, DELETE");
}

TEST_F(RouterTest, ContentTypeIsChecked) {
    Request json_body = Make("POST", "/api/v1/rounds", "{}", "Application/JSON; charset=utf-8");
    EXPECT_EQ(router_.Dispatch(json_body).status, 200);
    Request form = Make("POST", "/api/v1/rounds", "a=1", "application/x-www-form-urlencoded");
    Response refused = router_.Dispatch(form);
    EXPECT_EQ(refused.status, 415);
    EXPECT_EQ(ErrorCodeOf(refused), "unsupported_media_type");
    Request no_type = Make("POST", "/api/v1/rounds", "{}");
    EXPECT_EQ(router_.Dispatch(no_type).status, 415);
    Request empty = Make("POST", "/api/v1/rounds");
    EXPECT_EQ(router_.Dispatch(empty).status, 200);
    Request csv = Make("POST", "/api/v1/imports", "a,b\n", "text/csv");
    EXPECT_EQ(RouteOf(router_.Dispatch(csv)), "import");
    Request json_import = Make("POST", "/api/v1/imports", "{}", "application/json");
    EXPECT_EQ(router_.Dispatch(json_import).status, 415);
}

TEST_F(RouterTest, ApiResponsesAreNotStoredUnlessTheHandlerSaysSo) {
    auto cache_control = [](const Response& r) {
        std::string value;
        for (const auto& [name, v] : r.headers) {
            if (name == "Cache-Control" || name == "cache-control") value += v;
        }
        return value;
    };
    Request one = Make("GET", "/api/v1/rounds/1");
    EXPECT_EQ(cache_control(router_.Dispatch(one)), "no-store");
    Request missing = Make("GET", "/api/v1/missing");
    EXPECT_EQ(cache_control(router_.Dispatch(missing)), "no-store");
    Request cached = Make("GET", "/api/v1/cached");
    EXPECT_EQ(cache_control(router_.Dispatch(cached)), "private, max-age=60");
    Request page = Make("GET", "/rounds/1");
    EXPECT_EQ(cache_control(router_.Dispatch(page)), "");
}

TEST_F(RouterTest, FallbackOnlyForNonApiGetAndHead) {
    Request page = Make("GET", "/rounds/1");
    EXPECT_EQ(RouteOf(router_.Dispatch(page)), "web");
    Request head = Make("HEAD", "/");
    EXPECT_EQ(RouteOf(router_.Dispatch(head)), "web");
    Request post = Make("POST", "/rounds/1", "{}", "application/json");
    EXPECT_EQ(router_.Dispatch(post).status, 404);
    Request api = Make("GET", "/api/nothing");
    EXPECT_EQ(router_.Dispatch(api).status, 404);
    Request bare_api = Make("GET", "/api");
    EXPECT_EQ(router_.Dispatch(bare_api).status, 404);
}

TEST_F(RouterTest, HandlerExceptionBecomes500) {
    Request request = Make("GET", "/api/v1/throws");
    Response response = router_.Dispatch(request);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(ErrorCodeOf(response), "internal");
    EXPECT_NE(response.body.find("test-1"), std::string::npos);
    EXPECT_EQ(response.body.find("database exploded"), std::string::npos);  // not leaked
}

// A caller of Dispatch that gives no reply_later (a test, a batch) gets a deferred answer as
// the return value: Dispatch waits for it.
TEST(RouterDeferTest, DispatchWaitsForADeferredAnswer) {
    Router router;
    router.Add(Route(
        "POST", "/api/v1/later",
        [](Request& r) {
            std::thread([reply = r.Defer(), body = r.body] {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                reply(Response::Json({{"echo", body}}, 201));
            }).detach();
            return Response::Deferred();
        },
        true));
    router.Freeze();
    Request request = Make("POST", "/api/v1/later", "{}", "application/json");
    Response response = router.Dispatch(request);
    EXPECT_EQ(response.status, 201);
    EXPECT_FALSE(response.deferred);
    EXPECT_EQ(json::parse(response.body), json::parse(R"({"echo":"{}"})"));
    EXPECT_FALSE(request.reply_later);
}

TEST(RouterGuardTest, GuardRunsFirstAndCanStop) {
    Router router;
    int handled = 0;
    router.Add(Route("GET", "/api/v1/private", [&](Request& r) {
        ++handled;
        return Response::Json({{"who", std::any_cast<std::string>(r.context)}});
    }));
    router.Add(Route(
        "GET", "/api/v1/public",
        [&](Request&) {
            ++handled;
            return Response::Empty(204);
        },
        /*is_public=*/true));
    std::vector<std::string> seen;
    router.SetGuard([&](const RouteSpec& spec, Request& r) -> std::optional<Response> {
        seen.push_back(spec.pattern);
        if (spec.is_public) return std::nullopt;
        if (r.Header("authorization").empty()) {
            return Response::FromError(Unauthenticated("请先登录"));
        }
        r.context = std::string("alice");
        return std::nullopt;
    });
    router.Freeze();

    Request anonymous = Make("GET", "/api/v1/private");
    EXPECT_EQ(router.Dispatch(anonymous).status, 401);
    EXPECT_EQ(handled, 0);
    Request signed_in = Make("GET", "/api/v1/private");
    signed_in.headers.emplace_back("authorization", "x");
    Response response = router.Dispatch(signed_in);
    EXPECT_EQ(json::parse(response.body).at("who"), "alice");
    Request open = Make("GET", "/api/v1/public");
    EXPECT_EQ(router.Dispatch(open).status, 204);
    EXPECT_EQ(handled, 2);
    EXPECT_EQ(seen.size(), 3u);
    // Unknown routes never reach the guard.
    Request unknown = Make("GET", "/api/v1/unknown");
    router.Dispatch(unknown);
    EXPECT_EQ(seen.size(), 3u);
}

TEST(RouterGuardTest, GuardAnswersBeforeTheBodyTypeIsChecked) {
    Router router;
    router.Add(Route("POST", "/api/v1/rounds", Named("create")));
    router.SetGuard([](const RouteSpec&, Request& r) -> std::optional<Response> {
        if (r.Header("authorization").empty()) return Response::FromError(Unauthenticated("x"));
        return std::nullopt;
    });
    router.Freeze();
    Request anonymous = Make("POST", "/api/v1/rounds", "a=1", "application/x-www-form-urlencoded");
    EXPECT_EQ(router.Dispatch(anonymous).status, 401);
    Request signed_in = Make("POST", "/api/v1/rounds", "a=1", "application/x-www-form-urlencoded");
    signed_in.headers.emplace_back("authorization", "x");
    EXPECT_EQ(router.Dispatch(signed_in).status, 415);
}

TEST(RouterInlineTest, WhatMayRunOnAnIoThread) {
    Router router;
    RouteSpec health = Route(
        "GET", "/healthz", [](Request&) { return Response::Empty(200); }, /*is_public=*/true);
    health.runs_inline = true;
    router.Add(health);
    router.Add(Route("GET", "/api/v1/rounds/:id", Named("one")));
    router.Add(Route("GET", "/api/v1/open", Named("open"), /*is_public=*/true));
    int guarded = 0;
    router.SetGuard([&](const RouteSpec&, Request&) -> std::optional<Response> {
        ++guarded;
        return std::nullopt;
    });
    router.SetFallback([](Request&) { return Response::Empty(200); }, /*runs_inline=*/true);
    router.Freeze();

    auto inline_for = [&](const std::string& method, const std::string& path) {
        return router.RunsInline(router.Find(Make(method, path)));
    };
    EXPECT_TRUE(inline_for("GET", "/healthz"));
    EXPECT_TRUE(inline_for("HEAD", "/healthz"));
    EXPECT_FALSE(inline_for("GET", "/api/v1/rounds/7")) << "needs a session: the database";
    EXPECT_FALSE(inline_for("GET", "/api/v1/open")) << "not declared inline";
    EXPECT_TRUE(inline_for("GET", "/api/v1/unknown")) << "the router's own 404";
    EXPECT_TRUE(inline_for("POST", "/healthz")) << "the router's own 405";
    EXPECT_TRUE(inline_for("GET", "/rounds/12")) << "the inline fallback";

    // The guard is not called for an inline route (it passes public GETs anyway).
    Request health_check = Make("GET", "/healthz");
    EXPECT_EQ(router.Dispatch(health_check).status, 200);
    EXPECT_EQ(guarded, 0);
    Request open = Make("GET", "/api/v1/open");
    EXPECT_EQ(RouteOf(router.Dispatch(open)), "open");
    EXPECT_EQ(guarded, 1);

    Router plain;
    plain.SetFallback([](Request&) { return Response::Empty(200); });
    plain.Freeze();
    EXPECT_FALSE(plain.RunsInline(plain.Find(Make("GET", "/rounds/12"))));
}

// A route whose handler never blocks runs here only when the quick guard lets it through;
// otherwise DispatchQuick says no and Dispatch (with the full guard) takes it, on a worker.
TEST(RouterQuickTest, RunsANeverBlockingRouteWhenTheQuickGuardLetsItThrough) {
    Router router;
    RouteSpec quick = Route("POST", "/api/v1/scans/:id", [](Request& r) {
        auto reply = r.Defer();
        reply(Response::Json({{"route", "quick"}, {"id", r.Param("id")}}, 202));
        return Response::Deferred();
    });
    quick.handler_never_blocks = true;
    router.Add(quick);
    router.Add(Route("POST", "/api/v1/plain", Named("plain")));
    int full = 0;
    int quick_calls = 0;
    router.SetGuard([&](const RouteSpec&, Request&) -> std::optional<Response> {
        ++full;
        return std::nullopt;
    });
    router.SetQuickGuard([&](const RouteSpec&, Request& r) {
        ++quick_calls;
        if (r.Header("x-cached") != "yes") return false;
        r.context = std::string("who");
        return true;
    });
    router.Freeze();

    std::optional<Response> answered;
    auto with_reply = [&](Request r) {
        r.reply_later = [&](Response response) { answered = std::move(response); };
        return r;
    };

    Request cached = with_reply(Make("POST", "/api/v1/scans/7", "{}", "application/json"));
    cached.headers.emplace_back("x-cached", "yes");
    std::optional<Response> here = router.DispatchQuick(cached, router.Find(cached));
    ASSERT_TRUE(here.has_value());
    EXPECT_TRUE(here->deferred);
    ASSERT_TRUE(answered.has_value());
    EXPECT_EQ(answered->status, 202);
    EXPECT_EQ(json::parse(answered->body).at("id").as_string(), "7");
    EXPECT_EQ(std::any_cast<std::string>(cached.context), "who");
    EXPECT_EQ(full, 0) << "the full guard is not needed";

    // Not cached: nothing runs here, and Dispatch then guards and runs it as usual.
    answered.reset();
    Request unknown = with_reply(Make("POST", "/api/v1/scans/8", "{}", "application/json"));
    EXPECT_FALSE(router.DispatchQuick(unknown, router.Find(unknown)).has_value());
    EXPECT_FALSE(answered.has_value());
    EXPECT_EQ(full, 0);
    EXPECT_TRUE(router.Dispatch(unknown).deferred);
    EXPECT_EQ(full, 1);
    ASSERT_TRUE(answered.has_value());
    EXPECT_EQ(answered->status, 202);

    // Let through, the body's type is still checked (and answered here).
    Request text = with_reply(Make("POST", "/api/v1/scans/9", "x", "text/plain"));
    text.headers.emplace_back("x-cached", "yes");
    here = router.DispatchQuick(text, router.Find(text));
    ASSERT_TRUE(here.has_value());
    EXPECT_EQ(here->status, 415);

    // Other routes, and a request without reply_later, never run here.
    const int asked = quick_calls;
    Request plain = with_reply(Make("POST", "/api/v1/plain", "{}", "application/json"));
    plain.headers.emplace_back("x-cached", "yes");
    EXPECT_FALSE(router.DispatchQuick(plain, router.Find(plain)).has_value());
    Request no_reply = Make("POST", "/api/v1/scans/7", "{}", "application/json");
    no_reply.headers.emplace_back("x-cached", "yes");
    EXPECT_FALSE(router.DispatchQuick(no_reply, router.Find(no_reply)).has_value());
    EXPECT_EQ(quick_calls, asked);

    // Without a quick guard nothing runs here.
    Router unguarded;
    unguarded.Add(quick);
    unguarded.Freeze();
    Request again = with_reply(Make("POST", "/api/v1/scans/7", "{}", "application/json"));
    EXPECT_FALSE(unguarded.DispatchQuick(again, unguarded.Find(again)).has_value());
}

TEST(RouterDeathTest, InlineIsOnlyForPublicGetRoutes) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    auto inline_route = [](std::string method, bool is_public) {
        RouteSpec spec = Route(method, "/x", Named("x"), is_public);
        spec.runs_inline = true;
        return spec;
    };
    Router router;
    EXPECT_DEATH(router.Add(inline_route("GET", /*is_public=*/false)), "only for public GET");
    EXPECT_DEATH(router.Add(inline_route("POST", /*is_public=*/true)), "only for public GET");
    router.Add(inline_route("GET", /*is_public=*/true));
}

TEST(RouterDeathTest, DuplicateRouteAborts) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    Router router;
    router.Add(Route("GET", "/a", Named("a")));
    EXPECT_DEATH(router.Add(Route("GET", "/a", Named("b"))), "added twice");
}

}  // namespace
}  // namespace bulwark::http
