"""Shared helpers for the respondent-type tests."""

from feedback.models import Instrument

TYPES = ("patient", "carer", "community_partner", "placement_supervisor", "colleague")
INVITE = "/api/v1/feedback-invitations/"


def respond(token: str) -> str:
    return f"/api/v1/feedback/respond/{token}/"


def full_answer(kind: str, value: int = 4, **overrides) -> dict:
    version = Instrument.objects.current(kind)
    body = {
        "ratings": {key: value for key in version.keys},
        "comments": f"Said by a {kind}.",
        "anonymous": False,
        "respondent_role": version.roles[0],
        "respondent_name": "Sam Person",
    }
    body.update(overrides)
    return body


def token_of(respond_url: str) -> str:
    return respond_url.rstrip("/").rsplit("/", 1)[-1]
