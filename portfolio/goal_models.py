"""Goals: a learner's personal development plan (issue 16).

A goal is usually made from a reflection's action plan: what the learner will do, by when,
how they will know, and which social-accountability themes it serves. It stays open until the
learner reviews it (achieved, partly achieved or carried forward, with a short review); the
learner's allocated tutor reads it and comments. Who sees and does what is
`portfolio.policies.goals`; changes go through `portfolio.services.goals`.

Kept apart from `models.py` (imported at its end, so Django finds the models there).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reflect import limits

User = settings.AUTH_USER_MODEL

GOAL_TEXT = 2_000  # what the goal is, how the learner will know: a few sentences each


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        PARTLY_ACHIEVED = "partly_achieved", "Partly achieved"
        CARRIED_FORWARD = "carried_forward", "Carried forward"

    #: The outcomes of a review: each needs a short review text, and closes the goal.
    CLOSED_STATUSES = (Status.ACHIEVED, Status.PARTLY_ACHIEVED, Status.CARRIED_FORWARD)

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="goals")
    reflection = models.ForeignKey(
        "portfolio.Reflection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
        help_text="The reflection whose action plan this goal comes from (optional).",
    )
    what = models.TextField("what", max_length=GOAL_TEXT, help_text="What the learner will do.")
    due_on = models.DateField("by when")
    success_measure = models.TextField(
        "how they will know", max_length=GOAL_TEXT, help_text="How the learner will know it is done."
    )
    themes = models.ManyToManyField("rubrics.Competency", blank=True, related_name="goals")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    review = models.TextField(
        blank=True, max_length=limits.COMMENT, help_text="The learner's review when closing the goal."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["learner", "status"])]

    def __str__(self) -> str:
        return self.what[:80]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class GoalComment(models.Model):
    """A comment on a goal by the learner's tutor (or the learner's reply). Plain text."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=limits.COMMENT, help_text="Plain text; shown escaped.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.goal}"
