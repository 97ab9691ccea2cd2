"""bench/run: builds the release preset, starts the servers, measures every figure in
figures.FIGURES and prints one table (or a JSON array) of figures against this machine's
ceilings. See bench/README.md.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import figures
from harness import (REPO, HarnessError, Server, at_exit, create_postgres_database, note,
                     run_bulwark, run_loadgen, start_postgres)

# About how many residents `bulwark generate --scale` writes (the generator's plan; the table
# shows the count it reports).
SCALES = {"community": 6_000, "street": 60_000, "district": 1_098_000, "city": 17_568_000}
CONNECTIONS = 64
LOADGEN_THREADS = 2  # on 2 cores this measured the highest ceiling, as wrk -t2 does
DEFAULT_DURATION_S = 10
QUICK_DURATION_S = 3
# The account the write load signs in with (created by `bulwark user add` before the start).
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password-1"
# The administrator that sets the sampling load up (sites, rounds) through the API.
BENCH_ADMIN = "bench-admin"
# With --db postgres, this many `bulwark serve` processes share the one database.
POSTGRES_SERVERS = 2


class Bench:
    """What a figure function works with: the options, the binaries, a temporary folder, the
    servers (killed at exit) and the rows measured so far."""

    def __init__(self, args, build_dir, tmp):
        self.scale = args.scale
        self.residents = SCALES[args.scale]
        self.generated = False  # set once `bulwark generate` wrote self.residents residents
        self.db = args.db
        self.quick = args.quick
        self.duration_s = args.duration or (QUICK_DURATION_S if args.quick else DEFAULT_DURATION_S)
        self.build_dir = build_dir
        self.tmp = tmp
        self.data_dir = tmp / "app-data"
        self.rows = {}
        self.admin_login = (BENCH_ADMIN, BENCH_PASSWORD)  # sets the sampling load up
        self.load_average = os.getloadavg()  # 1, 5 and 15 minutes: others' work skews figures
        self._pg_server = None
        self._db_url = None
        self._apps = None
        self._app_missing_noted = False

    def binary(self, relative):
        """A built binary under the build folder, or None if it is not there."""
        path = self.build_dir / relative
        return path if path.is_file() and os.access(path, os.X_OK) else None

    def bulwark(self):
        """The bulwark binary, or None (noted once) when it is not built yet."""
        binary = self.binary("src/app/bulwark")
        if binary is None and not self._app_missing_noted:
            note(f"skipping app figures: {self.build_dir}/src/app/bulwark is not built")
            self._app_missing_noted = True
        return binary

    def value(self, name):
        """The value of an earlier row, for use as a ceiling."""
        row = self.rows.get(name)
        return row.value if row else None

    def postgres_server(self):
        """The PostgreSQL server for --db postgres: $BULWARK_TEST_PG when set, else a private
        one started with scripts/pg (stopped at exit). None for SQLite."""
        if self.db != "postgres":
            return None
        if self._pg_server is None:
            self._pg_server = os.environ.get("BULWARK_TEST_PG") or start_postgres(self.tmp)
        return self._pg_server

    def database_url(self):
        """None for SQLite (the app's default under --data); for PostgreSQL a fresh database
        on postgres_server(), created on first use and dropped at exit."""
        if self.db == "postgres" and self._db_url is None:
            self._db_url = create_postgres_database(self.postgres_server(),
                                                    f"bulwark_bench_{os.getpid()}")
        return self._db_url

    def run_bulwark(self, *args, stdin=None, timeout_s=None):
        """Runs the bulwark binary on the app's data folder and database; (seconds, stdout)."""
        return run_bulwark(self.bulwark(), self.data_dir, self.database_url(), *args,
                           stdin=stdin, timeout_s=timeout_s)

    def start_server(self, name, argv, env=None):
        if argv[0] is None:
            raise HarnessError(f"{name}: binary not built in {self.build_dir}")
        note(f"starting {name}")
        server = Server(name, argv, self.tmp / f"{name}.log", env=env)
        server.wait_until_listening()
        return server

    def apps(self):
        """The bulwark servers on the app's data folder, started once (with the benchmark's
        account) and kept for every figure: one on SQLite, POSTGRES_SERVERS sharing the database
        on PostgreSQL. None (noted once) when the binary is not built yet."""
        if self._apps is None:
            binary = self.bulwark()
            if binary is None:
                return None
            note(f"creating the account {BENCH_USER}")
            self.run_bulwark("user", "add", "--username", BENCH_USER, "--role", "scanner",
                             "--scope", "community:1", "--password-stdin",
                             stdin=BENCH_PASSWORD + "\n")
            self.run_bulwark("user", "add", "--username", BENCH_ADMIN, "--role", "administrator",
                             "--scope", "street:1", "--password-stdin",
                             stdin=BENCH_PASSWORD + "\n")
            argv = [binary, "--data", self.data_dir]
            if self.database_url():
                argv += ["--db", self.database_url()]
            count = POSTGRES_SERVERS if self.db == "postgres" else 1
            self._apps = [self.start_server(f"bulwark-{i + 1}",
                                            argv + ["serve", "--listen", "127.0.0.1:0"])
                          for i in range(count)]
        return self._apps

    def app(self):
        """The first (or only) bulwark server, or None when the binary is not built."""
        apps = self.apps()
        return apps[0] if apps else None

    def login_args(self):
        """bench_loadgen options to sign in as the benchmark's account: a few sessions, shared
        by the connections (each login costs an Argon2id hash, made one at a time)."""
        body = json.dumps({"username": BENCH_USER, "password": BENCH_PASSWORD})
        return ["--cookie-from-login", "/api/v1/auth/login", "--login-body", body,
                "--sessions", 2 if self.quick else 8]

    def load(self, urls, *args, connections=CONNECTIONS):
        """Closed loop (unless args say --rate), `connections` connections (shared among `urls`
        when a list), for the run's duration; returns the report. Errors and non-2xx answers are
        noted: the figure is still printed, so look at them."""
        shown = urls if isinstance(urls, str) else " ".join(urls)
        note(f"loading {shown} {' '.join(map(str, args))} for {self.duration_s} s")
        report = run_loadgen(self.binary("bench/bench_loadgen"), urls, self.duration_s,
                             "--connections", connections, "--threads", LOADGEN_THREADS, *args)
        bad = report["completed"] - report["status_2xx"]
        if report["errors"] or bad or not report["status_2xx"]:
            note(f"warning: {report['status_2xx']} 2xx, {bad} other answers, "
                 f"{report['errors']} errors {report['error_kinds']}")
        return report


def build(args):
    """Builds the release preset (configuring it first if needed); returns the build folder."""
    if args.build_dir:
        build_dir = Path(args.build_dir).resolve()
        commands = [["cmake", "--build", str(build_dir)]]
    else:
        build_dir = REPO / "build" / "release"
        commands = [["cmake", "--build", "--preset", "release"]]
        if not (build_dir / "CMakeCache.txt").exists():
            commands.insert(0, ["cmake", "--preset", "release"])
    if args.no_build:
        return build_dir
    for command in commands:
        note(" ".join(command))
        if subprocess.run(command, cwd=REPO, stdout=sys.stderr).returncode != 0:
            # A half-finished app must not stop the ceiling from being measured.
            note("build failed; building the benchmark tools alone")
            bench_only = ["cmake", "--build", str(build_dir), "--target", "bench_ceiling_server",
                          "bench_loadgen"]
            if subprocess.run(bench_only, cwd=REPO, stdout=sys.stderr).returncode != 0:
                raise HarnessError("cannot build the benchmark tools")
            # Needs src/db and src/system: measured when they build.
            storage = ["cmake", "--build", str(build_dir), "--target", "bench_storage_ceiling"]
            subprocess.run(storage, cwd=REPO, stdout=sys.stderr)
            break
    return build_dir


def format_number(value, unit):
    if value is None:
        return ""
    if unit == "ms":
        return f"{value:.3f}"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2f}"


