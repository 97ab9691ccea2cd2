"""The figures bench/run prints, one function each, run in the order of FIGURES.

A figure function takes the Bench (bench_run.py) and returns a list of Row. It may use the value
of an earlier row as its ceiling through bench.value(name). To add a figure (scans/s, import
rows/s, coverage query), write a function here and list it in FIGURES; bench/README.md says what
each figure means.
"""

import os
import re
from dataclasses import dataclass

from harness import HarnessError, note, run_json

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


FIGURES = [http_ceiling, storage_ceiling, generate, app_healthz, app_write, app_memory]
