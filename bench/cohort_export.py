#!/usr/bin/env python
"""A deanery's season: a cohort export with one, then two task workers sharing the queue.

    .venv/bin/python bench/cohort_export.py [--learners 40] [--reflections 20] [--workers 1 2]
        [--interval 0.5] [--cold] [--uneven] [--rounds 1] [--db NAME]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres): creates database `--db` (default
`reflect_cohort_bench`), seeds one cohort of `--learners` learners with `--reflections`
reflections each (each with two finalised assessments and a feedback). Then, for each worker
count, as in a deanery's season where the workers are already running:

1. starts that many long-running `manage.py db_worker --interval I` processes and waits
   until each has logged that it is polling the queue;
2. warms them (unless --cold): single packs (the same evidence, another period) until every
   worker has made one, so each has imported WeasyPrint and parsed the pack stylesheet, as
   a worker that has been running all morning has;
3. times one cohort export (`arcp.cohort.start_cohort_export`, as the programme admin's
   request does: the fan-out task, then one task per learner's pack) from the request to
   the export's `finished_at` (written by the worker that stores the ZIP), so neither
   start-up nor the parent's polling is in the seconds;
4. prints packs per minute, each worker's peak RSS (VmHWM), the CPU seconds of the workers,
   of their PostgreSQL backends and of this parent process, and where the seconds went
   (`bench/_cohort_timeline.py`: per worker busy, idle before the first task, between
   tasks and at the tail; per pack the hand-off and `pack_finished`), then stops them.

The speed-up is packs/min with N workers over packs/min with the first count (goal >= 1.7
with two workers on two cores); with --rounds R the counts alternate R times (1, 2, 1, 2, ...)
and the medians are compared, which shares a busy machine's changing load out between them.
Each run uses a period starting a day earlier than the last and ending today, so every run
prints the same evidence (all seeded within the last year; before, each period ended a day
earlier, which left out the assessments finalised today, so the two-worker packs were
smaller) and no pack is reused from the run before (reuse needs the same period); the
script checks that the PDF bytes made are within 1%.
Drops the database at the end (unless --keep-db).
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _cohort_timeline, _common  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pids) -> float:
    """User + system CPU seconds of the processes `pids` (those still there)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine so far, all processes (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq) / TICK, steal / TICK


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class BackendCPU:
    """CPU seconds of the PostgreSQL backends serving the bench database (not this process's
    own). A worker's connection is replaced every CONN_MAX_AGE seconds, so the backends are
    sampled at every poll and each one's last reading kept."""

    def __init__(self, db_name: str):
        self.db_name = db_name
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.sample(baseline=True)

    def sample(self, baseline: bool = False) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.db_name],
            )
            pids = [row[0] for row in cursor.fetchall()]
        for pid in pids:
            used = cpu_seconds([pid])
            self.first.setdefault(pid, used if baseline else 0.0)  # a new backend: all of it
            self.last[pid] = used

    def seconds(self) -> float:
        self.sample()
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def start_workers(count: int, env: dict, interval: float, logs: Path) -> list[subprocess.Popen]:
    """Start `count` long-running workers; return once each has logged "Starting worker" and
    had time for its first poll."""
    procs = []
    for n in range(count):
        log = open(logs / f"bench-{n}.log", "w")  # noqa: SIM115 - the worker writes it
        procs.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                 "--interval", str(interval), "--worker-id", f"bench-{n}", "--verbosity", "1"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
    started = time.monotonic()
    deadline = started + 120
    while not all("Starting worker" in (logs / f"bench-{n}.log").read_text() for n in range(count)):
        for n, p in enumerate(procs):
            if p.poll() is not None:
                sys.exit(f"worker bench-{n} ended:\n{(logs / f'bench-{n}.log').read_text()[-2000:]}")
        if time.monotonic() > deadline:
            sys.exit("the workers did not start within 120 s")
        time.sleep(0.1)
    print(
        f"    start-up: every worker polling {time.monotonic() - started:.1f} s after its start (not timed)"
    )
    time.sleep(interval + 0.2)  # each has polled the empty queue at least once
    return procs


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(timeout=60)


