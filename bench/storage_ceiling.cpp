// bench_storage_ceiling: the storage ceiling of the durable write route. Inserts the rows that
// POST /api/v1/client-errors stores, with the same statement (SystemStore::RecordClientError),
// or with `--rows scan` the rows of accepted scans (POST /api/v1/sampling/scans) with the same
// store calls as scans written together (SamplingService::ScansTogether, one group per
// transaction): the reads of the group's plan, the samples, the tubes' counts (and their close
// at the pool size), the live counter, the chained audit rows and the answers under the keys,
// plus a tube opened per pool as the scanner does (`--pool-size`),
// into a fresh database of the same driver with the same durability (SQLite: WAL with
// synchronous=FULL; PostgreSQL: synchronous_commit on), through src/db, but without HTTP,
// sessions, JSON or a queue: `--threads` writers each commit transactions of `--rows-per-commit`
// rows, one after another, for `--duration` seconds. What it sustains is the most durable writes
// of these rows the database gives on this machine; bench/run sets threads × rows to the load's
// connections, so that both have as many rows in flight.
//
//   bench_storage_ceiling --db sqlite --rows-per-commit 64 --duration 3 --json
//   BULWARK_TEST_PG=postgresql://... bench_storage_ceiling --db postgres --threads 8 ...
//
// The database is a fresh one (db/testing/TempDatabase: a SQLite file under $TMPDIR, or a new
// database on $BULWARK_TEST_PG's server), removed at the end.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include "auth/account_store.hpp"
#include "auth/audit_key.hpp"
#include "auth/audit_log.hpp"
#include "bench/lib/latency_histogram.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/testing/temp_database.hpp"
#include "system/system_store.hpp"
#include "testing/model.hpp"
#include "testing/request_store.hpp"
#include "testing/sampling_store.hpp"
#include "testing/site_store.hpp"
#include "testing/testing_schema.hpp"

namespace {

using bulwark::Status;
using bulwark::bench::LatencyHistogram;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string driver = "sqlite";
    int threads = 1;
    int rows_per_commit = 64;
    double duration_s = 3;
    std::string rows = "client_error";  // or "scan"
    int pool_size = 10;
};

struct WriterResult {
    uint64_t rows = 0;
    uint64_t commits = 0;
    LatencyHistogram commit_latency;  // nanoseconds, one value per transaction
    std::string error;
};

// The same content as bench/run's write load: a short message and page, a unique key.
bulwark::system::ClientError RowFor(int writer, uint64_t n) {
    return {.key = "ceiling-" + std::to_string(writer) + "-" + std::to_string(n),
            .message = "bench write",
            .page = "/bench",
            .user_agent = "",
            .received_at = 1'700'000'000'000};
}

// A scanner's table and its tube. Tube opened every pool.
struct ScanWriter {
    int64_t tube_id = 0;
    std::string barcode;
    int filled = 0;
};

constexpr int64_t kRound = 1;
constexpr int64_t kSite = 1;
constexpr int64_t kAt = 1'700'000'000'000;

