"""The figures bench/run prints, one function each, run in the order of FIGURES.

A figure function takes the Bench (bench_run.py) and returns a list of Row. It may use the value
of an earlier row as its ceiling through bench.value(name). To add a figure (durable write route,
scans/s, import rows/s, coverage query, memory per resident), write a function here and list it
in FIGURES; bench/README.md says what each figure means.
"""

from dataclasses import dataclass

MIB = 1024 * 1024


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


def app_memory(bench):
    """The app's resident memory (VmRSS) after all the load above; last, so it sees it all."""
    app = bench.app()
    if app is None:
        return []
    rss = app.rss_bytes()
    return [Row("server_rss", None if rss is None else rss / MIB, "MiB")]


FIGURES = [http_ceiling, app_healthz, app_memory]
