#!/usr/bin/env python
"""Scale: do the examiner's list endpoints stay as fast with 2,000 learners as with 100?

    .venv/bin/python bench/scale.py [--requests 30] [--keep-db]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres). Creates database `reflect_scale`, seeds
100 learners (20 reflections each, 2 finalised assessments per reflection, 1 feedback), runs
ANALYZE, measures the median latency of the examiner's list endpoints (in-process test
client, token auth, default page size), then grows the data to 2,000 learners and measures
again. The examiner's panel covers one cohort of 50 learners at both sizes, so the responses
are the same size; only the tables grow. Prints the ratio (goal <= 1.5) and the EXPLAIN plans
of the scope-filtered queries, flagging sequential scans of the large tables. Drops the
database at the end.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common  # noqa: E402

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
}


def measure(client, requests: int) -> dict[str, float]:
    medians = {}
    for url in ENDPOINTS:
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


def print_plans(client) -> dict[str, list[str]]:
    problems = {}
    for url in ENDPOINTS:
        print(f"\n=== EXPLAIN ANALYZE: {url} (examiner) ===")
        for n, sql in enumerate(scoped_queries(client, url), 1):
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=30, help="requests per endpoint and size")
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    _common.choose_database(DB_NAME, require_postgres=True)
    _common.setup_django()
    _common.migrate()
    from django.test import Client

    results = {}
    seeded = _common.seed(
        learners=args.small,
        cohort_size=COHORT_SIZE,
        reflections_per_learner=REFLECTIONS,
        assessments_per_reflection=ASSESSMENTS_PER_REFLECTION,
        prefix="s1",
    )
    _common.analyze()
    print(
        f"seeded {seeded.learners} learners in {seeded.seconds:.1f}s: {seeded.reflections} reflections, "
        f"{seeded.assessments} assessments, {seeded.scores} scores, {seeded.feedback} feedback"
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {_common.token_for(seeded.examiner)}")
    results["small"] = measure(client, args.requests)
    counts_small = {url: client.get(url).json()["count"] for url in ENDPOINTS}

    grown = _common.seed(
        learners=args.large - args.small,
        cohort_size=COHORT_SIZE,
        reflections_per_learner=REFLECTIONS,
        assessments_per_reflection=ASSESSMENTS_PER_REFLECTION,
        prefix="s2",
    )
    _common.analyze()
    print(
        f"grew by {grown.learners} learners in {grown.seconds:.1f}s to {args.large}: "
        f"+{grown.reflections} reflections, +{grown.assessments} assessments, +{grown.scores} scores"
    )
    results["large"] = measure(client, args.requests)
    counts_large = {url: client.get(url).json()["count"] for url in ENDPOINTS}
    assert counts_small == counts_large, (counts_small, counts_large)

    problems = print_plans(client)

    print(f"\nmedian latency, examiner (panel: one cohort of {COHORT_SIZE}), {args.requests} requests each")
    print(f"  {'endpoint':24} {args.small:>6} learners {args.large:>6} learners   ratio (goal <= 1.5)")
    for url in ENDPOINTS:
        small, large = results["small"][url], results["large"][url]
        ratio = large / small
        print(
            f"  {url:24} {small:10.1f} ms {large:11.1f} ms   {ratio:5.2f}  "
            f"{'OK' if ratio <= 1.5 else 'MISSED'}   (count {counts_large[url]})"
        )
    if problems:
        print("\nsequential scans of large tables:", problems)
    else:
        print("\nno sequential scan of a large table in any scope-filtered query")

    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        _common.drop_postgres_database(DB_NAME)


if __name__ == "__main__":
    main()
