#!/usr/bin/env python
"""A deanery's season: a cohort export with one, then two task workers sharing the queue.

    .venv/bin/python bench/cohort_export.py [--learners 40] [--reflections 20] [--workers 1 2]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres): creates database `reflect_cohort_bench`,
seeds one cohort of `--learners` learners with `--reflections` reflections each (each with two
finalised assessments and a feedback), then for each worker count: starts a cohort export
as a programme admin (`arcp.cohort.start_cohort_export`: one task per learner's pack on the
database queue), starts that many `manage.py db_worker --batch` processes, waits until they
have emptied the queue, and prints packs per minute, the speed-up over one worker (goal
>= 1.7 with two workers on two cores) and each worker's peak RSS (VmHWM). Each run uses a
period ending a day earlier than the last, so no pack is reused from the run before.
Drops the database at the end (unless --keep-db).
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common  # noqa: E402

DB_NAME = "reflect_cohort_bench"
ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_workers(count: int, env: dict) -> tuple[float, list[float]]:
    """Start `count` batch workers; wait for all; (seconds, peak RSS MB of each)."""
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0.2",
                "--worker-id",
                f"bench-{n}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(count)
    ]
    peaks = [0.0] * count
    while any(p.poll() is None for p in procs):
        for i, p in enumerate(procs):
            if p.poll() is None:
                peaks[i] = max(peaks[i], peak_rss_mb(p.pid) or 0.0)
        time.sleep(0.2)
    seconds = time.monotonic() - started
    for p in procs:
        if p.returncode:
            sys.exit(f"a worker failed:\n{p.stderr.read().decode()[-2000:]}")
    return seconds, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--reflections", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    url = _common.choose_database(DB_NAME, require_postgres=True)
    media = tempfile.mkdtemp(prefix="cohort-bench-media-")
    os.environ["MEDIA_ROOT"] = media
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    _common.setup_django("config.settings.base")
    _common.migrate()
    from django.utils import timezone

    from arcp import cohort
    from arcp.models import CohortExport
    from reflect import roles as R
    from tests.factories import UserFactory

    seeded = _common.seed(
        args.learners, cohort_size=args.learners, reflections_per_learner=args.reflections, prefix="ce"
    )
    _common.analyze()
    admin = UserFactory(username="bench-admin")
    R.grant(admin, R.ADMIN)
    print(
        f"Seeded {seeded.learners} learners, {seeded.reflections} reflections, {seeded.assessments} "
        f"assessments in {seeded.seconds:.1f} s. Cores: {os.cpu_count()}; load average "
        f"{os.getloadavg()[0]:.2f} at start."
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": media,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    today = timezone.localdate()
    results = []
    for offset, workers in enumerate(args.workers):
        period_to = today - datetime.timedelta(days=offset)
        period_from = period_to - datetime.timedelta(days=365)
        job = cohort.start_cohort_export(seeded.panel_cohort, period_from, period_to, admin)
        seconds, peaks = run_workers(workers, env)
        job.refresh_from_db()
        if job.status != CohortExport.Status.DONE:
            sys.exit(f"export ended {job.status}: {job.error}")
        per_minute = job.total * 60 / seconds
        results.append((workers, job.total, seconds, per_minute, peaks))
        print(
            f"{workers} worker(s): {job.total} packs in {seconds:.1f} s = {per_minute:.1f} packs/min; "
            f"peak RSS per worker {', '.join(f'{p:.0f} MB' for p in peaks)}; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
    if len(results) > 1:
        base = results[0][3]
        for workers, _total, _s, per_minute, _p in results[1:]:
            print(
                f"speed-up with {workers} workers over {results[0][0]}: {per_minute / base:.2f} "
                "(goal >= 1.7 for 2)"
            )
    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        _common.drop_postgres_database(DB_NAME)


if __name__ == "__main__":
    main()