def wait_for(predicate, what: str, timeout: float = 900, poll: float = 0.25) -> None:
    """Sleep-poll (one cheap query per `poll` seconds) until `predicate()`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(poll)


def warm(workers: int, learners: list, admin, period_from, period_to) -> list[float]:
    """Single packs of a period not timed, until every worker has run one; returns the
    seconds of each worker's first pack (the imports and first-use set-up of a new worker)."""
    from django_tasks_db.models import DBTaskResult

    from arcp import pack_requests
    from arcp.models import PackRequest

    task_ids: list[str] = []
    for attempt in range(5):
        made = [
            pack_requests.start(learner, period_from, period_to, admin, return_url="/", via="task")
            for learner in learners[attempt * 2 * workers : (attempt + 1) * 2 * workers]
        ]
        ids = [m.pk for m in made]
        wait_for(
            lambda ids=ids: not PackRequest.objects.filter(pk__in=ids, finished_at__isnull=True).exists(),
            "the warm-up packs",
        )
        task_ids += PackRequest.objects.filter(pk__in=ids).values_list("task_id", flat=True)
        first: dict[str, float] = {}
        for task in DBTaskResult.objects.filter(id__in=task_ids).order_by("started_at"):
            first.setdefault(task.worker_ids[-1], (task.finished_at - task.started_at).total_seconds())
        if len(first) >= workers:
            return [first[w] for w in sorted(first)]
    sys.exit("the warm-up did not reach every worker")


