"""Where a cohort export's seconds went, read back from the database after the run.

The task queue's rows (`DBTaskResult`: claimed by which worker, started, finished) and the
export's `PackRequest` rows (claimed, pack made) give, per worker: tasks run, busy seconds,
the wait before its first task, the gaps between tasks and the tail (finished its last task
while the export was still going). Per pack: the claim hand-off (the queue claims the task →
`pack_requests.run` claims the request) and `pack_finished` (the pack is made → the task
ends: the count under the export's row lock, and for the last pack the ZIP).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class WorkerLine:
    worker: str
    tasks: int = 0
    busy: float = 0.0
    first_wait: float = 0.0  # from the admin's request to this worker's first claim
    gaps: list[float] = field(default_factory=list)  # between one task's end and the next claim
    tail: float = 0.0  # from this worker's last task's end to the export's end


@dataclass
class Timeline:
    seconds: float
    fan_out: float  # the export_cohort task, start to end
    first_pack_claimed: float  # from the request to the first pack claimed by a worker
    workers: list[WorkerLine]
    handoff_ms: list[float]
    finish_ms: list[float]
    zip_ms: float
    lock_ms_max: float
    overlapping: int  # pack_finished calls that overlapped another worker's (could wait on the lock)

    def lines(self) -> list[str]:
        out = [
            f"    fan-out task {self.fan_out * 1000:.0f} ms; first pack claimed "
            f"{self.first_pack_claimed:.2f} s after the request; ZIP {self.zip_ms:.0f} ms"
        ]
        for w in self.workers:
            gaps = sum(w.gaps)
            out.append(
                f"    {w.worker}: {w.tasks} tasks, busy {w.busy:.1f} s ({w.busy / self.seconds:.0%}); "
                f"idle: before its first task {w.first_wait:.2f} s, between tasks {gaps:.2f} s "
                f"(max {max(w.gaps, default=0) * 1000:.0f} ms), tail {max(w.tail, 0.0):.2f} s"
            )
        out.append(
            f"    per pack: hand-off median {statistics.median(self.handoff_ms):.1f} ms; "
            "pack made -> task ended (pack_finished's row lock and count, the task's result saved) "
            f"median {statistics.median(self.finish_ms):.1f} ms, "
            f"max {self.lock_ms_max:.1f} ms (the last pack's ZIP excluded);\n"
            f"    {self.overlapping} of "
            f"{len(self.finish_ms) + 1} overlapped another worker's (only those can wait for the row lock)"
        )
        return out


def read(job, requested_at) -> Timeline:
    """The timeline of the finished `CohortExport` `job`, requested at `requested_at`."""
    from django_tasks_db.models import DBTaskResult

    requests = list(job.pack_requests.all())
    rows = {
        str(r.id): r
        for r in DBTaskResult.objects.filter(id__in=[job.task_id, *(p.task_id for p in requests)])
    }
    fan = rows[job.task_id]
    end = job.finished_at
    seconds = (end - requested_at).total_seconds()
    packs = sorted(((rows[p.task_id], p) for p in requests), key=lambda tp: tp[0].started_at)
    by_worker: dict[str, list] = {}
    for task in [fan, *(t for t, _p in packs)]:
        by_worker.setdefault(task.worker_ids[-1], []).append(task)
    workers = []
    for name, tasks in sorted(by_worker.items()):
        tasks.sort(key=lambda t: t.started_at)
        workers.append(
            WorkerLine(
                worker=name,
                tasks=len(tasks),
                busy=sum((t.finished_at - t.started_at).total_seconds() for t in tasks),
                first_wait=(tasks[0].started_at - requested_at).total_seconds(),
                gaps=[
                    (b.started_at - a.finished_at).total_seconds()
                    for a, b in zip(tasks, tasks[1:], strict=False)
                ],
                tail=(end - tasks[-1].finished_at).total_seconds(),
            )
        )
    last = max(packs, key=lambda tp: tp[1].finished_at)
    finish_ms = [(t.finished_at - p.finished_at).total_seconds() * 1000 for t, p in packs if p is not last[1]]
    spans = [(p.finished_at, t.finished_at, t.worker_ids[-1]) for t, p in packs]
    overlapping = sum(any(w != w2 and a < b2 and a2 < b for a2, b2, w2 in spans) for a, b, w in spans)
    return Timeline(
        seconds=seconds,
        fan_out=(fan.finished_at - fan.started_at).total_seconds(),
        first_pack_claimed=(packs[0][0].started_at - requested_at).total_seconds(),
        workers=workers,
        handoff_ms=[(p.started_at - t.started_at).total_seconds() * 1000 for t, p in packs],
        finish_ms=finish_ms,
        zip_ms=(end - last[1].finished_at).total_seconds() * 1000,
        lock_ms_max=max(finish_ms, default=0.0),
        overlapping=overlapping,
    )
