#include <filesystem>
#include <iostream>

#include <spdlog/spdlog.h>

#include "app/commands.hpp"
#include "app/modules.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"

namespace bulwark::app {
namespace {

struct ServeOptions {
    std::string listen = "127.0.0.1:8080";
    std::string web_dir;
    std::string tls_cert;
    std::string tls_key;
    bool tls_self_signed = false;
    int io_threads = 2;
    int workers = 64;
    int read_timeout_ms = 15000;
    size_t body_limit = 1 << 20;
    size_t max_in_flight = http::ServerOptions{}.max_in_flight;
};

// The built web app: --web, then $BULWARK_WEB, then web/dist beside the source tree the binary
// was built in (build/<preset>/src/app/bulwark), then ./web/dist.
std::string FindWebDir(const std::string& flag) {
    namespace fs = std::filesystem;
    if (!flag.empty()) return flag;
    if (const char* env = std::getenv("BULWARK_WEB")) return env;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path candidate = exe.parent_path() / "../../../../web/dist";
        if (fs::exists(candidate / "index.html", ec))
            return fs::weakly_canonical(candidate).string();
    }
    return "web/dist";
}

int RunServe(const CommonOptions& common, const ServeOptions& opts) {
    auto ctx = OpenApp(common, std::max(4, opts.workers / 4), /*serving=*/true);
    if (!ctx.ok()) {
        std::cerr << "bulwark serve: " << ctx.error().message << "\n";
        return 1;
    }
    http::ServerOptions server_options;
    server_options.listen = opts.listen;
    server_options.io_threads = opts.io_threads;
    server_options.worker_threads = opts.workers;
    server_options.read_timeout_ms = opts.read_timeout_ms;
    server_options.body_limit = opts.body_limit;
    server_options.max_in_flight = opts.max_in_flight;
    if (opts.tls_self_signed) {
        auto files = http::EnsureSelfSignedCertificate(
            (std::filesystem::path(common.data_dir) / "tls").string());
        if (!files.ok()) {
            std::cerr << "bulwark serve: " << files.error().message << "\n";
            return 1;
        }
        server_options.tls_cert_file = files->first;
        server_options.tls_key_file = files->second;
    } else if (!opts.tls_cert.empty() || !opts.tls_key.empty()) {
        if (opts.tls_cert.empty() || opts.tls_key.empty()) {
            std::cerr << "bulwark serve: --tls-cert 与 --tls-key 须同时给出\n";
            return 2;
        }
        server_options.tls_cert_file = opts.tls_cert;
        server_options.tls_key_file = opts.tls_key;
    }

    http::StaticFiles web;
    std::string web_dir = FindWebDir(opts.web_dir);
    if (auto s = web.Load(web_dir); !s.ok()) spdlog::warn("web app: {}", s.error().message);

    http::Router router;
    RegisterRoutes(**ctx, router);
    // Served from memory: on the I/O thread (RouteSpec::runs_inline).
    router.SetFallback([&web](http::Request& req) { return web.Serve(req); }, /*runs_inline=*/true);
    router.Freeze();

    http::Server server(server_options, router);
    auto port = server.Start();
    if (!port.ok()) {
        std::cerr << "bulwark serve: " << port.error().message << "\n";
        return 1;
    }
    std::string host = opts.listen.substr(0, opts.listen.rfind(':'));
    std::string scheme = server_options.tls_cert_file.empty() ? "http" : "https";
    std::cout << "listening on " << scheme << "://" << host << ":" << *port << std::endl;
    spdlog::info("serving {} database, web app from {}, malloc: {}", (*ctx)->DatabaseKind(),
                 web_dir, MallocName());
    server.HandleSignals();
    server.Wait();
    (*ctx)->db->Close();
    spdlog::info("stopped");
    return 0;
}

}  // namespace

void AddServeCommand(CLI::App& cli, const CommonOptions& common, int* exit_code) {
    auto opts = std::make_shared<ServeOptions>();
    CLI::App* cmd = cli.add_subcommand("serve", "启动服务 (HTTP API 与网页)");
    cmd->add_option("--listen", opts->listen, "监听地址 ADDR:PORT")->capture_default_str();
    cmd->add_option("--web", opts->web_dir, "已构建的网页目录 (默认 web/dist)");
    cmd->add_option("--tls-cert", opts->tls_cert, "TLS 证书 (PEM)");
    cmd->add_option("--tls-key", opts->tls_key, "TLS 私钥 (PEM)");
    cmd->add_flag("--tls-self-signed", opts->tls_self_signed,
                  "在数据目录下创建并复用自签名证书 (手机摄像头需要 HTTPS)");
    cmd->add_option("--io-threads", opts->io_threads, "网络 I/O 线程数")->capture_default_str();
    cmd->add_option("--workers", opts->workers, "请求处理线程数")->capture_default_str();
    cmd->add_option("--read-timeout-ms", opts->read_timeout_ms, "整个请求须在此时间内到达 (毫秒)")
        ->capture_default_str();
    cmd->add_option("--body-limit", opts->body_limit, "请求体上限 (字节)")->capture_default_str();
    cmd->add_option("--max-in-flight", opts->max_in_flight,
                    "同时处理的请求上限, 超出即答 503 并带 Retry-After")
        ->check(CLI::Range(size_t{1}, size_t{1} << 20))
        ->capture_default_str();
    cmd->callback([&common, opts, exit_code] { *exit_code = RunServe(common, *opts); });
}

}  // namespace bulwark::app
