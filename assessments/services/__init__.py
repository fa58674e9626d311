"""Marking: the only door to Assessment and Score state changes.

Site views, API views, admin views and the demo seed call these functions, so every door
obeys the same rules:

- only a tutor currently allocated to the learner may mark (or a second marker named in a
  `ModerationRequest` by an admin), only a reflection that is not a draft, only against a
  published rubric; the assessment pins that exact rubric version (row);
- a level must belong to its criterion and the criterion to the rubric;
- `draft → finalised`; finalising needs every criterion scored; a finalised assessment is
  immutable (also guarded in the model), and a correction is a new draft that `supersedes`
  it with a reason;
- optimistic locking on `version` (stale → `StaleVersion`, 409);
- every state change is written to the audit log.

Totals come from `rubrics.scoring` (the one place the maths lives).

By concern:

- `scores`: the criteria of a rubric in order, score rows checked against the pinned rubric,
  totals (through `rubrics.scoring`), what is still unscored;
- `marking`: create, update, finalise and supersede an assessment;
- `second_marking`: an admin's request for a blind second marking.
"""

from .marking import IncompleteAssessment, create_assessment, finalise, supersede, update_assessment
from .scores import ScoreInput, compute_totals, missing_criteria, rubric_criteria
from .second_marking import request_moderation

__all__ = [
    "IncompleteAssessment",
    "ScoreInput",
    "compute_totals",
    "create_assessment",
    "finalise",
    "missing_criteria",
    "request_moderation",
    "rubric_criteria",
    "supersede",
    "update_assessment",
]
