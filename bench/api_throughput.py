#!/usr/bin/env python
"""API throughput: each list endpoint's ORM path against its floor twin, in the same server.

    .venv/bin/python bench/api_throughput.py [--seconds 10] [--rounds 3] [--connections 8]
                                             [--workers 2] [--db-name reflect_bench]

1. Creates a throwaway database (PostgreSQL `--db-name` on 127.0.0.1:5432 if reachable,
   else a temporary SQLite file), migrates and seeds it: one examiner with a panel on a cohort
   of 50 learners x 4 reflections x 2 finalised assessments (3 scored criteria each).
2. Serves, from the SAME gunicorn server (2 workers, 127.0.0.1 only), for each list
   (`/api/v1/assessments/?page_size=100`, `/api/v1/reflections/?page_size=100`):
   - project: the endpoint itself (the policy's queryset, the filter backend, the paginator,
     the list's one serializer over `.values()` rows, the audit write);
   - floor: its twin in `bench/urls_bench.py`, the cheapest hand-written path over the same
     rows (the same policy queryset built on every request, `values_list()` tuples, the same
     children query and audit write, JSON built by hand), checked first to answer exactly
     what the endpoint answers;
   - bare: DRF returning the captured page (authentication, throttles and the renderer only).
3. Drives each URL for a fixed time, in `--rounds` rounds (default 3; the URLs of one list
   run back to back, in the order project, floor, bare in odd rounds and bare, floor,
   project in even ones), with `wrk` (Debian: `apt-get install -y wrk`), or, if wrk is
   missing, with a bounded Python threaded loop. Ratios are taken within a round, then the
   median: project / floor (goal >= 0.8), and, for context, project / bare and floor / bare.
4. Counts SQL queries per request at page size 10 and 200 in-process, endpoint and floor
   (goal: equal for the endpoint at both sizes), and times both in-process (`--in-process`
   interleaved requests each: CPU time, steadier than throughput on a shared machine, and
   wall time), reported as floor / project beside the throughput ratio.

Nothing caches SQL text, scope contents or pages between requests, in the endpoints or in
the twins. Not a test: it prints figures. All traffic goes to 127.0.0.1; every phase is
bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common  # noqa: E402

ENDPOINTS = {
    "assessments": "/api/v1/assessments/?page_size=100",
    "reflections": "/api/v1/reflections/?page_size=100",
}
BARE = {"assessments": "/bench/bare/assessments/", "reflections": "/bench/bare/reflections/"}
FLOOR = {"assessments": "/bench/floor/assessments/", "reflections": "/bench/floor/reflections/"}
GOAL = 0.8  # project / floor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, headers: dict, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url} within {timeout}s")


def run_wrk(url: str, token: str, seconds: int, connections: int, threads: int) -> tuple[float, int, int]:
    """Returns (requests/s, requests, non-2xx responses)."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-H",
            f"Authorization: Token {token}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, total, int(bad.group(1)) if bad else 0


