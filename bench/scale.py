#!/usr/bin/env python
"""Scale: do the examiner's list endpoints stay as fast with 2,000 learners as with 100?

    .venv/bin/python bench/scale.py [--requests 30] [--page-requests 40] [--skip-api] [--keep-db]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres). Creates database `reflect_scale`, seeds
100 learners (20 reflections each, 2 finalised assessments per reflection, 1 feedback), runs
ANALYZE, measures the median latency of the examiner's list endpoints (in-process test
client, token auth, default page size), then grows the data to 2,000 learners and measures
again. The examiner's panel covers one cohort of 50 learners at both sizes, so the responses
are the same size; only the tables grow. Prints the ratio (goal <= 1.5) and the EXPLAIN plans
of the scope-filtered queries, flagging sequential scans of the large tables. Then the same for
the site pages each role opens (`bench/site_pages.py`, session sign-in): median and 95th
percentile at both sizes (goals: ratio <= 1.5, p95 <= 150 ms at 2,000), the queries per page
at both sizes (must be equal) and their plans. Drops the database at the end.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common, site_pages  # noqa: E402

DB_NAME = "reflect_scale"
ENDPOINTS = ["/api/v1/learners/", "/api/v1/reflections/", "/api/v1/assessments/", "/api/v1/feedback/"]
COHORT_SIZE = 50
REFLECTIONS = 20
ASSESSMENTS_PER_REFLECTION = 2
LARGE_TABLES = {
    "auth_user",
    "auth_user_groups",
    "portfolio_enrolment",
    "portfolio_allocation",
    "portfolio_reflection",
    "portfolio_reflection_themes",
    "assessments_assessment",
    "assessments_score",
    "assessments_feedback",
    "assessments_feedbackinvitation",
    "portfolio_auditevent",
}


def measure(client, requests: int, endpoints: list[str]) -> dict[str, float]:
    medians = {}
    for url in endpoints:
        for _ in range(3):  # warm-up
            assert client.get(url).status_code == 200
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:200]
        medians[url] = _common.median_ms(samples)
    return medians


def scoped_queries(client, url: str) -> list[str]:
    """The SELECTs one request runs (parameters inlined by the driver), minus the
    authentication look-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and "reflect_apitoken" not in q["sql"]
    ]


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql)
        return [row[0] for row in cursor.fetchall()]


def seq_scans_of_large_tables(plan: list[str]) -> list[str]:
    found = []
    for line in plan:
        match = re.search(r"Seq Scan on (\w+)", line)
        if match and match.group(1) in LARGE_TABLES:
            found.append(match.group(1))
    return found


def print_plans(client, endpoints: list[str]) -> dict[str, list[str]]:
    problems = {}
    for url in endpoints:
        print(f"\n=== EXPLAIN ANALYZE: {url} (examiner) ===")
        problems.update(_print_explained(url, scoped_queries(client, url)))
    return problems


def print_page_plans(measured: dict) -> dict[str, list[str]]:
    problems = {}
    for label, row in measured.items():
        print(f"\n=== EXPLAIN ANALYZE: {label} ({row['url']}) ===")
        problems.update(_print_explained(label, row["selects"]))
    return problems


