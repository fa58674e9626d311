"""ARCP pack benchmark (a plain script, not a test).

    DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/arcp_pdf.py

Uses a throwaway SQLite database and media folder in a temp directory (migrated here), builds
portfolios of 10, 50 and 200 reflections (each with two finalised assessments and a feedback),
then measures each size in a fresh subprocess (so ru_maxrss is per export): the full export
(`arcp.services.build_pack`) and WeasyPrint alone rendering the same HTML; the 200-reflection
export once more in its own process under tracemalloc. Prints: export ÷ WeasyPrint-alone
(goal ≤ 1.15), 200 ÷ 50 (goal ≤ 4.5), DB queries per export (goal: the same at every size) and
the peak memory of the 200-reflection export (goal ≤ 600 MB).
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = os.environ.get("ARCP_BENCH_TMP") or tempfile.mkdtemp(prefix="arcp-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{TMP}/media"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

SIZES = (10, 50, 200)
BODY = (
    "<h2>What happened</h2><p>"
    + "I spent the morning with the community outreach nurse visiting people in temporary housing. " * 6
    + "</p><h2>So what</h2><p>"
    + "Housing, debt and isolation shaped every clinical decision we made that day. " * 5
    + "</p><h2>Now what</h2><ul><li>Ask about housing.</li><li>Refer to the advice service.</li></ul>"
)


def setup_world():
    from assessments.models import Assessment, Score
    from feedback.models import Feedback, FeedbackInvitation
    from portfolio.models import Cohort, Enrolment, Reflection
    from reflect import roles as R
    from rubrics.models import Competency, Criterion, Level, Rubric

    User = django.contrib.auth.get_user_model()
    R.ensure_groups()
    admin = User.objects.create(username="bench-admin", first_name="Bench", last_name="Admin")
    R.grant(admin, R.ADMIN)
    tutor = User.objects.create(username="bench-tutor", first_name="Tom", last_name="Tutor")
    R.grant(tutor, R.TUTOR)
    cohort = Cohort.objects.create(name="Bench cohort", programme="MBChB", year=2026)
    rubric = Rubric.objects.create(slug="bench", title="Bench rubric", version=1)
    for c in range(4):
        criterion = Criterion.objects.create(rubric=rubric, title=f"Criterion {c + 1}", sort_order=c)
        for lv in range(4):
            Level.objects.create(
                criterion=criterion,
                label=f"Level {lv + 1}",
                points=lv,
                sort_order=lv,
                descriptor="Descriptor.",
            )
    from rubrics import services as rubric_services

    rubric = rubric_services.publish(rubric)
    criteria = list(rubric.criteria.prefetch_related("levels"))
    themes = list(Competency.objects.themes())
    today = timezone.localdate()
    learners = {}
    for size in SIZES:
        learner = User.objects.create(username=f"learner{size}", first_name="Learner", last_name=f"Of{size}")
        R.grant(learner, R.LEARNER)
        Enrolment.objects.create(learner=learner, cohort=cohort)
        for i in range(size):
            day = today - datetime.timedelta(days=1 + i)
            r = Reflection.objects.create(
                learner=learner,
                title=f"Reflection {i + 1} of {size}",
                kind="community_placement",
                setting="community",
                occurred_on=day,
                body_html=BODY,
                status="submitted",
                submitted_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(18))),
            )
            r.themes.set(themes[i % 8 : i % 8 + 2])
            for k in range(2):
                a = Assessment.objects.create(
                    reflection=r,
                    rubric=rubric,
                    assessor=tutor,
                    status="finalised",
                    finalised_at=timezone.now() - datetime.timedelta(days=1),
                    total=6,
                    max_score=12,
                    overall_comment="Solid reflection.",
                )
                Score.objects.bulk_create(
                    Score(assessment=a, criterion=c, level=list(c.levels.all())[(i + k) % 4], comment="Fine.")
                    for c in criteria
                )
            inv = FeedbackInvitation.objects.create(
                learner=learner,
                context_title=f"Session {i + 1}",
                occurred_on=day,
                token_hash=secrets.token_hex(32),
                expires_at=timezone.now(),
            )
            fb = Feedback.objects.create(
                invitation=inv,
                learner=learner,
                context_title=inv.context_title,
                occurred_on=day,
                ratings={"listening": 4, "respect": 5},
                comments="Kind and clear.",
                anonymous=i % 2 == 0,
                respondent_role="patient_representative",
                respondent_name="" if i % 2 == 0 else "A Person",
            )
            Feedback.objects.filter(pk=fb.pk).update(
                submitted_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(20)))
            )
        learners[size] = learner
    return admin, learners, today


def _child(size: int, mode: str) -> dict:
    """One export in this (fresh) process; returns the figures as a dict.

    mode "rss": export (CPU, wall, queries, ru_maxrss right after it), then WeasyPrint alone on
    the same HTML for the ratio. mode "tracemalloc": the export only, under tracemalloc (which
    itself slows the run and inflates RSS, hence its own process)."""
    from django.contrib.auth import get_user_model

    from arcp import evidence, pdf, services

    settings.DEBUG = False
    admin = get_user_model().objects.get(username="bench-admin")
    learner = get_user_model().objects.get(username=f"learner{size}")
    today = timezone.localdate()
    period_from = today - datetime.timedelta(days=400)
    pdf.html_to_pdf("<html lang='en'><body><p>warm-up</p></body></html>")  # fonts, imports
    out: dict = {"size": size}
    if mode == "tracemalloc":
        tracemalloc.start()
        services.build_pack(learner, period_from, today, admin, via="bench")
        out["tracemalloc_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return out
    with CaptureQueriesContext(connection) as queries:
        t0, c0 = time.perf_counter(), time.process_time()
        services.build_pack(learner, period_from, today, admin, via="bench")
        out["export_cpu"], out["export_wall"] = time.process_time() - c0, time.perf_counter() - t0
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["queries"] = len(queries.captured_queries)
    reset_queries()
    html = pdf.render_html(evidence.gather(learner, period_from, today), "bench")
    t0, c0 = time.perf_counter(), time.process_time()
    pdf.html_to_pdf(html)
    out["alone_cpu"], out["alone_wall"] = time.process_time() - c0, time.perf_counter() - t0
    return out


def _run_child(size: int, mode: str) -> dict:
    env = {**os.environ, "ARCP_BENCH_TMP": TMP}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(size), mode],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(_child(int(sys.argv[2]), sys.argv[3])))
        return
    call_command("migrate", verbosity=0)
    setup_world()

    # Each size in a fresh process, so ru_maxrss is the high-water mark of that export alone.
    results = {size: _run_child(size, "rss") for size in SIZES}
    peak = _run_child(200, "tracemalloc")["tracemalloc_mb"]

    # CPU seconds of the child process (robust on a busy machine); wall-clock seconds alongside.
    print(
        f"{'reflections':>11} {'export cpu s':>13} {'WeasyPrint cpu s':>17} {'ratio':>6} {'queries':>8} "
        f"{'maxrss MB':>10} {'wall s':>14}"
    )
    for size, r in results.items():
        print(
            f"{size:>11} {r['export_cpu']:>13.2f} {r['alone_cpu']:>17.2f} "
            f"{r['export_cpu'] / r['alone_cpu']:>6.2f} {r['queries']:>8} {r['maxrss_mb']:>10.0f} "
            f"{r['export_wall']:>6.1f}/{r['alone_wall']:<6.1f}"
        )
    worst = max(r["export_cpu"] / r["alone_cpu"] for r in results.values())
    scale = results[200]["export_cpu"] / results[50]["export_cpu"]
    counts = {r["queries"] for r in results.values()}
    print(f"export ÷ WeasyPrint alone (worst): {worst:.2f}  (goal ≤ 1.15)")
    print(f"200 ÷ 50 export CPU time: {scale:.2f}  (goal ≤ 4.5)")
    print(f"queries per export: {sorted(counts)}  (goal: one value, independent of size)")
    print(
        f"peak memory, 200-reflection export (fresh process each): tracemalloc {peak:.0f} MB, "
        f"ru_maxrss {results[200]['maxrss_mb']:.0f} MB (goal ≤ 600 MB)"
    )
    print(f"(throwaway database and media in {TMP})")


if __name__ == "__main__":
    main()
