"""The figures bench/run prints, one function each, run in the order of FIGURES.

A figure function takes the Bench (bench_run.py) and returns a list of Row. It may use the value
of an earlier row as its ceiling through bench.value(name). To add a figure (scans/s, import
rows/s, coverage query), write a function here and list it in FIGURES; bench/README.md says what
each figure means.
"""

import json
import math
import os
import re
import time
from dataclasses import dataclass

from harness import ApiClient, HarnessError, note, query_column, run_json

MIB = 1024 * 1024
# The write load's body: the same row as bench_storage_ceiling inserts (a fresh key each).
WRITE_BODY = '{"key":"{key}","message":"bench write","page":"/bench"}'


@dataclass
class Row:
    name: str
    value: float | None
    unit: str
    ceiling: float | None = None

    @property
    def ratio(self):
        if self.value is None or not self.ceiling:
            return None
        return round(self.value / self.ceiling, 2)


def http_ceiling(bench):
    """The HTTP stack alone: bench_ceiling_server answering {"ok":true}, closed loop."""
    server = bench.start_server("ceiling", [bench.binary("bench/bench_ceiling_server"),
                                            "--listen", "127.0.0.1:0", "--threads", "2"])
    report = bench.load(server.url, "--get", "/")
    server.stop()
    return [
        Row("ceiling_get_rps", report["throughput_rps"], "requests/s"),
        Row("ceiling_get_p99", report["latency_ms"]["p99"], "ms"),
    ]