def _print_explained(url: str, queries: list[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for n, sql in enumerate(queries, 1):
        plan = explain(sql)
        head = re.sub(r"\s+", " ", sql)[:140]
        print(f"-- query {n}: {head}...")
        for line in plan:
            print("   " + line)
        seq = seq_scans_of_large_tables(plan)
        if seq:
            problems.setdefault(url, []).extend(seq)
        indexes = sorted(
            set(
                re.findall(
                    r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:Backward )?(?:using|on) (\w+)",
                    "\n".join(plan),
                )
            )
        )
        print(
            f"   => indexes used: {', '.join(indexes) or 'none'}; "
            f"sequential scans of large tables: {', '.join(seq) or 'none'}"
        )
    return problems


def _seed(learners: int, prefix: str):
    seeded = _common.seed(
        learners=learners,
        cohort_size=COHORT_SIZE,
        reflections_per_learner=REFLECTIONS,
        assessments_per_reflection=ASSESSMENTS_PER_REFLECTION,
        prefix=prefix,
    )
    _common.analyze()
    return seeded


def _small_twin(name: str, learners: int, expected: dict):
    """Database `name` seeded as the large one was before it grew; its connection and the
    site pages' signed-in clients on it. The people must have the same ids as `expected`."""
    from portfolio.setup import ensure_portfolio_page

    _common.recreate_postgres_database(name)
    twin = site_pages.twin_connection(name)
    with site_pages.using(twin):
        _common.migrate()
        ensure_portfolio_page()
        who = site_pages.people(_seed(learners, "s1"))
        same = {role: (u.pk, u.username) for role, u in who.items()}
        assert same == {role: (u.pk, u.username) for role, u in expected.items()}, same
        return twin, site_pages.clients(who)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30, help="requests per endpoint and size")
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--page-requests", type=int, default=40, help="requests per site page and size")
    parser.add_argument("--skip-api", action="store_true", help="site pages only")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--db-name", default=DB_NAME, help="PostgreSQL database (dropped and recreated; also <name>_small)"
    )
    args = parser.parse_args()
    small_db = f"{args.db_name}_small"

    _common.choose_database(args.db_name, require_postgres=True)
    _common.setup_django()
    _common.migrate()
    from django.db import connections
    from django.test import Client

    from portfolio.setup import ensure_portfolio_page

    ensure_portfolio_page()

    results = {}
    seeded = _seed(args.small, "s1")
    print(
        f"seeded {seeded.learners} learners in {seeded.seconds:.1f}s: {seeded.reflections} reflections, "
        f"{seeded.assessments} assessments, {seeded.scores} scores, {seeded.feedback} feedback"
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {_common.token_for(seeded.examiner)}")
    endpoints = [] if args.skip_api else ENDPOINTS
    results["small"] = measure(client, args.requests, endpoints)
    counts_small = {url: client.get(url).json()["count"] for url in endpoints}
    who = site_pages.people(seeded)
    page_list = site_pages.pages(who["learner"].pk)

    grown = _seed(args.large - args.small, "s2")
    print(
        f"grew by {grown.learners} learners in {grown.seconds:.1f}s to {args.large}: "
        f"+{grown.reflections} reflections, +{grown.assessments} assessments, +{grown.scores} scores"
    )
    results["large"] = measure(client, args.requests, endpoints)
    counts_large = {url: client.get(url).json()["count"] for url in endpoints}
    assert counts_small == counts_large, (counts_small, counts_large)

    twin, twin_clients = _small_twin(small_db, args.small, who)
    print(f"site pages: {args.small} learners in {small_db}, {args.large} in {args.db_name}, side by side")
    sides = {"small": (twin, twin_clients), "large": (connections["default"], site_pages.clients(who))}
    measured = site_pages.measure_pair(sides, page_list, args.page_requests)

    problems = print_plans(client, endpoints)
    problems.update(print_page_plans(measured["large"]))

    print(f"\nmedian latency, examiner (panel: one cohort of {COHORT_SIZE}), {args.requests} requests each")
    print(f"  {'endpoint':24} {args.small:>6} learners {args.large:>6} learners   ratio (goal <= 1.5)")
    for url in endpoints:
        small, large = results["small"][url], results["large"][url]
        ratio = large / small
        print(
            f"  {url:24} {small:10.1f} ms {large:11.1f} ms   {ratio:5.2f}  "
            f"{'OK' if ratio <= 1.5 else 'MISSED'}   (count {counts_large[url]})"
        )
    site_pages.report(measured["small"], measured["large"], args.small, args.large, args.page_requests)
    if problems:
        print("\nsequential scans of large tables:", problems)
    else:
        print("\nno sequential scan of a large table in any scope-filtered query")

    if not args.keep_db:
        twin.close()
        connections.close_all()
        _common.drop_postgres_database(args.db_name)
        _common.drop_postgres_database(small_db)


if __name__ == "__main__":
    main()
