"""The audit log (append-only; its table keeps the name it had in the `portfolio` app) and
API tokens."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from reflect.people import display_name

User = settings.AUTH_USER_MODEL


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # append-only
        raise ValidationError("The audit log is append-only.")

    def delete(self):
        raise ValidationError("The audit log is append-only.")


class AuditEvent(models.Model):
    """Append-only record of reads of a learner's portfolio by others and of state changes."""

    # Every list read writes a row per learner on the page, so the table carries only the
    # indexes its questions need: (learner, date), (actor, date) and date. The two composite
    # indexes also serve lookups by learner or actor alone, so the foreign keys get none of
    # their own (bench/api_throughput.py: fewer indexes to update on every read).
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    learner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    action = models.CharField(max_length=64, help_text="e.g. read, export, submit")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    via = models.CharField(max_length=16, blank=True, help_text="api, site, admin, export, task")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "portfolio_auditevent"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["learner", "created_at"]),
            models.Index(fields=["actor", "created_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The audit log is append-only.")


class ApiToken(models.Model):
    """An API token (`Authorization: Token <key>`): one per sign-in at `POST /api/v1/auth/token/`.

    Only the SHA-256 of the key is stored (the key is 256 random bits, so a fast hash is
    enough: it cannot be guessed, only stolen, and a copy of the table gives no usable key).
    A token ends at `expires_at` (`API_TOKEN_TTL_HOURS` after it was issued), when its person
    revokes it, and with every token of its person when their password changes or their
    account is deactivated (`reflect.tokens`).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it by")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    client = models.CharField(max_length=200, blank=True, help_text="The User-Agent it was issued to")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… of {self.user} (until {self.expires_at:%Y-%m-%d %H:%M})"


class InvitationQuerySet(models.QuerySet):
    def waiting(self):
        """Not accepted, not withdrawn (expired ones included: they still wait for a person)."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)


class Invitation(models.Model):
    """A one-time link that lets a person the programme created choose their password.

    Only the SHA-256 of the link's token is stored. Sending a new invitation to the same person
    withdraws the earlier ones (`withdrawn_at`), so only the newest link works. The link is
    used up when the password is set (`accepted_at`); it is also closed, as accepted, when the
    person signs in some other way first (forgotten password, single sign-on).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(help_text="The address the link was sent to.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the e-mail went out.")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_how = models.CharField(max_length=32, blank=True, help_text="invitation, password_reset, sso")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"Invitation for {self.user} ({self.state_label})"

    @property
    def person(self) -> str:
        """The invited person's name (the admin list's first column)."""
        return display_name(self.user)

    @property
    def state(self) -> str:
        """One of "accepted", "withdrawn", "expired" or "waiting"."""
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_at <= timezone.now():
            return "expired"
        return "waiting"

    @property
    def state_label(self) -> str:
        return {
            "accepted": "Accepted",
            "withdrawn": "Replaced by a newer invitation",
            "expired": "Expired, not accepted",
            "waiting": "Waiting",
        }[self.state]
