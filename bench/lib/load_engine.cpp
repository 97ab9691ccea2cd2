#include "bench/lib/load_engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>

#include "bench/lib/acked_key_log.hpp"
#include "bench/lib/http_connection.hpp"

namespace bulwark::bench {
namespace {

namespace asio = boost::asio;
using Clock = LoadClock;
using namespace std::chrono_literals;
using ErrorCode = boost::system::error_code;
template <class T>
using Task = LoadTask<T>;
using Timer = LoadTimer;
constexpr auto& kAwait = kLoadAwait;

// Requests still unanswered this long after the end are abandoned, not waited for.
constexpr auto kDrain = 1s;
constexpr size_t kBodyLimit = 64 << 20;
constexpr auto kFirstBackoff = 10ms;
constexpr auto kMaxBackoff = 1s;
// How often a thread's watchdog looks for connections past their deadline.
constexpr auto kWatchdogTick = 10ms;
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

struct Connection;

// What one I/O thread owns: its io_context, its connections, its counters and the acknowledged
// keys it has not written to the acked-key file yet.
struct Worker {
    asio::io_context io{1};
    std::vector<Connection*> connections;
    int running = 0;  // coroutines of this phase not finished yet; the watchdog stops at 0
    ThreadStats stats;
    std::string acked_lines;
    uint64_t acked_pending = 0;
};

// One keep-alive connection of the load and its scanner's state; lives on one I/O thread.
struct Connection : HttpConnection {
    Connection(Worker& w, const LoopbackTarget& to, asio::ip::tcp::endpoint at)
        : HttpConnection(w.io, to, at, kBodyLimit), worker(w) {}

    Worker& worker;
    ConnState state;
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

Clock::duration Seconds(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// Cancels the pending operation of every connection of `w` past its deadline, every tick, until
// the coroutines of the phase are done. One timer per thread instead of one per operation.
Task<void> Watchdog(Worker& w) {
    Timer timer(co_await asio::this_coro::executor);
    ErrorCode ec;
    while (w.running > 0) {
        timer.expires_after(kWatchdogTick);
        co_await timer.async_wait(asio::redirect_error(kAwait, ec));
        const Clock::time_point now = Clock::now();
        for (Connection* c : w.connections) CancelIfOverdue(*c, now);
    }
}

// Connects and, when `log_in`, logs in; the run starts only when every connection got here.
Task<Status> Prepare(Connection& c, const Shared& shared, bool log_in) {
    const LoadOptions& o = shared.options;
    if (auto failure = co_await Connect(c, Seconds(o.timeout_s))) {
        co_return Unavailable("cannot connect to " + c.target.host + ": " + failure.Kind());
    }
    if (!log_in) co_return Ok();

    Request login;
    login.method = "POST";
    login.target = o.login_path;
    login.body = o.login_body;
    SerializeRequest(login, c);
    if (auto failure = co_await Exchange(c, Clock::now() + Seconds(o.timeout_s))) {
        Close(c);
        co_return Unavailable("login " + o.login_path + " failed: " + failure.Kind());
    }
    if (c.reader.status() / 100 != 2) {
        co_return FailedPrecondition("login " + o.login_path + " answered " +
                                     std::to_string(c.reader.status()) + ": " +
                                     std::string(c.reader.body().substr(0, 200)));
    }
    for (const std::string_view value : c.reader.set_cookies()) {
        const std::string_view pair = value.substr(0, value.find(';'));
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (!c.cookie.empty()) c.cookie += "; ";
        c.cookie += pair;
        if (pair.substr(0, eq) == kCsrfCookie) c.csrf = std::string(pair.substr(eq + 1));
    }
    if (c.reader.keep_alive()) {
        c.reader.Next();
    } else {
        Close(c);
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

// Writes the thread's acknowledged keys to the acked-key file in one write(2).
void FlushAcked(Worker& w, const AckedKeyLog& acked) {
    if (w.acked_pending == 0) return;
    if (acked.Append(w.acked_lines)) {
        w.stats.acked += w.acked_pending;
    } else {
        w.stats.acked_write_failures += w.acked_pending;
    }
    w.acked_lines.clear();
    w.acked_pending = 0;
}

// Keeps `key` for the acked-key file. The first key of a turn of the event loop posts the flush,
// which runs after the answers that arrived in the same turn: one write for all of them, a few
// microseconds after the first, instead of a write per key.
void NoteAcked(Worker& w, const AckedKeyLog& acked, std::string_view key) {
    if (w.acked_pending == 0) asio::post(w.io, [&w, &acked] { FlushAcked(w, acked); });
    w.acked_lines.append(key).push_back('\n');
    ++w.acked_pending;
}

// The load of one connection, request after request until the end (see LoadOptions::rate).
Task<void> Drive(Connection& c, Shared& shared) {
    const LoadOptions& o = shared.options;
    ThreadStats& st = c.worker.stats;
    const bool open_loop = o.rate > 0;
    const uint64_t n = static_cast<uint64_t>(o.connections);
    const auto timeout = Seconds(o.timeout_s);
    const auto drain_end = shared.deadline + kDrain;
    Timer timer(co_await asio::this_coro::executor);
    ErrorCode ec;
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
                co_await timer.async_wait(asio::redirect_error(kAwait, ec));
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
            if (auto failure = co_await Connect(c, Seconds(o.timeout_s))) {
                st.CountError("connect: " + failure.Kind());
                if (!open_loop) {
                    timer.expires_at(std::min(Clock::now() + backoff, shared.deadline));
                    co_await timer.async_wait(asio::redirect_error(kAwait, ec));
                    backoff = std::min<Clock::duration>(backoff * 2, kMaxBackoff);
                }
                continue;
            }
        }

        Request request = shared.scenario.Next(c.state);
        ++c.state.seq;
        SerializeRequest(request, c);
        const Clock::time_point sent_at = Clock::now();
        if (!open_loop) intended = sent_at;
        const Clock::time_point expiry = std::min(sent_at + timeout, drain_end);
        if (auto failure = co_await Exchange(c, expiry)) {
            Close(c);
            if (failure.timeout && expiry == drain_end) {
                ++st.abandoned;
            } else {
                st.CountError(failure.Kind());
            }
            continue;
        }
        backoff = kFirstBackoff;

        const auto latency = static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - intended).count());
        st.latency.Record(latency);
        ++st.completed;
        const unsigned status = c.reader.status();
        CountStatus(st, status);
        if (!request.label.empty()) {
            LabelReport& label = st.by_label[request.label];
            ++label.completed;
            if (status / 100 == 2) ++label.status_2xx;
            label.latency.Record(latency);
        }
        shared.scenario.OnResponse(c.state, request,
                                   Response{.status = status, .body = c.reader.body()});
        if (status / 100 == 2 && !request.idempotency_key.empty() && shared.acked.is_open()) {
            NoteAcked(c.worker, shared.acked, request.idempotency_key);
        }
        if (c.reader.keep_alive()) {
            c.reader.Next();
        } else {
            Close(c);
        }
    }
}

// Crash loudly on an exception escaping a coroutine: it would be a bug in the engine.
void RethrowIfSet(std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
}

// Runs `task(connection)` for each of `connections` on its worker's thread, with a watchdog per
// worker, one thread per worker (the caller's is the first), until all are done.
template <class MakeTask>
void RunPhase(std::vector<std::unique_ptr<Worker>>& workers,
              const std::vector<Connection*>& connections, MakeTask make_task) {
    for (Connection* c : connections) {
        Worker& w = c->worker;
        ++w.running;
        asio::co_spawn(w.io, make_task(*c), [&w](std::exception_ptr e, auto&&...) {
            RethrowIfSet(e);
            --w.running;
        });
    }
    for (auto& w : workers) {
        if (w->running > 0) asio::co_spawn(w->io, Watchdog(*w), RethrowIfSet);
    }
    std::vector<std::thread> threads;
    for (size_t t = 1; t < workers.size(); ++t) {
        threads.emplace_back([&io = workers[t]->io] { io.run(); });
    }
    workers[0]->io.run();
    for (auto& thread : threads) thread.join();
    for (auto& w : workers) w->io.restart();
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
        ErrorCode ec;
        const auto address = asio::ip::make_address(target.address, ec);
        if (ec) return InvalidArgument("bad address " + target.address);
        endpoints.emplace_back(address, target.port);
    }

