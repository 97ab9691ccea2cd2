#include "bench/lib/load_engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "bench/lib/acked_key_log.hpp"

namespace bulwark::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Requests still unanswered this long after the end are abandoned, not waited for.
constexpr auto kDrain = 1s;
constexpr uint64_t kBodyLimit = 64 << 20;
constexpr auto kFirstBackoff = 10ms;
constexpr auto kMaxBackoff = 1s;
constexpr const char* kCsrfCookie = "bulwark_csrf";

// Counters of one I/O thread; merged after the run, so no atomics.
struct ThreadStats {
    uint64_t sent = 0, completed = 0, errors = 0, unsent = 0, abandoned = 0;
    uint64_t s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0, s_other = 0;
    uint64_t acked = 0, acked_write_failures = 0;
    std::map<std::string, uint64_t> error_kinds;
    LatencyHistogram latency;
    std::map<std::string, LabelReport> by_label;

    void CountError(std::string kind) {
        ++errors;
        ++error_kinds[std::move(kind)];
    }
};

// Read-only during the run, except `claimed`.
struct Shared {
    Shared(const LoadOptions& o, Scenario& s, const AckedKeyLog& a)
        : options(o), scenario(s), acked(a) {}

    const LoadOptions& options;
    Scenario& scenario;
    const AckedKeyLog& acked;
    Clock::time_point start;
    Clock::time_point deadline;
    uint64_t total_slots = 0;  // open loop: requests scheduled over the whole run
    std::atomic<uint64_t> claimed{0};
};

// One keep-alive connection; lives on one I/O thread.
struct Connection {
    Connection(asio::io_context& io, const LoopbackTarget& to, asio::ip::tcp::endpoint at)
        : stream(io), target(to), endpoint(at) {}

    beast::tcp_stream stream;
    const LoopbackTarget& target;
    asio::ip::tcp::endpoint endpoint;
    beast::flat_buffer buffer;
    bool connected = false;
    std::string out;     // the serialized request
    std::string cookie;  // Cookie header value from the login
    std::string csrf;    // X-CSRF-Token value from the login
    ConnState state;
    ThreadStats* stats = nullptr;
};

using Parser = http::response_parser<http::string_body>;

