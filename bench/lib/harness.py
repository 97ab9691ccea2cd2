"""Processes for bench/run and the bench_smoke test: servers, the load generator, PostgreSQL.

Every process started here is killed by its PID when the harness exits (normally, by an
exception, or on SIGINT/SIGTERM/SIGHUP), and dies with the harness if it is killed outright
(PR_SET_PDEATHSIG). Standard library only.
"""

import atexit
import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import time
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


def run_loadgen(loadgen, url, duration_s, *args):
    """Runs bench_loadgen --json against url for duration_s; returns its report (a dict)."""
    argv = [str(loadgen), "--url", url, "--duration", str(duration_s), "--json", *map(str, args)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + 60,
                              preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"bench_loadgen did not finish: {' '.join(argv)}") from None
    if done.returncode != 0:
        raise HarnessError(f"bench_loadgen failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


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
