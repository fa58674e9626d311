"""Demo data for `seed_demo`: people, cohorts, allocations and panels, then reflections.

`seed_demo` calls `seed(ctx)` in each installed app's `demo` module, in INSTALLED_APPS order
(portfolio, rubrics, assessments, arcp). Every step is idempotent (natural keys +
get_or_create), so running the command twice changes nothing.

- `people`: the run's `DemoContext`, the people, cohorts, allocations, panels and the
  invited learner;
- `reflections`: placements and reflections in every status, moved through the services,
  with attachments (`files`: a PNG and a PDF made by the seed) on each learner's first;
- `goals`: goals from the reflections' action plans, in every status.
"""

from __future__ import annotations

from .goals import seed_goals
from .people import DemoContext, demo_email, seed_people
from .reflections import seed_reflections

__all__ = ["DemoContext", "demo_email", "seed", "seed_goals", "seed_people", "seed_reflections"]


def seed(ctx: DemoContext) -> None:
    """The portfolio's demo data: people first, then their reflections and goals."""
    seed_people(ctx)
    seed_reflections(ctx)
    seed_goals(ctx)