def uneven(cohort_, reflections: int) -> None:
    """Portfolios of different sizes, as in a real cohort: each learner keeps a random (seeded,
    so the same in every run) number of their reflections as evidence, from a tenth of them to
    all; the others go back to drafts (not evidence; finalised assessments keep them)."""
    import random

    from arcp import cohort
    from portfolio.models import Reflection

    rng = random.Random(17)
    for learner in cohort.cohort_learners(cohort_):
        keep = rng.randint(max(1, reflections // 10), reflections)
        extra = Reflection.objects.filter(learner=learner).order_by("pk").values_list("pk", flat=True)[keep:]
        Reflection.objects.filter(pk__in=list(extra)).update(
            status=Reflection.Status.DRAFT, submitted_at=None
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--reflections", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--interval", type=float, default=0.5, help="db_worker --interval (seconds)")
    parser.add_argument("--cold", action="store_true", help="no warm-up pack per worker")
    parser.add_argument(
        "--uneven",
        action="store_true",
        help="each learner keeps a random tenth to all of their reflections as evidence",
    )
    parser.add_argument("--db", default="reflect_cohort_bench", help="PostgreSQL database to create")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the worker counts, alternating")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    url = _common.choose_database(args.db, require_postgres=True)
    media = tempfile.mkdtemp(prefix="cohort-bench-media-")
    logs = Path(tempfile.mkdtemp(prefix="cohort-bench-logs-"))
    os.environ["MEDIA_ROOT"] = media
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    _common.setup_django("config.settings.base")
    _common.migrate()
    from django.db.models import Count, Sum
    from django.utils import timezone

    from arcp import cohort
    from arcp.models import CohortExport
    from reflect import roles as R
    from tests.factories import UserFactory

    seeded = _common.seed(
        args.learners, cohort_size=args.learners, reflections_per_learner=args.reflections, prefix="ce"
    )
    if args.uneven:
        uneven(seeded.panel_cohort, args.reflections)
        from portfolio.models import Reflection

        kept = Reflection.objects.exclude(status=Reflection.Status.DRAFT).count()
        print(f"--uneven: {kept} reflections kept as evidence")
    _common.analyze()
    admin = UserFactory(username="bench-admin")
    R.grant(admin, R.ADMIN)
    people = list(cohort.cohort_learners(seeded.panel_cohort))
    print(
        f"Seeded {seeded.learners} learners, {seeded.reflections} reflections, {seeded.assessments} "
        f"assessments in {seeded.seconds:.1f} s. Cores: {os.cpu_count()}; load average "
        f"{os.getloadavg()[0]:.2f} at start. Workers: db_worker --interval {args.interval}, "
        f"CONN_MAX_AGE={os.environ['CONN_MAX_AGE']}, {'cold' if args.cold else 'each warmed by one pack'}; "
        "timed from the admin's request to the export's finished_at (worker start-up not included)."
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MEDIA_ROOT": media,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    today = timezone.localdate()
    results = []
    for offset, workers in enumerate(args.workers * args.rounds):
        procs = start_workers(workers, env, args.interval, logs)
        try:
            if not args.cold:
                firsts = warm(workers, people, admin, today - datetime.timedelta(days=700 + offset), today)
                print(
                    f"    warm-up: each worker's first pack "
                    f"{', '.join(f'{f:.1f} s' for f in firsts)} (not timed)"
                )
            pg = BackendCPU(args.db)
            before = (cpu_seconds(p.pid for p in procs), 0.0, own_cpu(), *machine_cpu())
            load_before = os.getloadavg()[0]
            requested_at = timezone.now()
            job = cohort.start_cohort_export(
                seeded.panel_cohort, today - datetime.timedelta(days=365 + offset), today, admin
            )
            wait_for(
                lambda job=job, pg=pg: (
                    pg.sample() or CohortExport.objects.filter(pk=job.pk, finished_at__isnull=False).exists()
                ),
                "the export",
            )
            after = (cpu_seconds(p.pid for p in procs), pg.seconds(), own_cpu(), *machine_cpu())
            peaks = [peak_rss_mb(p.pid) or 0.0 for p in procs]
        finally:
            stop_workers(procs)
        job.refresh_from_db()
        if job.status != CohortExport.Status.DONE:
            sys.exit(f"export ended {job.status}: {job.error}")
        timeline = _cohort_timeline.read(job, requested_at)
        per_minute = job.total * 60 / timeline.seconds
        made = job.pack_requests.filter(reused=False).aggregate(n=Count("pk"), size=Sum("export__size"))
        results.append((workers, per_minute, made["size"]))
        used = [a - b for a, b in zip(after, before, strict=True)]
        others = used[3] - sum(used[:3])
        print(
            f"{workers} worker(s): {job.total} packs ({made['n']} made, {made['size'] / 1e6:.1f} MB of PDF) "
            f"in "
            f"{timeline.seconds:.1f} s = {per_minute:.1f} packs/min; peak RSS per worker "
            f"{', '.join(f'{p:.0f} MB' for p in peaks)}; load average {load_before:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after\n"
            f"    CPU s: workers {used[0]:.1f} ({used[0] / job.total:.2f} per pack), their PostgreSQL "
            f"backends {used[1]:.1f}, this parent {used[2]:.2f}; everything else on the machine "
            f"{others:.1f}, steal {used[4]:.1f} (of {os.cpu_count() * timeline.seconds:.0f} core-seconds)"
        )
        print("\n".join(timeline.lines()))
    by_count = {w: [r for r in results if r[0] == w] for w in args.workers}
    base_workers = args.workers[0]
    base = statistics.median(r[1] for r in by_count[base_workers])
    size = results[0][2]
    for workers, _per_minute, other_size in results:
        if abs(other_size - size) > 0.01 * size:
            print(
                f"NOTE: a {workers}-worker run's packs differ in size from the first run's: not the same work"
            )
    for workers in args.workers[1:]:
        median = statistics.median(r[1] for r in by_count[workers])
        rounds = [
            f"{b[1] and r[1] / b[1]:.2f}"
            for b, r in zip(by_count[base_workers], by_count[workers], strict=True)
        ]
        print(
            f"speed-up with {workers} workers over {base_workers}: {median / base:.2f} (medians of "
            f"{args.rounds} round(s); per round {', '.join(rounds)}; goal >= 1.7 for 2)"
        )
    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        _common.drop_postgres_database(args.db)


if __name__ == "__main__":
    main()