def storage_ceiling(bench):
    """The storage alone: the write route's rows inserted durably by bench_storage_ceiling into
    a fresh database of the same driver, as many rows in flight as the load has connections
    (SQLite: one writer, 64 rows per commit; PostgreSQL: 8 writers, 8 rows per commit)."""
    binary = bench.binary("bench/bench_storage_ceiling")
    if binary is None:
        note("skipping the storage ceiling: bench_storage_ceiling is not built")
        return []
    threads = 8 if bench.db == "postgres" else 1
    env = None
    if bench.db == "postgres":
        env = dict(os.environ, BULWARK_TEST_PG=bench.postgres_server())
    note(f"inserting rows for {bench.duration_s} s ({threads} writers)")
    report = run_json("bench_storage_ceiling",
                      [binary, "--db", bench.db, "--threads", threads, "--rows-per-commit",
                       64 // threads, "--duration", bench.duration_s, "--json"],
                      bench.duration_s + 60, env=env)
    return [
        Row("storage_ceiling_rps", report["rows_per_s"], "rows/s"),
        Row("storage_commit_p99", report["commit_latency_ms"]["p99"], "ms"),
    ]


def generate(bench):
    """`bulwark generate --scale S` into the app's empty database: the whole command's time
    (start, migrations, keys, rows, indexes) and residents written per second of it."""
    if bench.bulwark() is None:
        return []
    note(f"generating the {bench.scale} population")
    seconds, out = bench.run_bulwark("generate", "--scale", bench.scale)
    match = re.search(r"居民 ([\d,]+) 人", out)
    if not match:
        raise HarnessError(f"cannot read the resident count in bulwark generate's output:\n{out}")
    bench.residents = int(match.group(1).replace(",", ""))
    bench.generated = True
    return [
        Row("generate_s", seconds, "s"),
        Row("generate_rps", bench.residents / seconds, "residents/s"),
    ]


def app_healthz(bench):
    """The app's cheapest route, GET /healthz, against the ceiling."""
    app = bench.app()
    if app is None:
        return []
    report = bench.load(app.url, "--get", "/healthz")
    return [
        Row("healthz_rps", report["throughput_rps"], "requests/s", bench.value("ceiling_get_rps")),
        Row("healthz_p99", report["latency_ms"]["p99"], "ms", bench.value("ceiling_get_p99")),
    ]


def app_write(bench):
    """The durable write route, POST /api/v1/client-errors, signed in, a fresh idempotency key
    per request: 2xx only once the row is committed. On PostgreSQL the connections are shared
    by the servers on the one database. Against the storage ceiling."""
    apps = bench.apps()
    if not apps:
        return []
    report = bench.load([app.url for app in apps], "--post", "/api/v1/client-errors", "--body",
                        WRITE_BODY, *bench.login_args())
    return [
        Row("write_rps", report["status_2xx"] / report["elapsed_s"], "writes/s",
            bench.value("storage_ceiling_rps")),
        Row("write_p99", report["latency_ms"]["p99"], "ms", bench.value("storage_commit_p99")),
    ]


def app_memory(bench):
    """The app's resident memory (VmRSS) after all the load above, on the generated database;
    last, so it sees it all. Per resident: VmRSS divided by the residents generated."""
    app = bench.app()
    if app is None:
        return []
    rss = app.rss_bytes()
    rows = [Row("server_rss", None if rss is None else rss / MIB, "MiB")]
    if bench.generated and rss is not None:
        rows.append(Row("rss_per_resident", rss / bench.residents, "bytes/resident"))
    return rows


# The sampling load (issues 5 and 8): scanners at tables, each connection one table.
SCAN_POOL_SIZE = 10
SCAN_OPEN_LOOP_RATE = 10_000   # scans/s offered in the open loop (issue 5's figure)
SCAN_OPEN_LOOP_CONNECTIONS = 256
SCAN_MAX_RATE = 40_000         # scans/s a closed loop could reach at most: sizes its rounds
TABLES_PER_SITE = 64
SCAN_COMMUNITY = 1             # the bench account's scope (community:1)


def _sampling_world(bench):
    """The administrator's API client and the code tokens of the residents of community 1 (as
    their printed cards carry them). Made once."""
    if getattr(bench, "_sampling", None):
        return bench._sampling
    admin = ApiClient(bench.apps()[0].url, *bench.admin_login)
    codes = query_column(bench.database_url(), bench.data_dir / "bulwark.db",
                         f"SELECT code_token FROM residents WHERE community_id = {SCAN_COMMUNITY}"
                         " ORDER BY id")
    if len(codes) < SCAN_POOL_SIZE:
        raise HarnessError(f"community {SCAN_COMMUNITY} has {len(codes)} residents: too few")
    bench._sampling = {"admin": admin, "codes": codes, "sites_made": 0, "rounds_made": 0}
    return bench._sampling


def _sampling_plan(bench, scans, connections):
    """A plan file for one load of at most `scans` scans by `connections` scanners: fresh sites
    with a table for each (so that no table has a tube left open by an earlier load) and fresh
    rounds (open now, pool SCAN_POOL_SIZE, over community 1, at those sites), enough that no
    resident is scanned twice in a round."""
    world = _sampling_world(bench)
    admin = world["admin"]
    tables = []
    for _ in range(math.ceil(connections / TABLES_PER_SITE)):
        world["sites_made"] += 1
        site = admin.post("/api/v1/sites", {
            "community_id": SCAN_COMMUNITY, "name": f"压测采样点{world['sites_made']}",
            "tables": [{"name": f"{t + 1}号台"} for t in range(TABLES_PER_SITE)]})
        tables += [[site["id"], table["id"]] for table in site["tables"]]
    usable = len(world["codes"]) // SCAN_POOL_SIZE * SCAN_POOL_SIZE
    now = int(time.time() * 1000)
    rounds = []
    for _ in range(max(1, math.ceil(scans / usable))):
        world["rounds_made"] += 1
        created = admin.post("/api/v1/rounds", {
            "community_id": SCAN_COMMUNITY, "name": f"压测轮次{world['rounds_made']}",
            "kind": "whole", "scope": {"kind": "community"}, "starts_at": now - 3_600_000,
            "ends_at": now + 6 * 3_600_000, "pool_size": SCAN_POOL_SIZE,
            "site_ids": sorted({site for site, _ in tables})})
        rounds.append(created["id"])
    path = bench.tmp / f"sampling-plan-{world['rounds_made']}.json"
    path.write_text(json.dumps({"tables": tables, "rounds": rounds,
                                "pool_size": SCAN_POOL_SIZE, "codes": world["codes"]}))
    return path


def _scan_load(bench, scans, *args, connections):
    """One sampling load on every app server; returns (report, its "scan" label, missing): the
    keys acknowledged 2xx (in the acked-key log) that the database does not hold answered 2xx
    (must be 0)."""
    plan = _sampling_plan(bench, scans, connections)
    world = _sampling_world(bench)
    run_id = f"{os.getpid() % 0xffffff:06x}{world['rounds_made'] % 0xffffff:06x}"
    acked = bench.tmp / f"acked-{run_id}.txt"
    report = bench.load([app.url for app in bench.apps()], "--sampling", plan, "--run-id", run_id,
                        "--acked-file", acked, *args, *bench.login_args(),
                        connections=connections)
    labels = report.get("by_label", {})
    scan = labels.get("scan", {"completed": 0, "status_2xx": 0, "ok_per_s": 0,
                               "latency_ms": {"p50": None, "p99": None, "p99_9": None}})
    if report.get("refusals"):
        note(f"refused: {report['refusals']}")
    # Requests answered after the load gave up on them are stored but not acknowledged: only
    # acknowledged keys missing from the database count.
    keys = set(acked.read_text().split()) if acked.exists() else set()
    stored = set(query_column(bench.database_url(), bench.data_dir / "bulwark.db",
                              "SELECT request_key FROM sampling_requests WHERE status < 300 AND "
                              f"request_key LIKE '{run_id}-%'"))
    missing = len(keys - stored)
    if missing:
        note(f"error: {missing} acknowledged keys are not in the database")
    return report, scan, missing


def scan_storage_ceiling(bench):
    """The storage alone for scans: the rows of an accepted scan (sample, tube count, live
    counter, chained audit row, stored answer, a tube per pool) inserted durably into a fresh
    database of the same driver, as many in flight as the load has connections."""
    binary = bench.binary("bench/bench_storage_ceiling")
    if binary is None or bench.bulwark() is None:
        return []
    threads = 8 if bench.db == "postgres" else 1
    env = None
    if bench.db == "postgres":
        env = dict(os.environ, BULWARK_TEST_PG=bench.postgres_server())
    note(f"inserting scan rows for {bench.duration_s} s ({threads} writers)")
    try:
        report = run_json("bench_storage_ceiling",
                          [binary, "--db", bench.db, "--rows", "scan", "--pool-size",
                           SCAN_POOL_SIZE, "--threads", threads, "--rows-per-commit",
                           64 // threads, "--duration", bench.duration_s, "--json"],
                          bench.duration_s + 60, env=env)
    except HarnessError as error:  # an older tool without --rows scan: the loads still run
        note(f"skipping the scan storage ceiling: {error}")
        return []
    return [
        Row("scan_storage_ceiling_rps", report["rows_per_s"], "scans/s"),
        Row("scan_commit_p50", report["commit_latency_ms"]["p50"], "ms"),
        Row("scan_commit_p99", report["commit_latency_ms"]["p99"], "ms"),
    ]


def app_sampling(bench):
    """Scanners at tables (bench_loadgen --sampling): closed loop at saturation with 64 tables,
    then open loop at SCAN_OPEN_LOOP_RATE scans/s offered (and, when that is not held, at 70% of
    the saturation rate)."""
    if not bench.apps():
        return []
    closed, scan, missing = _scan_load(bench, SCAN_MAX_RATE * bench.duration_s, connections=64)
    scan_rps = scan["status_2xx"] / closed["elapsed_s"]
    requests_rps = closed["status_2xx"] / closed["elapsed_s"]
    rows = [
        Row("scan_rps", scan_rps, "scans/s", bench.value("scan_storage_ceiling_rps")),
        Row("scan_requests_rps", requests_rps, "requests/s", bench.value("ceiling_get_rps")),
        Row("scan_p50", scan["latency_ms"]["p50"], "ms", bench.value("scan_commit_p50")),
        Row("scan_p99", scan["latency_ms"]["p99"], "ms", bench.value("scan_commit_p99")),
        Row("scan_p999", scan["latency_ms"]["p99_9"], "ms"),
    ]
    lost = missing

    # The same closed loop with as many scanners as the open loop: no worker waits for a scan's
    # commit, so more scanners in flight make fuller group commits.
    many, many_scan, missing = _scan_load(bench, SCAN_MAX_RATE * bench.duration_s,
                                          connections=SCAN_OPEN_LOOP_CONNECTIONS)
    lost += missing
    rows += [
        Row("scan_many_rps", many_scan["status_2xx"] / many["elapsed_s"], "scans/s",
            bench.value("scan_storage_ceiling_rps")),
        Row("scan_many_p99", many_scan["latency_ms"]["p99"], "ms"),
    ]

    def open_loop(offered, prefix):
        # Tube opens are 1 request in pool + 1: the schedule carries them on top of the scans.
        rate = offered * (SCAN_POOL_SIZE + 1) / SCAN_POOL_SIZE
        nonlocal lost
        report, scan, missing = _scan_load(bench, offered * bench.duration_s * 1.1 + 10_000,
                                           "--rate", round(rate),
                                           connections=SCAN_OPEN_LOOP_CONNECTIONS)
        lost += missing
        accepted = scan["status_2xx"] / report["elapsed_s"]
        held = (report["unsent"] == 0 and report["errors"] == 0 and
                scan["status_2xx"] >= 0.99 * offered * bench.duration_s)
        note(f"open loop at {offered} scans/s: {accepted:.0f} accepted/s, "
             f"p99 {scan['latency_ms']['p99']} ms, {report['unsent']} unsent "
             f"({'held' if held else 'not held'})")
        return held, [
            Row(f"{prefix}_offered", offered, "scans/s"),
            Row(f"{prefix}_rps", accepted, "scans/s", offered),
            Row(f"{prefix}_p99", scan["latency_ms"]["p99"], "ms"),
            Row(f"{prefix}_p999", scan["latency_ms"]["p99_9"], "ms"),
        ]

    held, open_rows = open_loop(SCAN_OPEN_LOOP_RATE, "scan_open")
    rows += open_rows
    if not held:
        lower = int(scan_rps * 0.7 // 100 * 100)
        if 0 < lower < SCAN_OPEN_LOOP_RATE:
            rows += open_loop(lower, "scan_held")[1]
    rows.append(Row("scan_acked_missing", lost, "keys"))
    return rows


FIGURES = [http_ceiling, storage_ceiling, generate, app_healthz, app_write, scan_storage_ceiling,
           app_sampling, app_memory]
