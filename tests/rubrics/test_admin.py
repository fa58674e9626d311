"""Wagtail admin for rubrics: admins only; edit forms (nested criteria/levels); published
rubrics refused through the admin; publish/retire confirmation; next version; compare;
JSON export/import."""

import io
import json

import pytest
from django.urls import reverse

from rubrics import services
from rubrics.models import Criterion, Framework, Rubric
from tests.factories import CriterionFactory, LevelFactory, RubricFactory, make_published_rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def edit_url(rubric):
    return reverse("wagtailsnippets_rubrics_rubric:edit", args=[rubric.pk])


def rubric_post_data(rubric, **overrides):
    """The edit form's POST data for `rubric` (criteria and nested levels formsets)."""
    data = {
        "title": rubric.title,
        "slug": rubric.slug,
        "description": rubric.description,
    }
    criteria = list(rubric.criteria.all())
    data.update(
        {
            "criteria-TOTAL_FORMS": str(len(criteria)),
            "criteria-INITIAL_FORMS": str(len(criteria)),
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000",
        }
    )
    for i, criterion in enumerate(criteria):
        prefix = f"criteria-{i}"
        data.update(
            {
                f"{prefix}-id": str(criterion.pk),
                f"{prefix}-ORDER": str(i + 1),
                f"{prefix}-DELETE": "",
                f"{prefix}-title": criterion.title,
                f"{prefix}-weight": str(criterion.weight),
                f"{prefix}-description": criterion.description,
            }
        )
        levels = list(criterion.levels.all())
        data.update(
            {
                f"{prefix}-levels-TOTAL_FORMS": str(len(levels)),
                f"{prefix}-levels-INITIAL_FORMS": str(len(levels)),
                f"{prefix}-levels-MIN_NUM_FORMS": "0",
                f"{prefix}-levels-MAX_NUM_FORMS": "1000",
            }
        )
        for j, level in enumerate(levels):
            lp = f"{prefix}-levels-{j}"
            data.update(
                {
                    f"{lp}-id": str(level.pk),
                    f"{lp}-ORDER": str(j + 1),
                    f"{lp}-DELETE": "",
                    f"{lp}-label": level.label,
                    f"{lp}-points": str(level.points),
                    f"{lp}-descriptor": level.descriptor,
                }
            )
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["tutor", "examiner", "learner_a", "patient_rep"])
def test_non_admins_reach_nothing(client, world, who):
    user = getattr(world, who)
    user.is_staff = True
    user.save()
    client.force_login(user)
    rubric = make_published_rubric()
    urls = [
        reverse("wagtailsnippets_rubrics_rubric:list"),
        reverse("wagtailsnippets_rubrics_framework:list"),
        edit_url(rubric),
        reverse("rubrics_admin_grid", args=[rubric.pk]),
        reverse("rubrics_admin_publish", args=[rubric.pk]),
        reverse("rubrics_admin_retire", args=[rubric.pk]),
        reverse("rubrics_admin_new_version", args=[rubric.pk]),
        reverse("rubrics_admin_compare", args=[rubric.pk]),
        reverse("rubrics_admin_export", args=[rubric.pk]),
        reverse("rubrics_admin_import"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert "login" in response["Location"] or response["Location"] == "/admin/", url
    response = client.post(reverse("rubrics_admin_retire", args=[rubric.pk]))
    assert response.status_code in (302, 403)
    rubric.refresh_from_db()
    assert rubric.status == "published"


def test_admin_sees_list_with_actions_and_forms(admin_client):
    rubric = make_published_rubric(title="Listed rubric")
    response = admin_client.get(reverse("wagtailsnippets_rubrics_rubric:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Listed rubric" in html
    assert reverse("rubrics_admin_grid", args=[rubric.pk]) in html
    assert reverse("rubrics_admin_retire", args=[rubric.pk]) in html
    assert reverse("rubrics_admin_import") in html
    assert admin_client.get(reverse("wagtailsnippets_rubrics_rubric:add")).status_code == 200
    draft = RubricFactory()
    criterion = CriterionFactory(rubric=draft)
    LevelFactory(criterion=criterion, points=0)
    page = admin_client.get(edit_url(draft))
    assert page.status_code == 200
    assert "criteria-0-levels-0-label" in page.content.decode()  # nested inline levels
    fw = Framework.objects.get(code="social_accountability")
    page = admin_client.get(reverse("wagtailsnippets_rubrics_framework:edit", args=[fw.pk]))
    assert page.status_code == 200 and "competencies-0-code" in page.content.decode()


def test_draft_edit_with_nested_levels_and_reorder(admin_client):
    draft = RubricFactory(title="Draft")
    criterion = CriterionFactory(rubric=draft, title="First", sort_order=0)
    second = CriterionFactory(rubric=draft, title="Second", sort_order=1)
    for c in (criterion, second):
        LevelFactory(criterion=c, label="Low", points=0, sort_order=0)
        LevelFactory(criterion=c, label="High", points=2, sort_order=1)
    data = rubric_post_data(draft)
    data["criteria-0-ORDER"], data["criteria-1-ORDER"] = "2", "1"  # drag "Second" above "First"
    data["criteria-0-levels-1-label"] = "Highest"
    response = admin_client.post(edit_url(draft), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [c.title for c in draft.criteria.order_by("sort_order")] == ["Second", "First"]
    assert [lv.label for lv in Criterion.objects.get(pk=criterion.pk).levels.all()] == ["Low", "Highest"]


def test_field_errors_are_shown_next_to_fields(admin_client):
    draft = RubricFactory()
    criterion = CriterionFactory(rubric=draft)
    LevelFactory(criterion=criterion, points=0)
    LevelFactory(criterion=criterion, points=1)
    data = rubric_post_data(draft, **{"criteria-0-weight": "0"})
    response = admin_client.post(edit_url(draft), data)
    assert response.status_code == 200
    assert "The weight must be greater than zero." in response.content.decode()
    assert Criterion.objects.get(pk=criterion.pk).weight == 1


def test_new_rubric_with_taken_slug_is_refused_in_form(admin_client):
    existing = make_published_rubric()
    data = {
        "title": "Clash",
        "slug": existing.slug,
        "description": "",
        "criteria-TOTAL_FORMS": "0",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(reverse("wagtailsnippets_rubrics_rubric:add"), data)
    assert response.status_code == 200
    assert "A rubric with this slug already exists" in response.content.decode()
    assert Rubric.objects.filter(slug=existing.slug).count() == 1


def test_editing_a_published_rubric_through_the_admin_is_refused(admin_client):
    rubric = make_published_rubric(criteria=2, levels=3)
    before = services.canonical_json(rubric)
    data = rubric_post_data(
        rubric, title="Changed", **{"criteria-0-title": "Hacked", "criteria-0-levels-0-points": "9"}
    )
    response = admin_client.post(edit_url(rubric), data, follow=True)
    assert "its content cannot change. Nothing was saved." in response.content.decode()
    rubric = Rubric.objects.get(pk=rubric.pk)
    assert services.canonical_json(rubric) == before
    assert services.compute_hash(rubric) == rubric.content_hash
    # Deleting a published rubric in the admin is refused too.
    admin_client.post(reverse("wagtailsnippets_rubrics_rubric:delete", args=[rubric.pk]))
    assert Rubric.objects.filter(pk=rubric.pk).exists()


def test_edit_on_published_leads_to_next_version(admin_client):
    rubric = make_published_rubric()
    response = admin_client.get(edit_url(rubric))
    assert response.status_code == 302
    assert response["Location"] == reverse("rubrics_admin_new_version", args=[rubric.pk])
    page = admin_client.get(response["Location"])
    assert "its content cannot change" in page.content.decode()
    response = admin_client.post(reverse("rubrics_admin_new_version", args=[rubric.pk]))
    draft = Rubric.objects.get(slug=rubric.slug, version=2)
    assert draft.status == "draft" and draft.pk != rubric.pk
    assert response["Location"] == edit_url(draft)
    # Asking again goes to the existing draft instead of making another.
    again = admin_client.post(reverse("rubrics_admin_new_version", args=[rubric.pk]))
    assert again["Location"] == edit_url(draft)
    assert Rubric.objects.filter(slug=rubric.slug).count() == 2


def test_publish_confirmation_lists_every_problem_then_publishes(admin_client, world):
    draft = RubricFactory()
    one = CriterionFactory(rubric=draft, title="Lonely", sort_order=0)
    LevelFactory(criterion=one, points=0)
    page = admin_client.get(reverse("rubrics_admin_publish", args=[draft.pk]))
    assert page.status_code == 200
    assert "Criterion 1 &quot;Lonely&quot;: needs at least two levels (it has 1)." in page.content.decode()
    response = admin_client.post(reverse("rubrics_admin_publish", args=[draft.pk]))
    assert response.status_code == 400
    assert "needs at least two levels" in response.content.decode()
    assert Rubric.objects.get(pk=draft.pk).status == "draft"
    LevelFactory(criterion=one, points=3)
    response = admin_client.post(reverse("rubrics_admin_publish", args=[draft.pk]))
    assert response.status_code == 302
    published = Rubric.objects.get(pk=draft.pk)
    assert published.status == "published" and published.published_by == world.admin
    assert published.content_hash == services.compute_hash(published)


def test_retire_with_confirmation(admin_client):
    rubric = make_published_rubric()
    page = admin_client.get(reverse("rubrics_admin_retire", args=[rubric.pk]))
    assert page.status_code == 200 and "Retiring keeps this version on record" in page.content.decode()
    assert admin_client.post(reverse("rubrics_admin_retire", args=[rubric.pk])).status_code == 302
    assert Rubric.objects.get(pk=rubric.pk).status == "retired"
    again = admin_client.post(reverse("rubrics_admin_retire", args=[rubric.pk]))
    assert again.status_code == 400


def test_grid_preview_escapes_text(admin_client):
    draft = RubricFactory(title="<b>Bold</b>")
    criterion = CriterionFactory(rubric=draft, title="<script>alert(1)</script>")
    LevelFactory(criterion=criterion, points=0, descriptor="<img src=x onerror=alert(1)>")
    page = admin_client.get(reverse("rubrics_admin_grid", args=[draft.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "needs at least two levels" in html


def test_compare_versions(admin_client):
    rubric = make_published_rubric(criteria=2, levels=3)
    draft = services.new_version(rubric)
    first, second = draft.criteria.all()
    first.title = "Renamed"
    first.save()
    level = second.levels.last()
    level.points = 5
    level.save()
    CriterionFactory(rubric=draft, title="Brand new", sort_order=9)
    page = admin_client.get(reverse("rubrics_admin_compare", args=[draft.pk]) + f"?with={rubric.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Changes from version 1 to version 2" in html
    assert "Title: “Criterion 1” → “Renamed”" in html
    assert "Level “Level 3” changed: points: “2” → “5”" in html
    assert "Brand new" in html and "added" in html


def test_export_and_import_through_the_admin(admin_client):
    rubric = make_published_rubric(criteria=2, levels=3)
    response = admin_client.get(reverse("rubrics_admin_export", args=[rubric.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{rubric.slug}-v1.json"'
    data = json.loads(response.content)
    data["criteria"][0]["levels"][0]["points"] = -1
    data["criteria"][1]["title"] = ""
    bad = io.BytesIO(json.dumps(data).encode())
    bad.name = "bad.json"
    response = admin_client.post(reverse("rubrics_admin_import"), {"file": bad})
    html = response.content.decode()
    assert response.status_code == 400
    assert "2 problems found: nothing was imported" in html
    assert "$.criteria[0].levels[0].points: must be a whole number, 0 or more." in html
    assert "$.criteria[1].title: must not be empty." in html
    assert Rubric.objects.filter(slug=rubric.slug).count() == 1
    broken = io.BytesIO(b'{"slug": ')
    broken.name = "broken.json"
    response = admin_client.post(reverse("rubrics_admin_import"), {"file": broken})
    assert response.status_code == 400 and "not valid JSON" in response.content.decode()
    good = io.BytesIO(json.dumps(services.export_json(rubric)).encode())
    good.name = "good.json"
    response = admin_client.post(reverse("rubrics_admin_import"), {"file": good})
    imported = Rubric.objects.get(slug=rubric.slug, version=2)
    assert response.status_code == 302 and response["Location"] == edit_url(imported)
    assert services.compute_hash(imported) == rubric.content_hash


def test_framework_edit_refuses_deleting_or_recoding_a_competency_in_use(admin_client):
    fw = Framework.objects.get(code="social_accountability")
    comps = list(fw.competencies.all())
    assert Rubric.objects.published().filter(slug="social-accountability").exists()  # uses all eight
    data = {
        "title": fw.title,
        "code": fw.code,
        "description": fw.description,
        "competencies-TOTAL_FORMS": str(len(comps)),
        "competencies-INITIAL_FORMS": str(len(comps)),
        "competencies-MIN_NUM_FORMS": "0",
        "competencies-MAX_NUM_FORMS": "1000",
    }
    for i, comp in enumerate(comps):
        data.update(
            {
                f"competencies-{i}-id": str(comp.pk),
                f"competencies-{i}-ORDER": str(i + 1),
                f"competencies-{i}-DELETE": "",
                f"competencies-{i}-title": comp.title,
                f"competencies-{i}-code": comp.code,
                f"competencies-{i}-description": comp.description,
            }
        )
    data["competencies-0-DELETE"] = "on"
    data["competencies-1-code"] = "renamed_code"
    url = reverse("wagtailsnippets_rubrics_framework:edit", args=[fw.pk])
    response = admin_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This competency cannot be deleted: published rubrics use it" in html
    assert "its code cannot change" in html
    assert fw.competencies.count() == len(comps)
    assert not fw.competencies.filter(code="renamed_code").exists()
    # Titles may be edited.
    del data["competencies-0-DELETE"]
    data["competencies-1-code"] = comps[1].code
    data["competencies-2-title"] = "A clearer title"
    assert admin_client.post(url, data).status_code == 302
    assert fw.competencies.get(pk=comps[2].pk).title == "A clearer title"


def test_grid_rows_are_square_when_criteria_have_different_numbers_of_levels(admin_client):
    import re

    draft = RubricFactory(title="Uneven")
    for sort_order, levels in enumerate((2, 4, 3)):
        criterion = CriterionFactory(rubric=draft, sort_order=sort_order, title=f"C{levels}")
        for points in range(levels):
            LevelFactory(criterion=criterion, points=points, sort_order=points, label=f"L{points}")
    html = admin_client.get(reverse("rubrics_admin_grid", args=[draft.pk])).content.decode()
    body = html[html.index('<table class="listing rubric-grid">') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    assert len(rows) == 3
    assert [row.count("<td") for row in rows] == [4, 4, 4]
    assert [row.count("No level") for row in rows] == [2, 0, 1]