// The writes of one group commit's scans, one from each of the writer's scanners (as a group
// holds scans from several tables), as SamplingService::ScansTogether makes them:
// the reads of its plan (keys, tubes, earlier samples; not the people, whom the registry
// holds), then a multi-row statement each for the samples, the tubes' counts, the live
// counter, the chained audit rows and the answers under the keys (of a real answer's size).
// The scanners' tube openings are writes of their own, one statement each, as in the app.
Status WriteScans(bulwark::db::Session& s, const Options& o, int writer, uint64_t n,
                  std::vector<ScanWriter>& scanners) {
    namespace t = bulwark::testing;
    const int rows = static_cast<int>(scanners.size());
    std::vector<std::string> keys;
    std::vector<std::string> barcodes;
    std::vector<t::SamplingStore::SampleProbe> probes;
    std::vector<t::Sample> samples;
    std::vector<t::SamplingStore::TubeFilled> filled;
    std::vector<t::CounterDelta> deltas;
    for (int i = 0; i < rows; ++i) {
        ScanWriter& w = scanners[static_cast<size_t>(i)];
        const int64_t table = static_cast<int64_t>(writer) * rows + i + 1;
        const std::string tag = std::to_string(writer) + "-" + std::to_string(n + i);
        if (w.tube_id == 0 || w.filled >= o.pool_size) {
            t::Tube tube{.round_id = kRound,
                         .site_id = kSite,
                         .table_id = table,
                         .barcode = "C" + tag,
                         .pool_size = o.pool_size,
                         .opened_at = kAt,
                         .opened_by = 1};
            ASSIGN_OR_RETURN(auto id, t::SamplingStore::InsertTube(s, tube));
            if (!id) return bulwark::Internal("tube not inserted");
            RETURN_IF_ERROR(t::SamplingStore::Count(s, {.round_id = kRound,
                                                        .site_id = kSite,
                                                        .table_id = table,
                                                        .hour_start = kAt,
                                                        .shard = s.connection_slot(),
                                                        .tubes_opened = 1}));
            w = {*id, tube.barcode, 0};
        }
        filled.push_back({.tube_id = w.tube_id, .was = w.filled, .count = w.filled + 1});
        barcodes.push_back(w.barcode);
        ++w.filled;
        if (w.filled >= o.pool_size) filled.back().closed_at = kAt;
        deltas.push_back({.round_id = kRound,
                          .site_id = kSite,
                          .table_id = table,
                          .hour_start = kAt,
                          .shard = s.connection_slot(),
                          .samples = 1,
                          .tubes_closed = w.filled >= o.pool_size ? 1 : 0});
        samples.push_back({.round_id = kRound,
                           .resident_id = static_cast<int64_t>(n + i) * 64 + writer + 1,
                           .tube_id = w.tube_id,
                           .site_id = kSite,
                           .table_id = table,
                           .scanned_at = kAt,
                           .received_at = kAt,
                           .scanned_by = 1});
        probes.push_back({.round_id = kRound, .resident_id = samples.back().resident_id});
        keys.push_back("scan-ceiling-" + tag);
    }
    // As the app's group: its reads in two batches, its writes in two (one round trip each on
    // PostgreSQL).
    bulwark::db::Batch reads;
    std::vector<t::StoredRequest> stored;
    t::RequestStore::FindAll(reads, keys, &stored);
    std::vector<t::TubeAtSite> tubes;
    t::SamplingStore::TubesByBarcodes(reads, barcodes, &tubes);
    std::vector<t::Sample> earlier;
    RETURN_IF_ERROR(reads.Run(s));
    t::SamplingStore::SamplesAt(reads, probes, &earlier);
    RETURN_IF_ERROR(reads.Run(s));
    if (!stored.empty()) return bulwark::Internal("a key stored already");
    if (tubes.size() != barcodes.size()) return bulwark::Internal("a tube not found");
    if (!earlier.empty()) return bulwark::Internal("sampled already");
    bulwark::db::Batch writes;
    std::vector<int64_t> ids;
    bool samples_in = true;
    t::SamplingStore::InsertSamples(writes, samples, &ids, &samples_in);
    bool all_filled = true;
    t::SamplingStore::FillTubes(writes, filled, &all_filled);
    t::SamplingStore::CountAll(writes, deltas);
    RETURN_IF_ERROR(writes.Run(s));
    if (!samples_in) return bulwark::Internal("samples not inserted");
    if (!all_filled) return bulwark::Internal("tubes not filled");
    std::vector<bulwark::auth::AuditEntry> audits;
    std::vector<t::StoredRequest> answers;
    for (size_t i = 0; i < samples.size(); ++i) {
        audits.push_back({.user_id = 1,
                          .username = "bench",
                          .role = "scanner",
                          .scope = "community:1",
                          .action = "sampling.scan",
                          .subject_kind = "resident",
                          .subject_id = samples[i].resident_id,
                          .detail = "{\"sample_id\":" + std::to_string(ids[i]) +
                                    ",\"tube_id\":" + std::to_string(samples[i].tube_id) + "}",
                          .client_address = "127.0.0.1",
                          .request_id = "0123456789abcdef",
                          .at = kAt});
        answers.push_back({.key = keys[i],
                           .user_id = 1,
                           .kind = "scan",
                           .hash = std::string(16, 'h'),
                           .status = 201,
                           .body = std::string(330, 'b'),
                           .created_at = kAt});
    }
    RETURN_IF_ERROR(bulwark::auth::AuditLog::AppendAll(s, writes, audits));
    bool all_stored = true;
    t::RequestStore::InsertAll(writes, answers, &all_stored);
    RETURN_IF_ERROR(writes.Run(s));
    if (!all_stored) return bulwark::Internal("keys not stored");
    return bulwark::Ok();
}

void Write(bulwark::db::Database& db, const Options& o, int writer, Clock::time_point deadline,
           WriterResult& out) {
    uint64_t n = 0;
    std::vector<ScanWriter> scanners(static_cast<size_t>(o.rows_per_commit));
    while (Clock::now() < deadline) {
        const auto start = Clock::now();
        const std::vector<ScanWriter> before = scanners;
        Status status = db.Write([&](bulwark::db::Session& s) -> Status {
            scanners = before;  // a retried transaction starts from the same tubes
            if (o.rows == "scan") {
                return WriteScans(s, o, writer, n, scanners);
            }
            for (int i = 0; i < o.rows_per_commit; ++i) {
                auto stored =
                    bulwark::system::SystemStore::RecordClientError(s, RowFor(writer, n + i));
                if (!stored.ok()) return stored.error();
            }
            return bulwark::Ok();
        });
        if (!status.ok()) {
            out.error = status.error().message;
            return;
        }
        n += static_cast<uint64_t>(o.rows_per_commit);
        out.commit_latency.Record(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count()));
        ++out.commits;
    }
    out.rows = n;
}

