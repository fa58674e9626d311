#!/usr/bin/env python
"""API throughput: the project's list endpoints against bare DRF twins in the same server.

    .venv/bin/python bench/api_throughput.py [--seconds 10] [--connections 8] [--workers 2]

1. Creates a throwaway database (PostgreSQL `reflect_bench` on 127.0.0.1:5432 if reachable,
   else a temporary SQLite file), migrates and seeds it: one examiner with a panel on a cohort
   of 50 learners x 4 reflections x 2 finalised assessments (3 scored criteria each).
2. Captures the real responses of `/api/v1/assessments/?page_size=100` and
   `/api/v1/reflections/?page_size=100` and serves them, as plain dicts, from bare DRF views
   (`bench/urls_bench.py`) in the SAME gunicorn server (2 workers, 127.0.0.1 only).
3. Drives each URL for a fixed time, in `--rounds` rounds (default 3; ratios are taken within
   a round, then the median), with `wrk` (Debian: `apt-get install -y wrk`), or, if wrk
   is missing, with a bounded Python threaded loop; prints requests per second and the ratio
   project / bare (goal >= 0.5). On PostgreSQL also a "floor" twin of each list
   (`bench/urls_bench.py`): the project's own SQL, audit write and rendering without building
   any query, checked to answer exactly as the endpoint does; floor / bare is the most any
   Python-side optimisation could reach on this machine.
4. Counts SQL queries per request at page size 10 and 200 in-process (goal: equal, <= 8).

Not a test: it prints figures. All traffic goes to 127.0.0.1; every phase is bounded in time.
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

DB_NAME = "reflect_bench"
ENDPOINTS = {
    "assessments": "/api/v1/assessments/?page_size=100",
    "reflections": "/api/v1/reflections/?page_size=100",
}
BARE = {"assessments": "/bench/bare/assessments/", "reflections": "/bench/bare/reflections/"}
FLOOR = {"assessments": "/bench/floor/assessments/", "reflections": "/bench/floor/reflections/"}
# Experiment: the same page with its JSON rendered by PostgreSQL (assessments only).
JSON_FLOOR = {"assessments": "/bench/jsonfloor/assessments/"}


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
    args = parser.parse_args()

    db_url = _common.choose_database(DB_NAME)
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

    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    # Queries per request, in-process.
    print("\nqueries per request (examiner, in-process test client)")
    query_counts = {}
    for name, url in ENDPOINTS.items():
        path = url.split("?")[0]
        small, n_small = queries_per_request(client, path, 10)
        large, n_large = queries_per_request(client, path, 200)
        query_counts[name] = (small, large)
        verdict = "OK" if small == large and large <= 8 else "MISSED"
        print(
            f"  {path:28} page_size=10: {small} ({n_small} rows)   page_size=200: {large} ({n_large} rows)  "
            f"goal equal and <= 8: {verdict}"
        )

    # The bare twins serve the real page-of-100 responses, captured now.
    bare_data = {}
    for name, url in ENDPOINTS.items():
        response = client.get(url)
        assert response.status_code == 200
        bare_data[name] = response.json()
    data_file = Path(tempfile.mkdtemp(prefix="reflect-bench-")) / "bare.json"
    data_file.write_text(json.dumps(bare_data))
    from django.db import connections

    floors = {}
    if db_url.startswith("postgres"):
        from django.test import override_settings
        from django.urls import clear_url_caches

        # The floor twins must answer what the endpoints answer (count and results).
        with override_settings(ROOT_URLCONF="bench.urls_bench"):
            clear_url_caches()
            for name, url in FLOOR.items():
                got = client.get(url).json()
                want = bare_data[name]
                assert (got["count"], got["results"]) == (want["count"], want["results"]), name
                floors[name] = url
            for name, url in JSON_FLOOR.items():
                got = client.get(url).json()
                want = bare_data[name]
                assert (got["count"], got["results"]) == (want["count"], want["results"]), name
        clear_url_caches()
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
    results = {}
    try:
        headers = {"Authorization": f"Token {token}"}
        wait_until_up(base + BARE["assessments"], headers)
        experiments = list(JSON_FLOOR.values()) if floors else []
        for url in [*ENDPOINTS.values(), *BARE.values(), *floors.values(), *experiments]:
            wait_until_up(base + url, headers)
        tool = "wrk" if shutil.which("wrk") else "python"
        if tool == "python":
            print("\nwrk not found (Debian: apt-get install -y wrk); using a bounded Python threaded loop")
        print(
            f"\nload: {tool}, {args.connections} connections, {args.seconds}s per URL, "
            f"gunicorn {args.workers} workers, {args.rounds} round(s); the URLs of one list run "
            "back to back in each round, so a round's ratios compare neighbours in time"
        )
        for round_number in range(1, args.rounds + 1):
            print(f"round {round_number}")
            for name in ENDPOINTS:
                runs = [("project", ENDPOINTS[name]), ("bare", BARE[name])]
                runs += [("floor", floors[name])] if name in floors else []
                runs += [("jsonfloor", JSON_FLOOR[name])] if name in floors and name in JSON_FLOOR else []
                for kind, url in runs:
                    if tool == "wrk":
                        if round_number == 1:
                            run_wrk(base + url, token, 2, args.connections, args.threads)  # warm-up
                        rps, total, bad = run_wrk(
                            base + url, token, args.seconds, args.connections, args.threads
                        )
                    else:
                        if round_number == 1:
                            run_python_load(base + url, token, 2, args.connections)
                        rps, total, bad = run_python_load(base + url, token, args.seconds, args.connections)
                    results.setdefault((name, kind), []).append(rps)
                    print(f"  {kind:9} {url:42} {rps:8.1f} req/s  ({total} requests, {bad} non-2xx)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    def ratios(kind: str, name: str) -> tuple[float, str]:
        per_round = [a / b for a, b in zip(results[(name, kind)], results[(name, "bare")], strict=True)]
        median = statistics.median(per_round)
        return median, f"{median:.2f}  (rounds: {', '.join(f'{r:.2f}' for r in per_round)})"

    print("\nratio project / bare, median of the rounds (goal >= 0.5)")
    for name in ENDPOINTS:
        median, text = ratios("project", name)
        print(f"  {name:12} {text}  {'OK' if median >= 0.5 else 'MISSED'}")
    if floors:
        print("\nratio floor / bare (the same SQL, audit write and rendering, no query building)")
        for name in floors:
            print(f"  {name:12} {ratios('floor', name)[1]}")
        print("\nratio jsonfloor / bare (experiment: the floor with the JSON made by PostgreSQL)")
        for name in JSON_FLOOR:
            print(f"  {name:12} {ratios('jsonfloor', name)[1]}")
    print("\nqueries per request (goal equal at page size 10 and 200, <= 8)")
    for name, (small, large) in query_counts.items():
        print(f"  {name:12} {small} / {large}")

    if db_url.startswith("postgres") and not args.keep_db:
        _common.drop_postgres_database(DB_NAME)


if __name__ == "__main__":
    main()
