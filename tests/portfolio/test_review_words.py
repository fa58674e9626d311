"""The tutor's review page speaks plainly (issue 15): one box per action, each with its own
label ("two boxes both labelled 'Your comment'" before)."""

import re

from portfolio.models import Reflection
from tests.factories import ReflectionFactory


def test_the_review_page_labels_each_comment_box_for_its_action(world, portfolio_page, client):
    reflection = ReflectionFactory(learner=world.learner_a, status=Reflection.Status.SUBMITTED)
    client.force_login(world.tutor)
    html = client.get(f"/portfolio/review/{reflection.pk}/").content.decode()
    labels = re.findall(r"<label[^>]*>([^<]+)", html)
    assert "What should the learner change?" in [label.strip() for label in labels]
    assert [label.strip() for label in labels].count("Your comment") <= 1
