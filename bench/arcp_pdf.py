"""ARCP pack benchmark (a plain script, not a test).

    DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/arcp_pdf.py \
        [--sizes 10,50,200] [--repeats 5] [--baseline-dir /tmp/pack-base] [--profile 50]

Uses a throwaway SQLite database and media folder in a temp directory (migrated here), builds
portfolios of 10, 20, 50 and 200 reflections (each with two finalised assessments and a feedback),
then measures each export in a fresh subprocess (so ru_maxrss is per export): the full export
(`arcp.services.build_pack`), WeasyPrint alone rendering the same HTML, and the *floor*: plain
WeasyPrint rendering the same words as bare paragraphs (`bench/_arcp_floor.py`). Sizes under
200 are repeated (`--repeats` fresh processes each; median and range); the 200 export runs
once, and once more under tracemalloc.

`--baseline-dir DIR` runs the same children against another checkout of the code (e.g.
`git worktree add /tmp/pack-base <commit>`), interleaved with ours on the same database, and
prints the two side by side (pages per CPU second, speed-up). `--profile N` runs one
N-reflection export under pyinstrument and writes its text report next to the database.

Prints: export ÷ WeasyPrint alone (goal ≤ 1.15), pack ÷ floor (goal ≤ 1.5 at 50), DB queries
per export (goal: the same at every size), the peak memory of the 200-reflection export (goal
≤ 600 MB) and the load average before and after (the machine is shared: trust ratios).
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code under test: ours, or a baseline checkout (--baseline-dir) in a child process.
CODE = Path(os.environ.get("ARCP_BENCH_CODE") or ROOT)
sys.path.insert(0, str(CODE))
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

# 20: the goal of a 20-reflection pack in at most 5 s of wall time.
SIZES = (10, 20, 50, 200)
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

    mode "rss": export (CPU, wall, queries, ru_maxrss right after it, pages), then WeasyPrint
    alone on the same HTML, then (unless ARCP_BENCH_FLOOR=0) the floor document. mode
    "tracemalloc": the export only, under tracemalloc (which itself slows the run and inflates
    RSS, hence its own process). mode "profile": the export under pyinstrument."""
    import io

    import pypdf
    from django.contrib.auth import get_user_model

    from arcp import evidence, pdf, services
    from arcp.models import ArcpExport

    settings.DEBUG = False
    admin = get_user_model().objects.get(username="bench-admin")
    learner = get_user_model().objects.get(username=f"learner{size}")
    today = timezone.localdate()
    period_from = today - datetime.timedelta(days=400)
    # An earlier run's pack of the same evidence would be reused (no rendering): start afresh.
    for old in ArcpExport.objects.filter(learner=learner):
        old.file.delete(save=False)
        old.delete()
    # Warm-up: this process makes one 10-reflection pack's PDF first, as a server process has
    # by its second pack (imports, templates compiled, fonts loaded, cffi declarations parsed),
    # so that the export and WeasyPrint alone below both start warm.
    warm = get_user_model().objects.get(username="learner10")
    pdf.html_to_pdf(pdf.render_html(evidence.gather(warm, period_from, today), "warm-up"))
    out: dict = {"size": size}
    if mode == "tracemalloc":
        tracemalloc.start()
        services.build_pack(learner, period_from, today, admin, via="bench")
        out["tracemalloc_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return out
    if mode == "profile":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
        services.build_pack(learner, period_from, today, admin, via="bench")
        profiler.stop()
        path = Path(TMP) / f"profile-{size}-{CODE.name}.txt"
        path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        out["profile"] = str(path)
        return out
    with CaptureQueriesContext(connection) as queries:
        t0, c0 = time.perf_counter(), time.process_time()
        export = services.build_pack(learner, period_from, today, admin, via="bench")
        out["export_cpu"], out["export_wall"] = time.process_time() - c0, time.perf_counter() - t0
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["queries"] = len(queries.captured_queries)
    out["pages"] = len(pypdf.PdfReader(io.BytesIO(services.read_pack(export))).pages)
    reset_queries()
    html = pdf.render_html(evidence.gather(learner, period_from, today), "bench")
    t0, c0 = time.perf_counter(), time.process_time()
    pdf.html_to_pdf(html)
    out["alone_cpu"], out["alone_wall"] = time.process_time() - c0, time.perf_counter() - t0
    if os.environ.get("ARCP_BENCH_FLOOR", "1") == "1":
        from _arcp_floor import render_floor

        t0, c0 = time.perf_counter(), time.process_time()
        floor = render_floor(html)
        out["floor_cpu"], out["floor_wall"] = time.process_time() - c0, time.perf_counter() - t0
        out["floor_pages"] = len(pypdf.PdfReader(io.BytesIO(floor)).pages)
    return out


def _run_child(size: int, mode: str, code: Path | None = None) -> dict:
    env = {**os.environ, "ARCP_BENCH_TMP": TMP, "ARCP_BENCH_CODE": str(code or ROOT)}
    if code is not None and code != ROOT:
        env["ARCP_BENCH_FLOOR"] = "0"  # the floor is the same document: measure it with ours
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(size), mode],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        sys.exit(f"child {size} {mode} ({code or ROOT}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _med(runs: list[dict], key) -> tuple[float, float, float]:
    values = [key(r) for r in runs]
    return statistics.median(values), min(values), max(values)


def _fmt(stat: tuple[float, float, float], digits: int = 2) -> str:
    med, lo, hi = stat
    if lo == hi:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f})"


