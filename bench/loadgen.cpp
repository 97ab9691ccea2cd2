// bench_loadgen: HTTP load against this machine, closed loop (saturation) or open loop at a fixed
// rate (latency from the scheduled time, so queueing counts). See bench/README.md.
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include "bench/lib/load_engine.hpp"
#include "bench/lib/load_report.hpp"
#include "bench/lib/loopback_target.hpp"
#include "bench/lib/sampling_scenario.hpp"
#include "bench/lib/template_scenario.hpp"

namespace {

using bulwark::bench::LoadOptions;

// 12 hex digits, fresh per run, so that idempotency keys never repeat across runs.
std::string RandomRunId() {
    std::random_device device;
    const uint64_t bits = (uint64_t{device()} << 32) ^ device();
    char id[16];
    std::snprintf(id, sizeof id, "%012llx",
                  static_cast<unsigned long long>(bits & 0xffffffffffffULL));
    return id;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"HTTP load generator for Bulwark's benchmarks; loads 127.0.0.1 / [::1] only."};
    std::vector<std::string> urls;
    LoadOptions options;
    std::string get_path;
    std::string post_path;
    std::string body;
    std::vector<std::string> header_lines;
    std::string sampling_plan;
    bool json = false;
    cli.add_option("--url", urls,
                   "http://127.0.0.1:PORT (or localhost, [::1]); repeat to share the connections "
                   "among several servers")
        ->required();
    auto* get = cli.add_option("--get", get_path, "GET this path (placeholders allowed)");
    auto* post = cli.add_option("--post", post_path, "POST to this path");
    cli.add_option("--body", body, "POST body template: {key} {seq} {conn} are expanded")
        ->needs(post);
    get->excludes(post);
    auto* sampling = cli.add_option(
        "--sampling", sampling_plan,
        "scanners at sampling tables: open a tube, scan codes until it is full, next tube; the "
        "plan file names the tables, rounds and codes (bench/README.md)");
    sampling->excludes(get)->excludes(post);
    cli.add_option("--header", header_lines, "'Name: value', repeatable, placeholders allowed");
    cli.add_option("-c,--connections", options.connections, "concurrent keep-alive connections")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    cli.add_option("-t,--threads", options.threads, "I/O threads")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    cli.add_option("-d,--duration", options.duration_s, "seconds; no request starts after")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cli.add_option("--requests", options.max_requests, "stop after this many requests (0: none)");
    cli.add_option("--rate", options.rate, "open loop at this many requests/s (0: closed loop)")
        ->check(CLI::NonNegativeNumber);
    cli.add_option("--timeout", options.timeout_s, "seconds per request")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    auto* login = cli.add_option("--cookie-from-login", options.login_path,
                                 "POST --login-body here once per connection, reuse its cookies");
    cli.add_option("--login-body", options.login_body, "JSON body of the login")->needs(login);
    cli.add_option("--sessions", options.sessions,
                   "log in this many times and share the sessions among the connections "
                   "(default: one per connection)")
        ->needs(login)
        ->check(CLI::NonNegativeNumber);
    cli.add_option("--acked-file", options.acked_file,
                   "append the idempotency key of every 2xx answer to this file");
    cli.add_option("--run-id", options.run_id, "prefix of idempotency keys (default: random)");
    cli.add_flag("--json", json, "print one JSON object instead of text");
    CLI11_PARSE(cli, argc, argv);

    for (const std::string& url : urls) {
        auto target = bulwark::bench::ParseLoopbackTarget(url);
        if (!target) {
            std::fprintf(stderr, "bench_loadgen: %s\n", target.error().message.c_str());
            return 2;
        }
        options.targets.push_back(std::move(*target));
    }
    if (get_path.empty() && post_path.empty() && sampling_plan.empty()) {
        std::fprintf(stderr, "bench_loadgen: give --get PATH, --post PATH or --sampling PLAN\n");
        return 2;
    }
    std::vector<std::pair<std::string, std::string>> headers;
    for (const std::string& line : header_lines) {
        const size_t colon = line.find(':');
        if (colon == std::string::npos || colon == 0) {
            std::fprintf(stderr, "bench_loadgen: bad --header '%s' (want 'Name: value')\n",
                         line.c_str());
            return 2;
        }
        const size_t value = line.find_first_not_of(' ', colon + 1);
        headers.emplace_back(line.substr(0, colon),
                             value == std::string::npos ? "" : line.substr(value));
    }
    if (options.run_id.empty()) options.run_id = RandomRunId();

    std::unique_ptr<bulwark::bench::Scenario> scenario;
    bulwark::bench::SamplingScenario* sampling_scenario = nullptr;
    if (!sampling_plan.empty()) {
        std::ifstream in(sampling_plan);
        std::stringstream text;
        text << in.rdbuf();
        auto plan = bulwark::bench::ParseSamplingPlan(text.str());
        if (!in.is_open() || !plan) {
            std::fprintf(stderr, "bench_loadgen: %s: %s\n", sampling_plan.c_str(),
                         !in.is_open() ? "cannot read" : plan.error().message.c_str());
            return 2;
        }
        auto made = std::make_unique<bulwark::bench::SamplingScenario>(std::move(*plan));
        sampling_scenario = made.get();
        scenario = std::move(made);
    } else {
        const bool is_post = !post_path.empty();
        scenario = std::make_unique<bulwark::bench::TemplateScenario>(
            is_post ? "POST" : "GET", is_post ? post_path : get_path, body, headers);
    }
    auto report = bulwark::bench::RunLoad(options, *scenario);
    if (!report) {
        std::fprintf(stderr, "bench_loadgen: %s\n", report.error().message.c_str());
        return 1;
    }
    std::map<std::string, uint64_t> refusals;
    if (sampling_scenario != nullptr) refusals = sampling_scenario->Refusals();
    if (json) {
        boost::json::object out = bulwark::bench::ReportToJson(*report);
        boost::json::object refused;
        for (const auto& [why, count] : refusals) refused[why] = count;
        out["refusals"] = std::move(refused);
        std::printf("%s\n", boost::json::serialize(out).c_str());
    } else {
        std::printf("%s", bulwark::bench::ReportToText(*report).c_str());
        for (const auto& [why, count] : refusals) {
            std::printf("refused    %llu x %s\n", static_cast<unsigned long long>(count),
                        why.c_str());
        }
    }
    return 0;
}
