"""bench_smoke (CTest): the harness still works end to end. Starts bench_ceiling_server, loads
it with bench_loadgen for 1 s and checks that some answers were 2xx and none failed. Not a timed
test: no throughput is asserted.

    python3 bench/lib/smoke_test.py PATH/bench_ceiling_server PATH/bench_loadgen
"""

import sys
import tempfile
from pathlib import Path

from harness import HarnessError, Server, run_loadgen


def main(server_binary, loadgen_binary):
    with tempfile.TemporaryDirectory(prefix="bench-smoke-") as tmp:
        server = Server("bench_ceiling_server",
                        [server_binary, "--listen", "127.0.0.1:0", "--threads", "2"],
                        Path(tmp) / "server.log")
        try:
            url = server.wait_until_listening()
            report = run_loadgen(loadgen_binary, url, 1, "--get", "/", "--connections", "8",
                                 "--threads", "2")
        except HarnessError as error:
            print(f"bench_smoke: {error}", file=sys.stderr)
            return 1
        finally:
            server.stop()
    print(report)
    problems = []
    if report["status_2xx"] <= 0:
        problems.append("no 2xx answers")
    if report["errors"] != 0:
        problems.append(f"{report['errors']} errors: {report['error_kinds']}")
    if report["completed"] != report["status_2xx"]:
        problems.append("answers other than 2xx")
    for problem in problems:
        print(f"bench_smoke: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