def _report(label: str, results: dict[int, list[dict]]) -> None:
    print(f"\n== {label} (CPU seconds of the child; median (min–max) of the fresh processes) ==")
    print(
        f"{'refl':>4} {'n':>2} {'pages':>5} {'export cpu s':>20} {'WeasyPrint cpu s':>20} "
        f"{'export÷WP':>20} {'pack÷floor':>18} {'pages/cpu s':>18} {'queries':>7} {'maxrss MB':>9} "
        f"{'export wall s':>14}"
    )
    for size, runs in results.items():
        floor = "—"
        if all("floor_cpu" in r for r in runs):
            floor = _fmt(_med(runs, lambda r: r["alone_cpu"] / r["floor_cpu"]))
        print(
            f"{size:>4} {len(runs):>2} {runs[0]['pages']:>5} "
            f"{_fmt(_med(runs, lambda r: r['export_cpu'])):>20} "
            f"{_fmt(_med(runs, lambda r: r['alone_cpu'])):>20} "
            f"{_fmt(_med(runs, lambda r: r['export_cpu'] / r['alone_cpu'])):>20} {floor:>18} "
            f"{_fmt(_med(runs, lambda r: r['pages'] / r['export_cpu']), 1):>18} "
            f"{'/'.join(str(q) for q in sorted({r['queries'] for r in runs})):>7} "
            f"{max(r['maxrss_mb'] for r in runs):>9.0f} {_fmt(_med(runs, lambda r: r['export_wall']), 1):>14}"
        )


def main():
    import argparse

    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(_child(int(sys.argv[2]), sys.argv[3])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per size under 200")
    parser.add_argument("--baseline-dir", type=Path, help="another checkout to run side by side")
    parser.add_argument("--profile", type=int, metavar="N", help="profile one N-reflection export")
    parser.add_argument("--baseline-sizes", help="sizes to run against the baseline (default: all)")
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not (Path(TMP) / "bench.sqlite3").exists() or "ARCP_BENCH_TMP" not in os.environ:
        call_command("migrate", verbosity=0)
        setup_world()
    load_before = os.getloadavg()

    if args.profile:
        for code in [ROOT] + ([args.baseline_dir.resolve()] if args.baseline_dir else []):
            print(f"profile ({code}): {_run_child(args.profile, 'profile', code)['profile']}")
        return

    codes = {"this code": ROOT}
    if args.baseline_dir:
        codes = {"baseline": args.baseline_dir.resolve(), **codes}
    results: dict[str, dict[int, list[dict]]] = {label: {} for label in codes}
    base_sizes = [int(s) for s in (args.baseline_sizes or args.sizes).split(",") if s]
    for size in sizes:
        for _ in range(args.repeats if size < 200 else 1):
            for label, code in codes.items():  # interleaved, so both see the same load
                if label == "baseline" and size not in base_sizes:
                    continue
                run = _run_child(size, "rss", code)
                results[label].setdefault(size, []).append(run)
                print(f"  {label} {size}: {json.dumps(run)}", flush=True)
    peak = None
    if 200 in sizes and not args.no_tracemalloc:
        peak = _run_child(200, "tracemalloc")["tracemalloc_mb"]
    load_after = os.getloadavg()

    for label, by_size in results.items():
        _report(f"{label}: {codes[label]}", by_size)
    ours = results["this code"]
    if args.baseline_dir:
        print("\n== side by side (median CPU s of the export; pages per CPU second) ==")
        for size in [s for s in sizes if s in results["baseline"]]:
            base, new = results["baseline"][size], ours[size]
            b_cpu, n_cpu = _med(base, lambda r: r["export_cpu"])[0], _med(new, lambda r: r["export_cpu"])[0]
            b_pps = _med(base, lambda r: r["pages"] / r["export_cpu"])[0]
            n_pps = _med(new, lambda r: r["pages"] / r["export_cpu"])[0]
            print(
                f"{size:>4} reflections: {base[0]['pages']} → {new[0]['pages']} pages, export {b_cpu:.2f} → "
                f"{n_cpu:.2f} CPU s (×{b_cpu / n_cpu:.2f} faster), {b_pps:.1f} → {n_pps:.1f} pages/s "
                f"(×{n_pps / b_pps:.2f}), wall {_med(base, lambda r: r['export_wall'])[0]:.1f} → "
                f"{_med(new, lambda r: r['export_wall'])[0]:.1f} s"
            )
    worst = max(_med(runs, lambda r: r["export_cpu"] / r["alone_cpu"])[0] for runs in ours.values())
    print(f"\nexport ÷ WeasyPrint alone (worst median): {worst:.2f}  (goal ≤ 1.15)")
    if 50 in ours and "floor_cpu" in ours[50][0]:
        print(
            f"pack ÷ floor at 50: {_med(ours[50], lambda r: r['alone_cpu'] / r['floor_cpu'])[0]:.2f}"
            "  (goal ≤ 1.5)"
        )
    if 20 in ours:
        wall = _med(ours[20], lambda r: r["export_wall"])
        print(f"20-reflection export, wall: {_fmt(wall)} s  (goal ≤ 5 s)")
    counts = {r["queries"] for runs in ours.values() for r in runs}
    print(f"queries per export: {sorted(counts)}  (goal: one value, independent of size)")
    if 200 in ours:
        rss = max(r["maxrss_mb"] for r in ours[200])
        traced = f"tracemalloc {peak:.0f} MB, " if peak is not None else ""
        print(
            f"peak memory, 200-reflection export (fresh process): {traced}ru_maxrss {rss:.0f} MB"
            " (goal ≤ 600 MB)"
        )
    print(
        f"load average (1, 5, 15 min) before {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after {', '.join(f'{x:.2f}' for x in load_after)}; {os.cpu_count()} CPUs"
    )
    print(f"(throwaway database and media in {TMP}; reuse it with ARCP_BENCH_TMP={TMP})")


if __name__ == "__main__":
    main()