double Millis(uint64_t nanos) { return static_cast<double>(nanos) / 1e6; }

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"Durable inserts of the write route's rows, without HTTP: the storage ceiling."};
    Options o;
    bool json = false;
    cli.add_option("--db", o.driver, "sqlite or postgres (a new database on $BULWARK_TEST_PG)")
        ->check(CLI::IsMember({"sqlite", "postgres"}));
    cli.add_option("--threads", o.threads, "writers, each committing one transaction at a time")
        ->check(CLI::Range(1, 64));
    cli.add_option("--rows-per-commit", o.rows_per_commit, "rows in each transaction")
        ->check(CLI::Range(1, 100000));
    cli.add_option("-d,--duration", o.duration_s, "seconds")->check(CLI::PositiveNumber);
    cli.add_option("--rows", o.rows, "client_error (the write route's) or scan (a scan's)")
        ->check(CLI::IsMember({"client_error", "scan"}));
    cli.add_option("--pool-size", o.pool_size, "with --rows scan: scans per tube")
        ->check(CLI::Range(1, 20));
    cli.add_flag("--json", json, "print one JSON object");
    CLI11_PARSE(cli, argc, argv);
    spdlog::set_level(spdlog::level::warn);  // stdout is for the result

    auto temp = bulwark::db::testing::TempDatabase::Create(o.driver, "bulwark_storage_ceiling");
    if (!temp.ok()) {
        std::fprintf(stderr, "bench_storage_ceiling: %s\n", temp.error().message.c_str());
        return 1;
    }
    int exit_code = 0;
    {
        // Writer connections as the app opens them, at least one per thread on PostgreSQL.
        auto db = bulwark::db::Open({.url = (*temp)->url(), .writers = std::max(4, o.threads)});
        if (!db.ok()) {
            std::fprintf(stderr, "bench_storage_ceiling: %s\n", db.error().message.c_str());
            return 1;
        }
        bulwark::db::MigrationSet migrations;
        migrations.Add(bulwark::system::Migrations());
        if (o.rows == "scan") {
            bulwark::auth::AuditLog::UseKey(bulwark::auth::AuditKey::Random());
            migrations.Add(bulwark::auth::AuditLog::Migrations());
            migrations.Add(bulwark::auth::AccountMigrations());
            migrations.Add(bulwark::testing::Migrations());
        }
        if (auto migrated = bulwark::db::Migrate(**db, migrations); !migrated.ok()) {
            std::fprintf(stderr, "bench_storage_ceiling: %s\n", migrated.error().message.c_str());
            return 1;
        }
        if (o.rows == "scan") {
            // The site the tubes are at (a group's plan reads tubes with their site).
            auto site = (*db)->WriteValue([](bulwark::db::Session& s) {
                return bulwark::testing::SiteStore::InsertSite(
                    s, {.street_id = 1, .community_id = 1, .name = "ceiling"});
            });
            if (!site.ok() || *site != std::optional<int64_t>(kSite)) {
                std::fprintf(stderr, "bench_storage_ceiling: the site was not stored\n");
                return 1;
            }
        }

        std::vector<WriterResult> results(static_cast<size_t>(o.threads));
        const auto start = Clock::now();
        const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(o.duration_s));
        std::vector<std::thread> writers;
        for (int t = 0; t < o.threads; ++t) {
            writers.emplace_back([&, t] { Write(**db, o, t, deadline, results[t]); });
        }
        for (auto& writer : writers) writer.join();
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        (*db)->Close();

        WriterResult all;
        for (const WriterResult& r : results) {
            all.rows += r.rows;
            all.commits += r.commits;
            all.commit_latency.Merge(r.commit_latency);
            if (!r.error.empty()) all.error = r.error;
        }
        if (!all.error.empty()) {
            std::fprintf(stderr, "bench_storage_ceiling: %s\n", all.error.c_str());
            exit_code = 1;
        }
        const auto& h = all.commit_latency;
        if (json) {
            boost::json::object report{{"driver", o.driver},
                                       {"rows_kind", o.rows},
                                       {"threads", o.threads},
                                       {"rows_per_commit", o.rows_per_commit},
                                       {"elapsed_s", elapsed},
                                       {"rows", all.rows},
                                       {"commits", all.commits},
                                       {"rows_per_s", all.rows / elapsed},
                                       {"commits_per_s", all.commits / elapsed},
                                       {"commit_latency_ms",
                                        {{"p50", Millis(h.ValueAtQuantile(0.5))},
                                         {"p99", Millis(h.ValueAtQuantile(0.99))},
                                         {"max", Millis(h.max())}}}};
            std::printf("%s\n", boost::json::serialize(report).c_str());
        } else {
            std::printf(
                "%s, %d × %d rows per commit: %.0f rows/s, %.0f commits/s, "
                "commit p50 %.3f ms, p99 %.3f ms\n",
                o.driver.c_str(), o.threads, o.rows_per_commit, all.rows / elapsed,
                all.commits / elapsed, Millis(h.ValueAtQuantile(0.5)),
                Millis(h.ValueAtQuantile(0.99)));
        }
    }
    return exit_code;
}
