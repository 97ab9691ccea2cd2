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
from harness import REPO, HarnessError, Server, at_exit, note, run_loadgen, start_postgres

# Residents per scale: the size of the synthetic data set that data-bound figures load.
SCALES = {"community": 10_000, "street": 100_000, "district": 1_000_000, "city": 17_600_000}
CONNECTIONS = 64
LOADGEN_THREADS = 2  # on 2 cores this measured the highest ceiling, as wrk -t2 does
DEFAULT_DURATION_S = 10
QUICK_DURATION_S = 3


class Bench:
    """What a figure function works with: the options, the binaries, a temporary folder, the
    servers (killed at exit) and the rows measured so far."""

    def __init__(self, args, build_dir, tmp):
        self.scale = args.scale
        self.residents = SCALES[args.scale]
        self.db = args.db
        self.duration_s = args.duration or (QUICK_DURATION_S if args.quick else DEFAULT_DURATION_S)
        self.build_dir = build_dir
        self.tmp = tmp
        self.rows = {}
        self._db_url = None
        self._app = None
        self._app_missing_noted = False

    def binary(self, relative):
        """A built binary under the build folder, or None if it is not there."""
        path = self.build_dir / relative
        return path if path.is_file() and os.access(path, os.X_OK) else None

    def value(self, name):
        """The value of an earlier row, for use as a ceiling."""
        row = self.rows.get(name)
        return row.value if row else None

    def database_url(self):
        """None for SQLite (the app's default under --data); PostgreSQL is started on first use."""
        if self.db == "postgres" and self._db_url is None:
            self._db_url = start_postgres(self.tmp)
        return self._db_url

    def start_server(self, name, argv):
        if argv[0] is None:
            raise HarnessError(f"{name}: binary not built in {self.build_dir}")
        note(f"starting {name}")
        server = Server(name, argv, self.tmp / f"{name}.log")
        server.wait_until_listening()
        return server

    def app(self):
        """The bulwark server on a fresh data folder, started once and kept for every figure;
        None (noted once) when the binary is not built yet."""
        if self._app is None:
            binary = self.binary("src/app/bulwark")
            if binary is None:
                if not self._app_missing_noted:
                    note(f"skipping app figures: {self.build_dir}/src/app/bulwark is not built")
                    self._app_missing_noted = True
                return None
            argv = [binary, "--data", self.tmp / "app-data"]
            if self.database_url():
                argv += ["--db", self.database_url()]
            self._app = self.start_server("bulwark", argv + ["serve", "--listen", "127.0.0.1:0"])
        return self._app

    def load(self, url, *args):
        """Closed loop, CONNECTIONS connections, for the run's duration; returns the report.
        Errors and non-2xx answers are noted: the figure is still printed, so look at them."""
        note(f"loading {url} {' '.join(map(str, args))} for {self.duration_s} s")
        report = run_loadgen(self.binary("bench/bench_loadgen"), url, self.duration_s,
                             "--connections", CONNECTIONS, "--threads", LOADGEN_THREADS, *args)
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
    print(f"Bulwark benchmarks: scale {bench.scale} ({bench.residents:,} residents), "
          f"db {bench.db}, {bench.duration_s} s per load, {CONNECTIONS} connections closed loop")
    print(f"commit {commit}, {now}, {os.cpu_count()} CPUs")
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
        for figure in figures.FIGURES:
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
