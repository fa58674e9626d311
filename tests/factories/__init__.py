"""Factories for every model, shared by all tests: one module per app (`people` for users and
API tokens, `portfolio`, `rubrics`, `assessments`, `feedback`, `arcp`) and `world`, the people
every scope test starts from. Import from here (`from tests.factories import X`)."""

from .arcp import (
    ArcpExportFactory,
    ArcpReviewFactory,
    arcp_feedback,
    arcp_finalised_assessment,
    arcp_reflection,
    signed_supervisor_report,
)
from .assessments import AssessmentFactory, mark
from .feedback import FeedbackFactory, feedback_invitation
from .people import UserFactory, api_token
from .portfolio import (
    TODAY,
    AllocationFactory,
    CohortFactory,
    LearnerFactory,
    PanelFactory,
    PlacementFactory,
    ReflectionFactory,
    panel_member,
    submitted_reflection,
)
from .rubrics import (
    CompetencyFactory,
    CriterionFactory,
    FrameworkFactory,
    LevelFactory,
    RubricFactory,
    make_published_rubric,
)
from .world import World, build_world

__all__ = [
    "TODAY",
    "AllocationFactory",
    "ArcpExportFactory",
    "ArcpReviewFactory",
    "AssessmentFactory",
    "CohortFactory",
    "CompetencyFactory",
    "CriterionFactory",
    "FeedbackFactory",
    "FrameworkFactory",
    "LearnerFactory",
    "LevelFactory",
    "PanelFactory",
    "PlacementFactory",
    "ReflectionFactory",
    "RubricFactory",
    "UserFactory",
    "World",
    "api_token",
    "arcp_feedback",
    "arcp_finalised_assessment",
    "arcp_reflection",
    "build_world",
    "feedback_invitation",
    "make_published_rubric",
    "mark",
    "panel_member",
    "signed_supervisor_report",
    "submitted_reflection",
]