    Shared shared(options, scenario, acked);
    const int thread_count = std::min(options.threads, options.connections);
    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < thread_count; ++t) workers.push_back(std::make_unique<Worker>());
    std::vector<std::unique_ptr<Connection>> owned;
    std::vector<Connection*> connections;
    for (int i = 0; i < options.connections; ++i) {
        const size_t to = static_cast<size_t>(i) % endpoints.size();
        Worker& w = *workers[static_cast<size_t>(i % thread_count)];
        auto c = std::make_unique<Connection>(w, options.targets[to], endpoints[to]);
        c->state.conn = i;
        c->state.run_id = options.run_id;
        w.connections.push_back(c.get());
        connections.push_back(c.get());
        owned.push_back(std::move(c));
    }

    // Logins go one at a time: the server counts parallel attempts on one account against its
    // login limit, and each costs an Argon2id hash (64 MiB) there. Then the other connections
    // connect together and share those sessions.
    const size_t sessions =
        options.login_path.empty() ? 0
        : options.sessions > 0 ? std::min(connections.size(), static_cast<size_t>(options.sessions))
                               : connections.size();
    // Each connection's coroutine writes its own element: no two threads share one.
    std::vector<Status> prepared(connections.size());
    auto prepare = [&](bool log_in) {
        return [&, log_in](Connection& c) -> Task<void> {
            prepared[static_cast<size_t>(c.state.conn)] = co_await Prepare(c, shared, log_in);
        };
    };
    for (size_t i = 0; i < sessions; ++i) {
        RunPhase(workers, {connections[i]}, prepare(true));
        if (!prepared[i].ok()) return std::move(prepared[i]).error();
    }
    RunPhase(workers, std::vector<Connection*>(connections.begin() + sessions, connections.end()),
             prepare(false));
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
    RunPhase(workers, connections, [&](Connection& c) { return Drive(c, shared); });
    const Clock::time_point end = Clock::now();

    LoadReport report;
    report.open_loop = options.rate > 0;
    report.rate = options.rate;
    report.connections = options.connections;
    report.threads = thread_count;
    report.elapsed_s = std::chrono::duration<double>(end - shared.start).count();
    for (auto& w : workers) {
        const ThreadStats& st = w->stats;
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
