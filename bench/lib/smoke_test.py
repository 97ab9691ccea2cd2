"""bench_smoke (CTest): the harness still works end to end. Starts bench_ceiling_server, loads
it with bench_loadgen for 1 s closed loop and 1 s open loop with idempotency keys, and checks that
some answers were 2xx, none failed, the schedule holds the expected number of requests and the
acked-key file has one line per 2xx. Not a timed test: no throughput is asserted.

    python3 bench/lib/smoke_test.py PATH/bench_ceiling_server PATH/bench_loadgen
"""

import sys
import tempfile
from pathlib import Path

from harness import HarnessError, Server, run_loadgen


def check(report, problems, label):
    if report["status_2xx"] <= 0:
        problems.append(f"{label}: no 2xx answers")
    if report["errors"] != 0:
        problems.append(f"{label}: {report['errors']} errors: {report['error_kinds']}")
    if report["completed"] != report["status_2xx"]:
        problems.append(f"{label}: answers other than 2xx")


def main(server_binary, loadgen_binary):
    problems = []
    with tempfile.TemporaryDirectory(prefix="bench-smoke-") as tmp:
        acked = Path(tmp) / "acked.txt"
        server = Server("bench_ceiling_server",
                        [server_binary, "--listen", "127.0.0.1:0", "--threads", "2"],
                        Path(tmp) / "server.log")
        try:
            url = server.wait_until_listening()
            closed = run_loadgen(loadgen_binary, url, 1, "--get", "/", "--connections", "8",
                                 "--threads", "2")
            # Open loop at 200/s for 1 s: exactly 200 requests are scheduled, however fast the
            # machine is; each is either sent or reported unsent.
            opened = run_loadgen(loadgen_binary, url, 1, "--post", "/samples", "--body",
                                 '{"key":"{key}"}', "--rate", "200", "--connections", "4",
                                 "--acked-file", acked)
            keys = acked.read_text().split()
        except HarnessError as error:
            print(f"bench_smoke: {error}", file=sys.stderr)
            return 1
        finally:
            server.stop()
    print(closed)
    print(opened)
    check(closed, problems, "closed loop")
    check(opened, problems, "open loop")
    if opened["sent"] + opened["unsent"] != 200:
        problems.append(f"open loop: {opened['sent']} sent + {opened['unsent']} unsent != 200")
    if len(keys) != opened["status_2xx"] or len(set(keys)) != len(keys):
        problems.append(f"acked file: {len(keys)} keys ({len(set(keys))} distinct) for "
                        f"{opened['status_2xx']} 2xx answers")
    for problem in problems:
        print(f"bench_smoke: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
