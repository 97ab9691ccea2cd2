"""Processes for bench/run and the bench_smoke test: servers, the load generator, PostgreSQL.

Every process started here is killed by its PID when the harness exits (normally, by an
exception, or on SIGINT/SIGTERM/SIGHUP), and dies with the harness if it is killed outright
(PR_SET_PDEATHSIG). Standard library only.
"""

import atexit
import ctypes
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"listening on (https?://\S+)")
_PR_SET_PDEATHSIG = 1
_cleanups = []  # run in reverse order at exit


class HarnessError(Exception):
    """Something the benchmark cannot go on without: a server that does not start, a bad run."""


def note(message):
    """Progress for people, on stderr (stdout is for the results)."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def at_exit(cleanup):
    _cleanups.append(cleanup)


def _run_cleanups():
    while _cleanups:
        cleanup = _cleanups.pop()
        try:
            cleanup()
        except Exception as error:  # one failed cleanup must not skip the others
            note(f"cleanup failed: {error}")


def _exit_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


atexit.register(_run_cleanups)
for _signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_signum, _exit_on_signal)


def _die_with_parent():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Server:
    """A server process: output to a log file, killed by PID at exit (or by stop())."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.log_path = Path(log_path)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(arg) for arg in argv], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=env, preexec_fn=_die_with_parent)
        self.pid = self.process.pid
        self.url = None
        at_exit(self.stop)

    def wait_until_listening(self, timeout_s=30):
        """Waits for the line `listening on http://HOST:PORT`; returns that URL."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            match = _LISTENING.search(self.log_path.read_text(errors="replace"))
            if match:
                self.url = match.group(1).rstrip("/")
                return self.url
            if self.process.poll() is not None:
                raise HarnessError(f"{self.name} exited with {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            time.sleep(0.05)
        raise HarnessError(f"{self.name} did not print 'listening on' within {timeout_s} s:\n"
                           f"{self.log_tail()}")

    def rss_bytes(self):
        """Resident memory now (VmRSS), or None if the process is gone."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        return int(match.group(1)) * 1024 if match else None

    def log_tail(self, lines=20):
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self):
        """SIGTERM, then SIGKILL after 5 s; only this process, by its PID."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_json(name, argv, timeout_s, env=None):
    """Runs a tool that prints one JSON object on stdout; returns it (a dict)."""
    argv = [str(arg) for arg in argv]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, env=env,
                              preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"{name} did not finish: {' '.join(argv)}") from None
    if done.returncode != 0:
        raise HarnessError(f"{name} failed ({done.returncode}): {done.stderr.strip()}")
    lines = done.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])  # the last line: log lines may come before it
    except (IndexError, ValueError):
        raise HarnessError(f"{name} printed no JSON: {done.stdout.strip()}") from None


def run_loadgen(loadgen, urls, duration_s, *args):
    """Runs bench_loadgen --json against `urls` (one URL, or a list whose servers share the
    connections) for duration_s; returns its report (a dict)."""
    urls = [urls] if isinstance(urls, str) else urls
    url_args = [arg for url in urls for arg in ("--url", url)]
    # Logins before the start (an Argon2id hash each) count against the timeout too.
    return run_json("bench_loadgen", [loadgen, *url_args, "--duration", duration_s, "--json",
                                      *args], duration_s + 120)


def run_bulwark(binary, data_dir, db_url, *args, stdin=None, timeout_s=None):
    """Runs `bulwark --data DIR [--db URL] ARGS...`; returns (seconds taken, stdout).
    A failure raises HarnessError with its output."""
    argv = [str(binary), "--data", str(data_dir), "--log-level", "warn"]
    if db_url:
        argv += ["--db", db_url]
    argv += [str(arg) for arg in args]
    started = time.monotonic()
    try:
        done = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                              timeout=timeout_s, preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"bulwark {' '.join(map(str, args))} did not finish in "
                           f"{timeout_s} s") from None
    if done.returncode != 0:
        raise HarnessError(f"bulwark {' '.join(map(str, args))} failed ({done.returncode}):\n"
                           f"{done.stdout.strip()}\n{done.stderr.strip()}")
    return time.monotonic() - started, done.stdout


def create_postgres_database(server_url, name):
    """Creates database `name` on the server of `server_url` with psql (dropped at exit);
    returns its URL."""
    def psql(sql):
        return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server_url,
                               "-c", sql], capture_output=True, text=True)
    if shutil.which("psql") is None:
        raise HarnessError("psql is missing: cannot create the benchmark's database")
    done = psql(f"CREATE DATABASE {name}")
    if done.returncode != 0:
        raise HarnessError(f"cannot create database {name}: {done.stderr.strip()}")
    at_exit(lambda: psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    # Replace the database name (the path after the host) of the server's URL.
    match = re.match(r"^(\w+://[^/?]*)(/[^?]*)?(\?.*)?$", server_url)
    if not match:
        raise HarnessError(f"cannot read the PostgreSQL URL {server_url}")
    return f"{match.group(1)}/{name}{match.group(3) or ''}"


def start_postgres(state_dir):
    """Starts a private PostgreSQL with scripts/pg (stopped at exit); returns its URL."""
    env = dict(os.environ, BULWARK_PG_STATE=str(Path(state_dir) / "pg.state"))
    script = REPO / "scripts" / "pg"
    if not script.exists():
        raise HarnessError(f"{script} is missing: cannot start PostgreSQL")
    note("starting PostgreSQL (scripts/pg start)")
    done = subprocess.run([str(script), "start"], capture_output=True, text=True, env=env)
    # Registered before the result is checked, so that a half-started server is cleaned up too.
    at_exit(lambda: subprocess.run([str(script), "stop"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL))
    match = re.search(r"^BULWARK_TEST_PG=(\S+)", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not match:
        raise HarnessError(f"scripts/pg start failed ({done.returncode}): {done.stderr.strip()}")
    return match.group(1)


class ApiClient:
    """A signed-in client of the app's JSON API (cookies and the CSRF header), for setting a
    benchmark up: sites, rounds. Not for load."""

    def __init__(self, base_url, username, password):
        self.base_url = base_url
        self._cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._cookies))
        self.post("/api/v1/auth/login", {"username": username, "password": password})

    def post(self, path, body):
        """POSTs JSON; returns the parsed answer. A non-2xx answer raises HarnessError."""
        headers = {"Content-Type": "application/json"}
        for cookie in self._cookies:
            if cookie.name == "bulwark_csrf":
                headers["X-CSRF-Token"] = cookie.value
        request = urllib.request.Request(self.base_url + path, data=json.dumps(body).encode(),
                                         headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=30) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            raise HarnessError(f"POST {path} answered {error.code}: "
                               f"{error.read().decode(errors='replace')[:300]}") from None


def query_column(db_url, sqlite_path, sql):
    """The first column of `sql` on the app's database: PostgreSQL through psql when db_url is
    set, else the SQLite file (read-only). A list of strings."""
    if db_url:
        done = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db_url,
                               "-c", sql], capture_output=True, text=True)
        if done.returncode != 0:
            raise HarnessError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.split()
    import sqlite3
    with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True) as connection:
        return [str(row[0]) for row in connection.execute(sql)]
