"""Invitations: everyone the programme creates (CSV import in the admin or on the command line,
the Wagtail admin's "Add user") gets a one-time, expiring link to choose a password; admins
see who has not accepted and can send it again."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from portfolio.csv_import import import_members
from reflect.accounts import services
from reflect.models import AuditEvent, Invitation
from tests.factories import UserFactory

from .conftest import link_in

pytestmark = pytest.mark.django_db
User = get_user_model()

CSV = (
    "username,first_name,last_name,email,cohort\n"
    "amina,Amina,Okafor,amina@example.org,Cohort A\n"
    "noemail,No,Email,,Cohort A\n"
)


def import_csv(world, capture, dry_run=False):
    with capture(execute=True):
        return import_members(io.BytesIO(CSV.encode()), dry_run=dry_run, actor=world.admin)


def test_csv_import_emails_each_new_person_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = import_members(io.BytesIO(CSV.encode()), dry_run=False, actor=world.admin)
        assert report.applied and mail.outbox == []  # nothing is sent before the commit
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    assert "Amina" in message.subject
    assert "Dear Amina Okafor," in message.body
    assert "Your username is: amina" in message.body
    assert "works once and for 7 days" in message.body
    assert "/accounts/invitation/" in link_in(message)
    invitation = Invitation.objects.get(user__username="amina")
    assert invitation.sent_at is not None and invitation.state == "waiting"
    assert invitation.created_by == world.admin
    # The person without an address is created, but not invited; the report said so.
    assert not Invitation.objects.filter(user__username="noemail").exists()
    assert any("no e-mail address, so no invitation" in row.description for row in report.rows)


def test_dry_run_and_rolled_back_import_send_nothing(world, django_capture_on_commit_callbacks):
    import_csv(world, django_capture_on_commit_callbacks, dry_run=True)
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_command_line_import_invites(world, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "members.csv"
    path.write_text(CSV)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_csv", "members", str(path), "--apply", "--actor", "admin", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]


def test_person_added_in_wagtail_admin_is_invited(world, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/admin/users/new/",
            {
                "username": "newtutor",
                "email": "new.tutor@example.org",
                "first_name": "Nia",
                "last_name": "Tutor",
                "password1": "",
                "password2": "",
                "is_active": "on",
            },
        )
    assert r.status_code == 302, r.content[:2000]
    user = User.objects.get(username="newtutor")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and "Dear Nia Tutor," in mail.outbox[0].body


def accept(client, path, password="A-good-passphrase-2026"):
    return client.post(path, {"password1": password, "password2": password})


def test_link_sets_password_once_and_person_can_sign_in(
    world, portfolio_page, django_capture_on_commit_callbacks
):
    import_csv(world, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    client = Client()
    r = client.get(path)
    assert r.status_code == 200
    assert b"Welcome, Amina Okafor" in r.content and b"<strong>amina</strong>" in r.content
    r = accept(client, path)
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    user = User.objects.get(username="amina")
    assert user.check_password("A-good-passphrase-2026")
    invitation = Invitation.objects.get(user=user)
    assert invitation.state == "accepted" and invitation.accepted_how == "invitation"
    assert AuditEvent.objects.filter(action="accept_invitation", actor=user).exists()
    # Signs in (with the e-mail address too) and lands on the dashboard.
    r = client.post("/accounts/login/", {"login": "amina@example.org", "password": "A-good-passphrase-2026"})
    assert r.status_code == 302 and r["Location"] == "/portfolio/"
    # The link works once.
    r = Client().get(path)
    assert r.status_code == 410 and b"already been used" in r.content
    r = accept(Client(), path, "Another-passphrase-99")
    assert r.status_code == 410
    assert User.objects.get(username="amina").check_password("A-good-passphrase-2026")


def test_weak_or_mismatched_password_is_refused_and_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    import_csv(world, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    client = Client()
    r = client.post(path, {"password1": "12345678", "password2": "12345678"})
    assert r.status_code == 400 and b"entirely numeric" in r.content
    r = client.post(path, {"password1": "A-good-passphrase-2026", "password2": "different-one-2026"})
    assert r.status_code == 400 and b"not the same" in r.content
    assert not User.objects.get(username="amina").has_usable_password()
    assert Invitation.objects.get(user__username="amina").state == "waiting"


def test_expired_link_says_what_to_do(world, settings, django_capture_on_commit_callbacks):
    import_csv(world, django_capture_on_commit_callbacks)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    r = Client().get(link_in(mail.outbox[0]))
    assert r.status_code == 410
    text = r.content.decode()
    assert "expired" in text and "Ask your programme team to send you a new one" in text
    assert "/accounts/password/reset/" in text


def test_expiry_follows_the_setting(world, settings, django_capture_on_commit_callbacks):
    settings.INVITATION_DAYS = 2
    import_csv(world, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    assert abs(invitation.expires_at - (timezone.now() + datetime.timedelta(days=2))) < datetime.timedelta(
        minutes=1
    )
    assert "for 2 days" in mail.outbox[0].body


def test_resending_replaces_the_old_link(world, django_capture_on_commit_callbacks):
    import_csv(world, django_capture_on_commit_callbacks)
    old = link_in(mail.outbox[0])
    amina = User.objects.get(username="amina")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(amina, by=world.admin)
    new = link_in(mail.outbox[1])
    assert old != new
    r = Client().get(old)
    assert r.status_code == 410 and b"newer invitation" in r.content
    assert Client().get(new).status_code == 200


def test_unknown_link_is_404(db, portfolio_page):
    r = Client().get("/accounts/invitation/not-a-real-token/")
    assert r.status_code == 404 and b"do not recognise this invitation link" in r.content


def test_only_the_hash_is_stored(world, django_capture_on_commit_callbacks):
    import_csv(world, django_capture_on_commit_callbacks)
    token = link_in(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert token not in invitation.token_hash and invitation.token_hash == services.hash_token(token)
    assert len(token) >= 43  # 256 random bits


def test_inactive_person_cannot_use_link(world, django_capture_on_commit_callbacks):
    import_csv(world, django_capture_on_commit_callbacks)
    User.objects.filter(username="amina").update(is_active=False)
    assert Client().get(link_in(mail.outbox[0])).status_code == 410


def test_signing_in_otherwise_closes_the_invitation(world, django_capture_on_commit_callbacks):
    import_csv(world, django_capture_on_commit_callbacks)
    amina = User.objects.get(username="amina")
    Client().force_login(amina)
    invitation = Invitation.objects.get(user=amina)
    assert invitation.state == "accepted" and invitation.accepted_how == "sign_in"


# --- The admin's list and "send again" ---------------------------------------------------------
def test_admin_sees_who_has_not_accepted_and_sends_again(world, django_capture_on_commit_callbacks):
    import_csv(world, django_capture_on_commit_callbacks)
    accepted = UserFactory(username="already", first_name="Al", last_name="Ready")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(accepted)
    services.close_waiting_invitations(accepted, "invitation")
    client = Client()
    client.force_login(world.admin)
    r = client.get("/admin/reflect/invitations/?state=not_accepted")
    assert r.status_code == 200
    text = r.content.decode()
    assert "Amina Okafor" in text and "Al Ready" not in text
    assert "Send again" in text
    r = client.get("/admin/reflect/invitations/?state=accepted")
    assert "Al Ready" in r.content.decode() and "Amina Okafor" not in r.content.decode()
    amina = User.objects.get(username="amina")
    url = f"/admin/reflect/invitations/send/{amina.pk}/"
    assert client.get(url).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url)
    assert r.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["amina@example.org"]
    assert Invitation.objects.filter(user=amina).count() == 2
    assert Invitation.objects.filter(user=amina).waiting().count() == 1


def test_person_without_email_cannot_be_sent_one(world):
    person = UserFactory(username="nomail", email="")
    client = Client()
    client.force_login(world.admin)
    r = client.post(f"/admin/reflect/invitations/send/{person.pk}/")
    assert r.status_code == 200 and b"has no e-mail address" in r.content
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["learner_a", "tutor", "examiner"])
def test_other_roles_cannot_see_or_send(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    assert client.get("/admin/reflect/invitations/").status_code in (302, 403)
    assert client.post(f"/admin/reflect/invitations/send/{world.learner_a.pk}/").status_code in (302, 403)
    assert not Invitation.objects.exists()


def test_invite_command(world, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite", "learner_a", "--actor", "admin", stdout=out)
    assert "Sent 1 invitation" in out.getvalue()
    assert mail.outbox[0].to == [world.learner_a.email]
    out = io.StringIO()
    call_command("invite", "--list", stdout=out)
    assert "learner_a" in out.getvalue() and "Waiting" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such user"):
        call_command("invite", "nobody", stdout=io.StringIO())


def test_two_people_sharing_an_address_can_both_accept(world, django_capture_on_commit_callbacks):
    """allauth keeps verified addresses unique: the second acceptance must not fail."""
    first = UserFactory(username="twin1", email="shared@example.org")
    second = UserFactory(username="twin2", email="shared@example.org")
    for person in (first, second):
        person.set_unusable_password()
        person.save()
        with django_capture_on_commit_callbacks(execute=True):
            services.invite(person)
    for message in mail.outbox:
        assert accept(Client(), link_in(message)).status_code == 302
    for person in (first, second):
        person.refresh_from_db()
        assert person.check_password("A-good-passphrase-2026")