Clock::duration Seconds(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// HTTP/1.1 by hand: the same few lines for every request, cheaper than Beast's serializer.
void Serialize(const Request& request, const Connection& c, const std::string& host,
               std::string& out) {
    out.clear();
    out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
    out.append("Host: ").append(host).append("\r\n");
    bool has_content_type = false;
    for (const auto& [name, value] : request.headers) {
        out.append(name).append(": ").append(value).append("\r\n");
        has_content_type = has_content_type || beast::iequals(name, "Content-Type");
    }
    if (!c.cookie.empty()) out.append("Cookie: ").append(c.cookie).append("\r\n");
    if (!c.csrf.empty()) out.append("X-CSRF-Token: ").append(c.csrf).append("\r\n");
    if (!request.body.empty() || request.method != "GET") {
        if (!has_content_type) out.append("Content-Type: application/json\r\n");
        out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
    }
    out.append("\r\n").append(request.body);
}

awaitable<beast::error_code> Connect(Connection& c, const Shared& shared) {
    beast::error_code ec;
    c.stream.close();
    c.buffer.clear();
    c.stream.expires_after(Seconds(shared.options.timeout_s));
    co_await c.stream.async_connect(c.endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) c.stream.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    c.connected = !ec;
    if (ec) c.stream.close();
    co_return ec;
}

// Writes c.out and reads one response into `parser`, all before `expiry`.
awaitable<beast::error_code> Exchange(Connection& c, Parser& parser, Clock::time_point expiry) {
    beast::error_code ec;
    c.stream.expires_at(expiry);
    co_await asio::async_write(c.stream, asio::buffer(c.out),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    co_await http::async_read(c.stream, c.buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    co_return ec;
}

// Connects and, when `log_in`, logs in; the run starts only when every connection got here.
awaitable<Status> Prepare(Connection& c, const Shared& shared, bool log_in) {
    const LoadOptions& o = shared.options;
    if (auto ec = co_await Connect(c, shared)) {
        co_return Unavailable("cannot connect to " + c.target.host + ": " + ec.message());
    }
    if (!log_in) co_return Ok();

    Request login;
    login.method = "POST";
    login.target = o.login_path;
    login.body = o.login_body;
    Serialize(login, c, c.target.host, c.out);
    Parser parser;
    parser.body_limit(kBodyLimit);
    if (auto ec = co_await Exchange(c, parser, Clock::now() + Seconds(o.timeout_s))) {
        co_return Unavailable("login " + o.login_path + " failed: " + ec.message());
    }
    const auto& response = parser.get();
    if (response.result_int() / 100 != 2) {
        co_return FailedPrecondition("login " + o.login_path + " answered " +
                                     std::to_string(response.result_int()) + ": " +
                                     response.body().substr(0, 200));
    }
    const auto [first, last] = response.equal_range(http::field::set_cookie);
    for (auto field = first; field != last; ++field) {
        const std::string_view value = field->value();
        const std::string_view pair = value.substr(0, value.find(';'));
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (!c.cookie.empty()) c.cookie += "; ";
        c.cookie += pair;
        if (pair.substr(0, eq) == kCsrfCookie) c.csrf = std::string(pair.substr(eq + 1));
    }
    if (!parser.keep_alive()) {
        c.stream.close();
        c.connected = false;
    }
    co_return Ok();
}

void CountStatus(ThreadStats& st, unsigned status) {
    switch (status / 100) {
        case 2:
            ++st.s2xx;
            break;
        case 3:
            ++st.s3xx;
            break;
        case 4:
            ++st.s4xx;
            break;
        case 5:
            ++st.s5xx;
            break;
        default:
            ++st.s_other;
            break;
    }
}

// The load of one connection, request after request until the end (see LoadOptions::rate).
awaitable<void> Drive(Connection& c, Shared& shared) {
    const LoadOptions& o = shared.options;
    ThreadStats& st = *c.stats;
    const bool open_loop = o.rate > 0;
    const uint64_t n = static_cast<uint64_t>(o.connections);
    const auto timeout = Seconds(o.timeout_s);
    const auto drain_end = shared.deadline + kDrain;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    beast::error_code ec;
    Clock::duration backoff = kFirstBackoff;

    for (uint64_t k = 0;; ++k) {
        Clock::time_point intended;
        if (open_loop) {
            // Connection c owns slots c, c + n, c + 2n, ... of the global schedule slot / rate.
            const uint64_t slot = static_cast<uint64_t>(c.state.conn) + k * n;
            if (slot >= shared.total_slots) break;
            intended = shared.start + Seconds(static_cast<double>(slot) / o.rate);
            if (intended > Clock::now()) {
                timer.expires_at(intended);
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            } else if (Clock::now() >= shared.deadline) {
                // Behind schedule at the end: the rest of this connection's slots never went out.
                st.unsent += (shared.total_slots - slot + n - 1) / n;
                break;
            }
        } else if (Clock::now() >= shared.deadline) {
            break;
        }
        if (o.max_requests > 0 &&
            shared.claimed.fetch_add(1, std::memory_order_relaxed) >= o.max_requests) {
            break;
        }

        ++st.sent;
        if (!c.connected) {
            if (auto connect_ec = co_await Connect(c, shared)) {
                st.CountError("connect: " + connect_ec.message());
                if (!open_loop) {
                    timer.expires_at(std::min(Clock::now() + backoff, shared.deadline));
                    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                    backoff = std::min<Clock::duration>(backoff * 2, kMaxBackoff);
                }
                continue;
            }
        }

        Request request = shared.scenario.Next(c.state);
        ++c.state.seq;
        Serialize(request, c, c.target.host, c.out);
        Parser parser;
        parser.body_limit(kBodyLimit);
        const Clock::time_point sent_at = Clock::now();
        if (!open_loop) intended = sent_at;
        const Clock::time_point expiry = std::min(sent_at + timeout, drain_end);
        if (auto io_ec = co_await Exchange(c, parser, expiry)) {
            c.stream.close();
            c.connected = false;
            if (io_ec == beast::error::timeout && expiry == drain_end) {
                ++st.abandoned;
            } else {
                st.CountError(io_ec == beast::error::timeout ? "timeout" : io_ec.message());
            }
            continue;
        }
        backoff = kFirstBackoff;

        const auto latency = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - intended).count());
        st.latency.Record(latency);
        ++st.completed;
        const unsigned status = parser.get().result_int();
        CountStatus(st, status);
        if (!request.label.empty()) {
            LabelReport& label = st.by_label[request.label];
            ++label.completed;
            if (status / 100 == 2) ++label.status_2xx;
            label.latency.Record(latency);
        }
        shared.scenario.OnResponse(c.state, request,
                                   Response{.status = status, .body = parser.get().body()});
        if (status / 100 == 2 && !request.idempotency_key.empty() && shared.acked.is_open()) {
            if (shared.acked.Append(request.idempotency_key)) {
                ++st.acked;
            } else {
                ++st.acked_write_failures;
            }
        }
        if (!parser.keep_alive()) {
            c.stream.close();
            c.connected = false;
        }
    }
}

// Runs every io_context until it has no work, one thread each (the caller's is the first).
void RunAll(std::vector<std::unique_ptr<asio::io_context>>& contexts) {
    std::vector<std::thread> threads;
    for (size_t t = 1; t < contexts.size(); ++t) {
        threads.emplace_back([&io = *contexts[t]] { io.run(); });
    }
    contexts[0]->run();
    for (auto& thread : threads) thread.join();
    for (auto& io : contexts) io->restart();
}

// Crash loudly on an exception escaping a coroutine: it would be a bug in the engine.
void RethrowIfSet(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

}  // namespace

Result<LoadReport> RunLoad(const LoadOptions& options, Scenario& scenario) {
    if (options.connections < 1) return InvalidArgument("need at least one connection");
    if (options.threads < 1) return InvalidArgument("need at least one thread");
    if (!(options.duration_s > 0)) return InvalidArgument("duration must be > 0 s");
    if (!(options.rate >= 0)) return InvalidArgument("rate must be >= 0");
    if (!(options.timeout_s > 0)) return InvalidArgument("timeout must be > 0 s");

    AckedKeyLog acked;
    if (!options.acked_file.empty()) {
        ASSIGN_OR_RETURN(acked, AckedKeyLog::Open(options.acked_file));
    }
    if (options.targets.empty()) return InvalidArgument("need a target");
    std::vector<asio::ip::tcp::endpoint> endpoints;
    for (const LoopbackTarget& target : options.targets) {
        beast::error_code ec;
        const auto address = asio::ip::make_address(target.address, ec);
        if (ec) return InvalidArgument("bad address " + target.address);
        endpoints.emplace_back(address, target.port);
    }

    Shared shared(options, scenario, acked);
    const int thread_count = std::min(options.threads, options.connections);
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (int t = 0; t < thread_count; ++t) {
        contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    std::vector<ThreadStats> stats(thread_count);
    std::vector<std::unique_ptr<Connection>> connections;
    for (int i = 0; i < options.connections; ++i) {
        const size_t to = static_cast<size_t>(i) % endpoints.size();
        auto c = std::make_unique<Connection>(*contexts[i % thread_count], options.targets[to],
                                              endpoints[to]);
        c->state.conn = i;
        c->state.run_id = options.run_id;
        c->stats = &stats[i % thread_count];
        connections.push_back(std::move(c));
    }

    // Logins go one at a time: the server counts parallel attempts on one account against its
    // login limit, and each costs an Argon2id hash (64 MiB) there. Then the other connections
    // connect together and share those sessions.
    const size_t sessions =
        options.login_path.empty() ? 0
        : options.sessions > 0 ? std::min(connections.size(), static_cast<size_t>(options.sessions))
                               : connections.size();
    std::vector<Status> prepared(connections.size());
    auto prepare = [&](size_t i) {
        asio::co_spawn(*contexts[i % thread_count], Prepare(*connections[i], shared, i < sessions),
                       [&prepared, i](std::exception_ptr e, Status status) {
                           RethrowIfSet(e);
                           prepared[i] = std::move(status);
                       });
    };
    for (size_t i = 0; i < sessions; ++i) {
        prepare(i);
        RunAll(contexts);
        if (!prepared[i].ok()) return std::move(prepared[i]).error();
    }
    for (size_t i = sessions; i < connections.size(); ++i) prepare(i);
    RunAll(contexts);
    for (auto& status : prepared) {
        if (!status.ok()) return std::move(status).error();
    }
    for (size_t i = sessions; sessions > 0 && i < connections.size(); ++i) {
        connections[i]->cookie = connections[i % sessions]->cookie;
        connections[i]->csrf = connections[i % sessions]->csrf;
    }

    shared.start = Clock::now();
    shared.deadline = shared.start + Seconds(options.duration_s);
    shared.total_slots = static_cast<uint64_t>(std::floor(options.duration_s * options.rate));
    for (size_t i = 0; i < connections.size(); ++i) {
        asio::co_spawn(*contexts[i % thread_count], Drive(*connections[i], shared), RethrowIfSet);
    }
    RunAll(contexts);
    const Clock::time_point end = Clock::now();

    LoadReport report;
    report.open_loop = options.rate > 0;
    report.rate = options.rate;
    report.connections = options.connections;
    report.threads = thread_count;
    report.elapsed_s = std::chrono::duration<double>(end - shared.start).count();
    for (auto& st : stats) {
        report.sent += st.sent;
        report.completed += st.completed;
        report.status_2xx += st.s2xx;
        report.status_3xx += st.s3xx;
        report.status_4xx += st.s4xx;
        report.status_5xx += st.s5xx;
        report.status_other += st.s_other;
        report.errors += st.errors;
        report.unsent += st.unsent;
        report.abandoned += st.abandoned;
        report.acked += st.acked;
        report.acked_write_failures += st.acked_write_failures;
        for (auto& [kind, count] : st.error_kinds) report.error_kinds[kind] += count;
        report.latency.Merge(st.latency);
        for (auto& [name, label] : st.by_label) {
            LabelReport& all = report.by_label[name];
            all.completed += label.completed;
            all.status_2xx += label.status_2xx;
            all.latency.Merge(label.latency);
        }
    }
    return report;
}

}  // namespace bulwark::bench
