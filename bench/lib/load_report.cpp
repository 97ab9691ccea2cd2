#include "bench/lib/load_report.hpp"

#include <cmath>
#include <cstdio>

namespace bulwark::bench {
namespace {

struct Quantile {
    const char* name;
    double q;
};
constexpr Quantile kQuantiles[] = {{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}, {"p99_9", 0.999}};

double Millis(double nanos) { return std::round(nanos / 1e3) / 1e3; }  // to the microsecond

std::string Format(const char* format, auto... args) {
    char line[256];
    std::snprintf(line, sizeof line, format, args...);
    return line;
}

boost::json::object LatencyJson(const LatencyHistogram& h) {
    boost::json::object latency;
    for (const auto& [name, q] : kQuantiles) {
        latency[name] = Millis(static_cast<double>(h.ValueAtQuantile(q)));
    }
    latency["max"] = Millis(static_cast<double>(h.max()));
    latency["mean"] = Millis(h.Mean());
    return latency;
}

}  // namespace

boost::json::object ReportToJson(const LoadReport& r) {
    boost::json::object latency = LatencyJson(r.latency);

    boost::json::object kinds;
    for (const auto& [kind, count] : r.error_kinds) kinds[kind] = count;

    boost::json::object json;
    json["mode"] = r.open_loop ? "open" : "closed";
    if (r.open_loop) {
        json["rate"] = r.rate;
    } else {
        json["rate"] = nullptr;
    }
    json["connections"] = r.connections;
    json["threads"] = r.threads;
    json["elapsed_s"] = std::round(r.elapsed_s * 1e3) / 1e3;
    json["sent"] = r.sent;
    json["completed"] = r.completed;
    json["status_2xx"] = r.status_2xx;
    json["status_3xx"] = r.status_3xx;
    json["status_4xx"] = r.status_4xx;
    json["status_5xx"] = r.status_5xx;
    json["status_other"] = r.status_other;
    json["errors"] = r.errors;
    json["unsent"] = r.unsent;
    json["abandoned"] = r.abandoned;
    json["acked"] = r.acked;
    json["acked_write_failures"] = r.acked_write_failures;
    json["throughput_rps"] = std::round(r.Throughput() * 10) / 10;
    json["latency_ms"] = std::move(latency);
    json["error_kinds"] = std::move(kinds);
    boost::json::object labels;
    for (const auto& [name, label] : r.by_label) {
        const double elapsed = r.elapsed_s > 0 ? r.elapsed_s : 1;
        labels[name] = {{"completed", label.completed},
                        {"status_2xx", label.status_2xx},
                        {"ok_per_s", std::round(label.status_2xx / elapsed * 10) / 10},
                        {"latency_ms", LatencyJson(label.latency)}};
    }
    json["by_label"] = std::move(labels);
    return json;
}

std::string ReportToText(const LoadReport& r) {
    std::string text;
    if (r.open_loop) {
        text += Format("open loop at %.0f requests/s, %d connections, %d threads, %.2f s\n", r.rate,
                       r.connections, r.threads, r.elapsed_s);
    } else {
        text += Format("closed loop, %d connections, %d threads, %.2f s\n", r.connections,
                       r.threads, r.elapsed_s);
    }
    text += Format(
        "requests   %llu sent, %llu answered: %llu 2xx, %llu 4xx, %llu 5xx, %llu other\n",
        static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.completed),
        static_cast<unsigned long long>(r.status_2xx),
        static_cast<unsigned long long>(r.status_4xx),
        static_cast<unsigned long long>(r.status_5xx),
        static_cast<unsigned long long>(r.status_3xx + r.status_other));
    text +=
        Format("errors     %llu (connection), %llu unsent (backlog), %llu abandoned at the end\n",
               static_cast<unsigned long long>(r.errors), static_cast<unsigned long long>(r.unsent),
               static_cast<unsigned long long>(r.abandoned));
    for (const auto& [kind, count] : r.error_kinds) {
        text +=
            Format("           %llu x %s\n", static_cast<unsigned long long>(count), kind.c_str());
    }
    text += Format("throughput %.0f requests/s\n", r.Throughput());
    text += "latency ms";
    for (const auto& [name, q] : kQuantiles) {
        text += Format(" %s %.3f", name, Millis(static_cast<double>(r.latency.ValueAtQuantile(q))));
    }
    text += Format(" max %.3f\n", Millis(static_cast<double>(r.latency.max())));
    for (const auto& [name, label] : r.by_label) {
        text += Format("%-10s %llu answered, %llu 2xx (%.0f/s); ms", name.c_str(),
                       static_cast<unsigned long long>(label.completed),
                       static_cast<unsigned long long>(label.status_2xx),
                       r.elapsed_s > 0 ? label.status_2xx / r.elapsed_s : 0.0);
        for (const auto& [qname, q] : kQuantiles) {
            text += Format(" %s %.3f", qname,
                           Millis(static_cast<double>(label.latency.ValueAtQuantile(q))));
        }
        text += "\n";
    }
    if (r.acked > 0 || r.acked_write_failures > 0) {
        text += Format("acked keys %llu written, %llu failed writes\n",
                       static_cast<unsigned long long>(r.acked),
                       static_cast<unsigned long long>(r.acked_write_failures));
    }
    return text;
}

}  // namespace bulwark::bench
