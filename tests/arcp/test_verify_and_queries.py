import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arcp import evidence, services
from tests.factories import arcp_feedback, arcp_finalised_assessment, arcp_reflection, make_published_rubric


def test_verify_round_trip_and_one_byte_change(pack_world):
    w = pack_world
    export = services.build_pack(w.learner_a, w.period_from, w.period_to, w.learner_a)
    data = services.read_pack(export)
    assert services.verify(data, w.examiner) == export
    assert services.verify(data, w.learner_a) == export
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    assert services.verify(bytes(changed), w.examiner) is None
    assert services.verify(data + b"\n", w.examiner) is None
    # out of scope: looks invalid
    assert services.verify(data, w.learner_b) is None
    assert services.verify(data, w.former) is None


def _portfolio(learner, n, tutor, rubric):
    today = timezone.localdate()
    for i in range(n):
        r = arcp_reflection(
            learner, today - datetime.timedelta(days=10 + i), themes=("advocacy", "context"), title=f"R{i}"
        )
        arcp_finalised_assessment(r, rubric, tutor, level_index=i % 4)
        arcp_finalised_assessment(r, rubric, tutor, level_index=(i + 1) % 4)
        arcp_feedback(learner, r.occurred_on)


def _count(learner):
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as ctx:
        snap = evidence.gather(learner, today - datetime.timedelta(days=365), today)
    return len(ctx.captured_queries), snap


@pytest.mark.parametrize("n", [5, 40])
def test_snapshot_queries_do_not_depend_on_reflections(world, n, django_assert_max_num_queries):
    rubric = make_published_rubric(criteria=3, levels=4)
    _portfolio(world.learner_a, n, world.tutor, rubric)
    today = timezone.localdate()
    # 12, the period's signed supervisor's reports, the goals (issue 16), the released
    # colleague rounds (issue 18) and the attachments (issue 16): each one more query,
    # constant in the evidence's size.
    with django_assert_max_num_queries(16):
        snap = evidence.gather(world.learner_a, today - datetime.timedelta(days=365), today)
        # rendering reads only what was prefetched
        from arcp import pdf

        pdf.render_html(snap, "x")
    assert len(snap.reflections) == n
    assert snap.summary["assessment_count"] == 2 * n


def test_same_query_count_for_5_and_40(world):
    rubric = make_published_rubric(criteria=3, levels=4)
    _portfolio(world.learner_a, 5, world.tutor, rubric)
    small, _ = _count(world.learner_a)
    _portfolio(world.learner_b, 40, world.tutor, rubric)
    large, snap = _count(world.learner_b)
    assert len(snap.reflections) == 40
    assert small == large
