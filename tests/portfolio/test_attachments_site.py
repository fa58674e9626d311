"""Attachments on the site (issue 16): the learner adds files on the edit page with a plain
form (no JavaScript), sees clear errors, removes them after a confirmation page, and cannot
once the reflection is submitted or signed off; the reflection's page shows them to everyone
who may read it; the file view answers only them (404 for everyone else), safely."""

from __future__ import annotations

import io
import re

import pytest

from portfolio.models import Attachment
from portfolio.site import portfolio_url
from reflect.models import AuditEvent
from tests.factories import ReflectionFactory, submitted_reflection
from tests.factories.files import attach, demo_pdf, gps_jpeg, png

pytestmark = pytest.mark.django_db


def named(name, data):
    f = io.BytesIO(data)
    f.name = name
    return f


@pytest.fixture
def learner(client, world, portfolio_page):
    client.force_login(world.learner_a)
    return client


def test_the_edit_page_offers_a_file_form_that_works_without_javascript(learner, world):
    draft = ReflectionFactory(learner=world.learner_a)
    html = learner.get(portfolio_url("reflection_edit", draft.pk)).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert f'action="{portfolio_url("reflection_attachments", draft.pk)}"' in html
    response = learner.post(
        portfolio_url("reflection_attachments", draft.pk), {"file": named("visit.jpg", gps_jpeg())}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(portfolio_url("reflection_edit", draft.pk) + "#attachments")
    attachment = Attachment.objects.get()
    html = learner.get(portfolio_url("reflection_edit", draft.pk)).content.decode()
    assert "visit.jpg" in html and portfolio_url("attachment_remove", draft.pk, attachment.pk) in html


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100, "Only PDF, PNG or JPEG"),
        (
            "form.pdf",
            demo_pdf().replace(b"/Pages 2 0 R >>", b"/Pages 2 0 R /OpenAction << /JS (x) >> >>"),
            "scripts",
        ),
        ("cut.png", png(size=(300, 300))[:150], "could not be read"),
    ],
)
def test_a_refused_file_is_a_form_error_and_nothing_is_stored(learner, world, name, data, says):
    draft = ReflectionFactory(learner=world.learner_a)
    response = learner.post(portfolio_url("reflection_attachments", draft.pk), {"file": named(name, data)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and says in html
    assert 'id="id_file_error"' in html
    assert not Attachment.objects.exists()


def test_no_file_chosen_is_a_form_error(learner, world):
    draft = ReflectionFactory(learner=world.learner_a)
    response = learner.post(portfolio_url("reflection_attachments", draft.pk), {})
    assert response.status_code == 400 and "Choose a file to attach" in response.content.decode()


def test_an_oversized_upload_is_refused_before_it_is_read(learner, world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    draft = ReflectionFactory(learner=world.learner_a)
    big = named("big.pdf", demo_pdf() + b"%" * (200 * 1024))
    response = learner.post(portfolio_url("reflection_attachments", draft.pk), {"file": big})
    assert response.status_code == 400 and "at most 1 KB" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_path_in_the_name_is_cleaned_to_its_last_part(learner, world):
    draft = ReflectionFactory(learner=world.learner_a)
    learner.post(
        portfolio_url("reflection_attachments", draft.pk), {"file": named("../../etc/cert.pdf", demo_pdf())}
    )
    assert Attachment.objects.get().filename == "cert.pdf"


def test_removing_asks_first(learner, world):
    draft = ReflectionFactory(learner=world.learner_a)
    attachment = attach(draft, "poster.pdf")
    url = portfolio_url("attachment_remove", draft.pk, attachment.pk)
    page = learner.get(url)
    assert page.status_code == 200 and "Remove “poster.pdf”?" in page.content.decode()
    assert Attachment.objects.exists()
    assert learner.post(url).status_code == 302
    assert not Attachment.objects.exists()


def test_a_submitted_or_signed_off_reflection_is_frozen(learner, world):
    for status in ("submitted", "signed_off"):
        reflection = submitted_reflection(world.learner_a, status=status)
        attachment = attach(reflection, "poster.pdf")
        response = learner.post(
            portfolio_url("reflection_attachments", reflection.pk), {"file": named("x.pdf", demo_pdf())}
        )
        assert response.status_code == 302
        assert (
            learner.post(portfolio_url("attachment_remove", reflection.pk, attachment.pk)).status_code == 302
        )
        assert list(Attachment.objects.filter(reflection=reflection)) == [attachment]
        html = learner.get(portfolio_url("reflection_detail", reflection.pk)).content.decode()
        assert "poster.pdf" in html
        assert portfolio_url("attachment_remove", reflection.pk, attachment.pk) not in html
        assert 'type="file"' not in html


def test_readers_see_images_with_alt_text_and_pdfs_with_their_size(client, world, portfolio_page):
    reflection = submitted_reflection(world.learner_a)
    image = attach(reflection, "food bank display.png")
    pdf = attach(reflection, "certificate.pdf")
    for user in (world.learner_a, world.tutor, world.examiner, world.admin):
        client.force_login(user)
        for page in ("reflection_detail", "reflection_review"):
            response = client.get(portfolio_url(page, reflection.pk))
            if response.status_code != 200:
                continue
            html = response.content.decode()
            src = portfolio_url("attachment_file", reflection.pk, image.pk)
            assert re.search(rf'<img src="{re.escape(src)}" alt="food bank display.png"', html), user
            assert f'href="{portfolio_url("attachment_file", reflection.pk, pdf.pk)}"' in html
            assert "(PDF, " in html
        got = client.get(portfolio_url("attachment_file", reflection.pk, pdf.pk))
        assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
        assert got.content == demo_pdf()
        assert (
            got["Content-Disposition"]
            == "attachment; filename=\"certificate.pdf\"; filename*=UTF-8''certificate.pdf"
        )
        assert got["X-Content-Type-Options"] == "nosniff" and "sandbox" in got["Content-Security-Policy"]
    reads = AuditEvent.objects.filter(action="read", object_type="Attachment")
    assert set(reads.values_list("actor__username", flat=True)) == {
        world.tutor.username,
        world.examiner.username,
        world.admin.username,
    }  # the learner's own reads are not audited


@pytest.mark.parametrize("who", ["learner_b", "former", "patient_rep"])
def test_out_of_scope_people_get_404(client, world, portfolio_page, who):
    reflection = submitted_reflection(world.learner_a)
    attachment = attach(reflection, "certificate.pdf")
    client.force_login(getattr(world, who))
    for name in ("attachment_file", "attachment_remove"):
        assert client.get(portfolio_url(name, reflection.pk, attachment.pk)).status_code == 404
    assert client.get(portfolio_url("reflection_attachments", reflection.pk)).status_code == 404


def test_names_are_sent_safely(learner, world):
    draft = ReflectionFactory(learner=world.learner_a)
    attachment = attach(draft, 'Überweisung "final"; x.pdf')
    got = learner.get(portfolio_url("attachment_file", draft.pk, attachment.pk))
    header = got["Content-Disposition"]
    assert header.startswith('attachment; filename="Uberweisung _final__ x.pdf"; ')
    assert header.endswith("filename*=UTF-8''%C3%9Cberweisung%20%22final%22%3B%20x.pdf")


def test_with_csrf_checks_as_browsers_send_them(world, portfolio_page, settings):
    """With the CSRF token in the form (a real browser), the middleware reads the body before
    the page's view; the file is still checked, and one over the limit still refused."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.learner_a)
    draft = ReflectionFactory(learner=world.learner_a)
    client.get(portfolio_url("reflection_edit", draft.pk))
    token = client.cookies["csrftoken"].value
    url = portfolio_url("reflection_attachments", draft.pk)
    ok = client.post(url, {"file": named("cert.pdf", demo_pdf()), "csrfmiddlewaretoken": token})
    assert ok.status_code == 302 and Attachment.objects.count() == 1
    assert client.post(url, {"file": named("cert.pdf", demo_pdf())}).status_code == 403  # no token
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = client.post(url, {"file": named("big.pdf", demo_pdf() + b"%" * 5000), "csrfmiddlewaretoken": token})
    assert big.status_code == 400 and "at most 1 KB" in big.content.decode()
    assert Attachment.objects.count() == 1
