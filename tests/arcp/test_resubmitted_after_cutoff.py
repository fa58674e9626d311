"""A reflection submitted before the cut-off and submitted again after it stays in the pack,
as it was submitted before the cut-off (it used to drop out: only the latest submission time
was looked at)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from arcp import evidence
from portfolio import services
from portfolio.models import Reflection, ReviewEvent


def _write(learner, title: str, text: str) -> Reflection:
    return services.create_reflection(
        learner,
        {
            "title": title,
            "kind": Reflection.Kind.COMMUNITY_PLACEMENT,
            "occurred_on": timezone.localdate() - datetime.timedelta(days=12),
            "reflective_model": "rolfe",
            "sections": {"what": f"<p>{text}</p>", "so_what": "<p>So what.</p>", "now_what": "<p>Next.</p>"},
        },
    )


def test_resubmitted_after_the_cutoff_shows_the_earlier_submission(pack_world):
    w = pack_world
    reflection = _write(w.learner_a, "Foodbank referral audit", "TEXT AS SUBMITTED BEFORE THE CUT-OFF")
    services.submit(reflection, w.learner_a, notify=False)
    before = timezone.now() - datetime.timedelta(days=10)
    ReviewEvent.objects.filter(reflection=reflection).update(created_at=before)
    Reflection.objects.filter(pk=reflection.pk).update(submitted_at=before)
    reflection.refresh_from_db()
    services.request_changes(reflection, w.tutor, "Say more about referral routes.", notify=False)
    reflection.refresh_from_db()
    services.update_reflection(
        reflection,
        w.learner_a,
        {"title": "REVISED TITLE", "sections": {"what": "<p>REVISED AFTER THE CUT-OFF</p>"}},
        reflection.version,
    )
    services.submit(reflection, w.learner_a, notify=False)  # now: after the cut-off (yesterday)

    snapshot = evidence.gather(w.learner_a, w.period_from, w.period_to)
    shown = [r for r in snapshot.reflections if r.reflection.pk == reflection.pk]
    assert len(shown) == 1, "the reflection must stay in the pack"
    item = shown[0]
    assert item.title == "Foodbank referral audit"
    assert "TEXT AS SUBMITTED BEFORE THE CUT-OFF" in item.body_html
    assert "REVISED" not in item.body_html
    assert item.resubmitted_after_cutoff and item.submitted_at == before

    from arcp import pdf

    html = pdf.render_html(snapshot, export_id=1)
    assert "Submitted again after the cut-off" in html and "REVISED" not in html
    assert f"Submitted: {before:%-d %b %Y}" in html


def test_first_submitted_after_the_cutoff_stays_out(pack_world):
    w = pack_world
    reflection = _write(w.learner_a, "AFTER CUTOFF ONLY", "Late.")
    services.submit(reflection, w.learner_a, notify=False)
    snapshot = evidence.gather(w.learner_a, w.period_from, w.period_to)
    assert reflection.pk not in {r.reflection.pk for r in snapshot.reflections}