def run_python_load(url: str, token: str, seconds: int, connections: int) -> tuple[float, int, int]:
    """Bounded fallback when wrk is missing: `connections` threads, keep-alive, fixed time."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    counts = {"ok": 0, "bad": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        ok = bad = 0
        while time.monotonic() < stop:
            conn.request("GET", target, headers={"Authorization": f"Token {token}"})
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                bad += 1
        conn.close()
        with lock:
            counts["ok"] += ok
            counts["bad"] += bad

    workers = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 30)
    elapsed = time.monotonic() - started
    total = counts["ok"] + counts["bad"]
    return total / elapsed, total, counts["bad"]


def queries_per_request(client, path: str, page_size: int) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(f"{path}?page_size={page_size}")  # warm caches (content types, roles)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{path}?page_size={page_size}")
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), len(response.json()["results"])


def in_process(client, project: str, floor: str, n: int) -> tuple[float, float, float, float]:
    """Median CPU and wall milliseconds per request of `project` and `floor`, alternating which
    goes first."""
    cpu: dict[str, list[float]] = {project: [], floor: []}
    wall: dict[str, list[float]] = {project: [], floor: []}
    for url in (project, floor):
        for _ in range(5):
            client.get(url)  # warm: connection, prepared statements, caches
    for i in range(n):
        for url in (project, floor) if i % 2 else (floor, project):
            started_cpu, started = time.process_time(), time.perf_counter()
            response = client.get(url)
            cpu[url].append(time.process_time() - started_cpu)
            wall[url].append(time.perf_counter() - started)
            assert response.status_code == 200
    ms = [statistics.median(series[url]) * 1000 for series in (cpu, wall) for url in (project, floor)]
    return ms[0], ms[1], ms[2], ms[3]


def load(tool: str, url: str, token: str, args, warm: bool) -> tuple[float, int, int]:
    if tool == "wrk":
        if warm:
            run_wrk(url, token, 2, args.connections, args.threads)
        return run_wrk(url, token, args.seconds, args.connections, args.threads)
    if warm:
        run_python_load(url, token, 2, args.connections)
    return run_python_load(url, token, args.seconds, args.connections)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=10, help="load time per URL (default 10)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the PostgreSQL database")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all URLs (default 3)")
    parser.add_argument("--db-name", default="reflect_bench", help="PostgreSQL database (recreated)")
    parser.add_argument("--in-process", type=int, default=60, help="in-process requests per URL")
    args = parser.parse_args()

    db_url = _common.choose_database(args.db_name)
    _common.setup_django()
    _common.migrate()
    seeded = _common.seed(
        learners=50, cohort_size=50, reflections_per_learner=4, assessments_per_reflection=2
    )
    _common.analyze()
    token = _common.token_for(seeded.examiner)
    print(f"database: {db_url.split('@')[-1]}")
    print(
        f"seeded in {seeded.seconds:.1f}s: {seeded.learners} learners, {seeded.reflections} reflections, "
        f"{seeded.assessments} finalised assessments, {seeded.scores} scores"
    )

    from django.db import connections
    from django.test import Client, override_settings
    from django.urls import clear_url_caches

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    bare_data = {}
    query_counts = {}
    in_process_ratios = {}
    with override_settings(ROOT_URLCONF="bench.urls_bench"):
        clear_url_caches()
        print("\nqueries per request (examiner, in-process test client)")
        for name, url in ENDPOINTS.items():
            for kind, path in (("project", url.split("?")[0]), ("floor", FLOOR[name])):
                small, n_small = queries_per_request(client, path, 10)
                large, n_large = queries_per_request(client, path, 200)
                query_counts[(name, kind)] = (small, large)
                verdict = "" if kind == "floor" else ("OK" if small == large else "MISSED")
                print(
                    f"  {kind:8} {path:28} page_size=10: {small} ({n_small} rows)   "
                    f"page_size=200: {large} ({n_large} rows)  {verdict}"
                )
        # Per request, in this process: CPU time (what the code costs; steadier than wall time
        # on a shared machine) and wall time (with the database's), project and floor
        # interleaved, the median of each.
        print(f"\nin-process, page of 100, median of {args.in_process} interleaved requests each")
        for name, url in ENDPOINTS.items():
            times = in_process(client, url, FLOOR[name], args.in_process)
            cpu_p, cpu_f, wall_p, wall_f = times
            in_process_ratios[name] = (cpu_f / cpu_p, wall_f / wall_p)
            print(
                f"  {name:12} CPU project {cpu_p:.2f} ms, floor {cpu_f:.2f} ms (floor / project "
                f"{cpu_f / cpu_p:.2f}); wall {wall_p:.2f} / {wall_f:.2f} ms ({wall_f / wall_p:.2f})"
            )
        # The bare twins serve the real page-of-100 responses, captured now; the floors must
        # answer exactly the same.
        for name, url in ENDPOINTS.items():
            response = client.get(url)
            assert response.status_code == 200
            bare_data[name] = response.json()
            floor = client.get(FLOOR[name])
            assert floor.status_code == 200
            got, want = floor.json(), bare_data[name]
            assert (got["count"], got["previous"], bool(got["next"])) == (
                want["count"],
                want["previous"],
                bool(want["next"]),
            ), name
            assert json.dumps(got["results"]) == json.dumps(want["results"]), f"the {name} floor differs"
    clear_url_caches()
    data_file = Path(tempfile.mkdtemp(prefix="reflect-bench-")) / "bare.json"
    data_file.write_text(json.dumps(bare_data))
    connections.close_all()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ROOT_URLCONF": "bench.urls_bench",
        "BENCH_BARE_DATA": str(data_file),
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--chdir",
            str(_common.ROOT),
        ],
        env=env,
        cwd=str(_common.ROOT),
        start_new_session=True,
    )
    results: dict[tuple[str, str], list[float]] = {}
    try:
        headers = {"Authorization": f"Token {token}"}
        wait_until_up(base + BARE["assessments"], headers)
        for url in [*ENDPOINTS.values(), *BARE.values(), *FLOOR.values()]:
            wait_until_up(base + url, headers)
        tool = "wrk" if shutil.which("wrk") else "python"
        if tool == "python":
            print("\nwrk not found (Debian: apt-get install -y wrk); using a bounded Python threaded loop")
        print(
            f"\nload: {tool}, {args.connections} connections, {args.seconds}s per URL, "
            f"gunicorn {args.workers} workers, {args.rounds} round(s); the URLs of one list run "
            "back to back in each round (reversed every other round), so a round's ratios compare "
            f"neighbours in time; load average before: {os.getloadavg()[0]:.1f}"
        )
        for round_number in range(1, args.rounds + 1):
            print(f"round {round_number}")
            for name in ENDPOINTS:
                runs = [("project", ENDPOINTS[name]), ("floor", FLOOR[name]), ("bare", BARE[name])]
                if round_number % 2 == 0:
                    runs.reverse()
                for kind, url in runs:
                    rps, total, bad = load(tool, base + url, token, args, warm=round_number == 1)
                    results.setdefault((name, kind), []).append(rps)
                    print(f"  {kind:8} {url:42} {rps:8.1f} req/s  ({total} requests, {bad} non-2xx)")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    def ratio(name: str, over: str, under: str) -> tuple[float, str]:
        per_round = [a / b for a, b in zip(results[(name, over)], results[(name, under)], strict=True)]
        median = statistics.median(per_round)
        return median, f"{median:.2f}  (rounds: {', '.join(f'{r:.2f}' for r in per_round)})"

    print(f"\nratio project (ORM path) / floor, median of the rounds (goal >= {GOAL})")
    for name in ENDPOINTS:
        median, text = ratio(name, "project", "floor")
        print(f"  {name:12} {text}  {'OK' if median >= GOAL else 'MISSED'}")
    print("\nfor context: project / bare and floor / bare")
    for name in ENDPOINTS:
        print(f"  {name:12} project {ratio(name, 'project', 'bare')[1]}")
        print(f"  {'':12} floor   {ratio(name, 'floor', 'bare')[1]}")
    print("\nreq/s, median of the rounds: project / floor / bare")
    for name in ENDPOINTS:
        medians = [statistics.median(results[(name, kind)]) for kind in ("project", "floor", "bare")]
        print(f"  {name:12} " + " / ".join(f"{m:.1f}" for m in medians))
    print("\nin-process floor / project (CPU, wall), for comparison")
    for name, (cpu, wall) in in_process_ratios.items():
        print(f"  {name:12} {cpu:.2f}  {wall:.2f}")
    print("\nqueries per request at page size 10 / 200 (goal: equal for the endpoint)")
    for (name, kind), (small, large) in query_counts.items():
        print(f"  {name:12} {kind:8} {small} / {large}")

    if db_url.startswith("postgres") and not args.keep_db:
        _common.drop_postgres_database(args.db_name)


if __name__ == "__main__":
    main()