def print_table(rows, bench):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                            capture_output=True).stdout.strip() or "uncommitted"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    residents = f"{bench.residents:,} residents" if bench.generated else "not generated"
    print(f"Bulwark benchmarks: scale {bench.scale} ({residents}), "
          f"db {bench.db}, {bench.duration_s} s per load, {CONNECTIONS} connections closed loop")
    load = " ".join(f"{x:.2f}" for x in bench.load_average)
    print(f"commit {commit}, {now}, {os.cpu_count()} CPUs, load average {load} at the start")
    header = ("figure", "value", "unit", "ceiling", "ratio")
    cells = [header] + [(row.name, format_number(row.value, row.unit), row.unit,
                         format_number(row.ceiling, row.unit),
                         "" if row.ratio is None else f"{row.ratio:.2f}") for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    text_columns = (0, 2)  # figure and unit read left to right; numbers line up on the right
    for i, line in enumerate(cells):
        print(" | ".join(cell.ljust(width) if c in text_columns else cell.rjust(width)
                         for c, (cell, width) in enumerate(zip(line, widths))).rstrip())
        if i == 0:
            print("-+-".join("-" * width for width in widths))


def json_rows(rows):
    def number(value):
        return None if value is None else round(value, 3)
    return [{"name": row.name, "value": number(row.value), "unit": row.unit,
             "ceiling": number(row.ceiling), "ratio": row.ratio} for row in rows]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--scale", choices=SCALES, default="community")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--json", action="store_true", help="print a JSON array of rows")
    parser.add_argument("--duration", type=float, help=f"seconds per load "
                        f"(default {DEFAULT_DURATION_S}, {QUICK_DURATION_S} with --quick)")
    parser.add_argument("--quick", action="store_true", help="shorter loads, for a first look")
    parser.add_argument("--build-dir", help="use this configured build folder instead of the "
                        "release preset")
    parser.add_argument("--no-build", action="store_true", help="do not build first")
    parser.add_argument("--only", help="comma-separated figure functions to run, in their "
                        "order in figures.FIGURES (e.g. generate,scan_storage_ceiling,"
                        "app_sampling); the default runs them all")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bulwark-bench-"))
    # Registered first, so it runs last: after the servers and PostgreSQL are stopped.
    if os.environ.get("BULWARK_BENCH_KEEP"):
        at_exit(lambda: note(f"kept the logs and data in {tmp}"))
    else:
        at_exit(lambda: shutil.rmtree(tmp, ignore_errors=True))
    try:
        bench = Bench(args, build(args), tmp)
        rows = []
        chosen = figures.FIGURES
        if args.only:
            wanted = set(args.only.split(","))
            unknown = wanted - {f.__name__ for f in figures.FIGURES}
            if unknown:
                raise HarnessError(f"--only: no figure named {', '.join(sorted(unknown))}")
            chosen = [f for f in figures.FIGURES if f.__name__ in wanted]
        for figure in chosen:
            for row in figure(bench):
                bench.rows[row.name] = row
                rows.append(row)
    except HarnessError as error:
        note(f"error: {error}")
        return 1
    if args.json:
        print(json.dumps(json_rows(rows), indent=2))
    else:
        print_table(rows, bench)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
