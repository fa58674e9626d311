"""CSV import of cohort members and allocations: the service and the admin screen."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from portfolio.csv_import import import_allocations, import_members
from portfolio.models import Allocation, Enrolment
from reflect import roles as R
from reflect.models import AuditEvent
from tests.factories import LearnerFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

MEMBERS_OK = (
    "username,first_name,last_name,email,cohort\n"
    "amina,Amina,Patel,amina@example.org,Cohort A\n"
    "ben,Ben,Jones,,Cohort B\n"
    "learner_b,Learner,B,lb@example.org,Cohort A\n"
)


def counts():
    return (
        User.objects.count(),
        Enrolment.objects.count(),
        Allocation.objects.count(),
        AuditEvent.objects.count(),
    )


def errors_by_line(report):
    return {e.line: e.message for e in report.errors}


# --- Members ------------------------------------------------------------------------------
def test_good_members_file_imports(world):
    report = import_members(io.BytesIO(MEMBERS_OK.encode()), dry_run=False, actor=world.admin)
    assert report.ok and report.applied, report.errors
    assert [(r.line, r.action) for r in report.rows] == [(2, "create"), (3, "create"), (4, "move")]
    amina = User.objects.get(username="amina")
    assert (amina.first_name, amina.last_name, amina.email) == ("Amina", "Patel", "amina@example.org")
    assert not amina.has_usable_password()
    assert R.roles_of(amina) == [R.LEARNER]
    assert amina.enrolment.cohort == world.cohort_a
    assert User.objects.get(username="ben").enrolment.cohort == world.cohort_b
    assert Enrolment.objects.get(learner=world.learner_b).cohort == world.cohort_a
    event = AuditEvent.objects.get(action="import_members")
    assert (event.actor, event.via, event.detail) == (world.admin, "admin", {"create": 2, "move": 1})


def test_reimporting_the_same_members_file_creates_no_duplicates(world):
    import_members(MEMBERS_OK.encode(), dry_run=False)
    users, enrolments = User.objects.count(), Enrolment.objects.count()
    report = import_members(MEMBERS_OK.encode(), dry_run=False)
    assert report.ok
    assert {r.action for r in report.rows} == {"unchanged"}
    assert (User.objects.count(), Enrolment.objects.count()) == (users, enrolments)


def test_members_dry_run_writes_nothing(world):
    before = counts()
    report = import_members(MEMBERS_OK.encode(), dry_run=True, actor=world.admin)
    assert report.ok and not report.applied
    assert len(report.rows) == 3
    assert counts() == before
    assert not User.objects.filter(username="amina").exists()


def test_bad_members_file_reports_every_error_by_line_and_writes_nothing(world):
    bad = (
        "username,first_name,last_name,email,cohort\n"
        "amina,Amina,Patel,amina@example.org,Cohort A\n"  # 2 fine
        "zed,Zed,Z,zed@example.org,Cohort Z\n"  # 3 unknown cohort
        "amina,Again,Patel,,Cohort A\n"  # 4 duplicate
        "bad name!,B,N,,Cohort A\n"  # 5 invalid username
        "carl,Carl,C,not-an-email,Cohort A\n"  # 6 bad e-mail
        "tutor,Tut,Or,,Cohort A\n"  # 7 existing user who is not a learner
        ",No,Name,,Cohort A\n"  # 8 missing username
        "dan,Dan,D,,Cohort A,extra\n"  # 9 too many values
        "\n"  # 10 blank: ignored
        "eve,Eve\n"  # 11 too few values
    )
    before = counts()
    report = import_members(bad.encode(), dry_run=False, actor=world.admin)
    assert not report.ok and not report.applied
    errors = errors_by_line(report)
    assert [e.line for e in report.errors] == [3, 4, 5, 6, 7, 8, 9, 11]  # in file order
    assert errors[3] == "Unknown cohort 'Cohort Z'."
    assert "Duplicate row" in errors[4] and "line 2" in errors[4]
    assert "not a valid username" in errors[5]
    assert "not a valid e-mail" in errors[6]
    assert errors[7] == "User 'tutor' exists but does not have the learner role."
    assert "Missing value for username" in errors[8]
    assert "Expected 5 values, found 6" in errors[9]
    assert "Expected 5 values, found 2" in errors[11]
    assert counts() == before


@pytest.mark.parametrize(
    "content, line, message",
    [
        (b"", 1, "empty"),
        (b"  \n\n", 1, "empty"),
        (b"username,first_name,last_name,email,cohort\n", 2, "no rows"),
        (b"user,first_name,last_name,email,cohort\namina,A,P,,Cohort A\n", 1, "missing column(s): username"),
        (b"username,first_name,last_name,email\namina,A,P,\n", 1, "missing column(s): cohort"),
        (
            b"username,first_name,last_name,email,cohort,shoe_size\namina,A,P,,Cohort A,9\n",
            1,
            "unknown column(s): shoe_size",
        ),
        (b"username,first_name,last_name,email,cohort\nam\xe9lie,A,P,,Cohort A\n", 2, "not UTF-8"),
    ],
)
def test_unreadable_members_files_are_refused_with_a_reason(world, content, line, message):
    before = counts()
    report = import_members(content, dry_run=False)
    assert [(e.line, message in e.message) for e in report.errors] == [(line, True)]
    assert counts() == before


def test_header_is_case_and_order_insensitive_and_bom_is_ignored(world):
    content = "\ufeffCohort,USERNAME,email,Last_Name,first_name\nCohort B,zoe,,Z,Zoe\n".encode()
    report = import_members(content, dry_run=False)
    assert report.ok, report.errors
    assert User.objects.get(username="zoe").enrolment.cohort == world.cohort_b


def test_quoted_values_with_commas_and_newlines_keep_line_numbers(world):
    content = (
        b"username,first_name,last_name,email,cohort\n"
        b'"amy","Amy, Jr","O\'Neil",,"Cohort A"\n'
        b'bob,"Bob\nMulti",B,,Cohort Q\n'
    )
    report = import_members(content, dry_run=True)
    assert errors_by_line(report).keys() == {4}  # the record that ends on line 4


# --- Allocations --------------------------------------------------------------------------
ALLOCATIONS_OK = (
    "tutor_username,learner_username,starts_on,ends_on\n"
    "tutor,learner_b,2026-09-01,\n"
    "dual,learner_a,2026-09-01,2027-08-31\n"
)


def test_good_allocations_file_imports(world):
    before = Allocation.objects.count()
    report = import_allocations(ALLOCATIONS_OK.encode(), dry_run=False, actor=world.admin)
    assert report.ok and report.applied, report.errors
    assert Allocation.objects.count() == before + 2
    created = Allocation.objects.get(tutor=world.dual, learner=world.learner_a)
    assert (created.starts_on.isoformat(), created.ends_on.isoformat()) == ("2026-09-01", "2027-08-31")


def test_reimporting_the_same_allocations_creates_no_duplicates_and_can_end_one(world):
    import_allocations(ALLOCATIONS_OK.encode(), dry_run=False)
    before = Allocation.objects.count()
    again = import_allocations(ALLOCATIONS_OK.encode(), dry_run=False)
    assert {r.action for r in again.rows} == {"unchanged"}
    assert Allocation.objects.count() == before
    ended = ALLOCATIONS_OK.replace("tutor,learner_b,2026-09-01,", "tutor,learner_b,2026-09-01,2026-12-31")
    report = import_allocations(ended.encode(), dry_run=False)
    assert [r.action for r in report.rows] == ["update", "unchanged"]
    assert Allocation.objects.count() == before
    allocation = Allocation.objects.get(tutor=world.tutor, learner=world.learner_b)
    assert allocation.ends_on.isoformat() == "2026-12-31"


def test_allocations_dry_run_writes_nothing(world):
    before = counts()
    report = import_allocations(ALLOCATIONS_OK.encode(), dry_run=True)
    assert report.ok and len(report.rows) == 2
    assert counts() == before


def test_bad_allocations_file_reports_every_error_by_line_and_writes_nothing(world):
    bad = (
        "tutor_username,learner_username,starts_on,ends_on\n"
        "tutor,learner_b,2026-09-01,\n"  # 2 fine
        "nobody,learner_b,2026-09-01,\n"  # 3 unknown tutor
        "examiner,learner_b,2026-09-01,\n"  # 4 lacks tutor role
        "tutor,ghost,2026-09-01,\n"  # 5 unknown learner
        "tutor,learner_a,01/09/2026,\n"  # 6 bad date
        "tutor,learner_a,2026-09-01,2026-08-01\n"  # 7 end before start
        "tutor,learner_b,2026-09-01,\n"  # 8 duplicate of 2
        "tutor,tutor,2026-09-01,\n"  # 9 tutor not a learner, and self
        "tutor,learner_a\n"  # 10 missing columns
        "tutor,learner_a,2026-02-30,\n"  # 11 impossible date
    )
    before = counts()
    report = import_allocations(bad.encode(), dry_run=False)
    errors = errors_by_line(report)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "Unknown tutor 'nobody'" in errors[3]
    assert errors[4] == "User 'examiner' does not have the tutor role."
    assert "unknown learner 'ghost'" in errors[5].lower()
    assert "'01/09/2026' is not a date" in errors[6]
    assert "before starts_on" in errors[7]
    assert "line 2" in errors[8]
    assert "does not have the learner role" in errors[9] and "themselves" in errors[9]
    assert "Expected 4 values, found 2" in errors[10]
    assert "'2026-02-30' is not a date" in errors[11]
    assert counts() == before


def test_allocation_import_accepts_a_text_file_object(world):
    report = import_allocations(io.StringIO(ALLOCATIONS_OK), dry_run=True)
    assert report.ok


# --- Admin screen -------------------------------------------------------------------------
def upload(client, kind, content, dry_run=True, name="file.csv"):
    data = {"kind": kind, "file": io.BytesIO(content.encode() if isinstance(content, str) else content)}
    data["file"].name = name
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("portfolio_csv_import"), data)


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def test_import_page_documents_the_columns_and_defaults_to_dry_run(admin_client):
    response = admin_client.get(reverse("portfolio_csv_import"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "username,first_name,last_name,email,cohort" in content
    assert "tutor_username,learner_username,starts_on,ends_on" in content
    assert response.context["form"]["dry_run"].value() is True


def test_dry_run_then_import_now(admin_client, world):
    before = counts()
    response = upload(admin_client, "members", MEMBERS_OK)
    assert response.status_code == 200
    assert counts() == before
    assert b"Import now" in response.content
    assert b"New learner amina in Cohort A" in response.content
    token = response.context["token"]
    response = admin_client.post(reverse("portfolio_csv_import"), {"confirm": "1", "token": token})
    assert response.status_code == 200
    assert response.context["report"].applied
    assert User.objects.filter(username="amina").exists()
    # The token is single use: confirming again imports nothing new and says why.
    users = User.objects.count()
    again = admin_client.post(reverse("portfolio_csv_import"), {"confirm": "1", "token": token})
    assert b"no checked file waiting" in again.content
    assert User.objects.count() == users


def test_a_wrong_token_imports_nothing(admin_client):
    upload(admin_client, "members", MEMBERS_OK)
    before = counts()
    response = admin_client.post(reverse("portfolio_csv_import"), {"confirm": "1", "token": "guess"})
    assert b"no checked file waiting" in response.content
    assert counts() == before


def test_bad_file_shows_a_table_of_errors_and_no_import_button(admin_client):
    before = counts()
    content = "tutor_username,learner_username,starts_on,ends_on\nnobody,learner_b,2026-09-01,\n"
    response = upload(admin_client, "allocations", content, dry_run=False)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown tutor &#x27;nobody&#x27;" in html
    assert "Import now" not in html
    assert counts() == before


def test_upload_without_dry_run_imports_directly(admin_client, world):
    response = upload(admin_client, "allocations", ALLOCATIONS_OK, dry_run=False)
    assert response.context["report"].applied
    assert Allocation.objects.filter(tutor=world.dual, learner=world.learner_a).exists()


def test_missing_file_is_a_form_error(admin_client):
    response = admin_client.post(reverse("portfolio_csv_import"), {"kind": "members", "dry_run": "on"})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_non_utf8_upload_is_reported_not_a_500(admin_client):
    response = upload(admin_client, "members", b"username,first_name,last_name,email,cohort\n\xff\xfe,,,,\n")
    assert response.status_code == 200
    assert b"not UTF-8" in response.content


@pytest.mark.parametrize("who", ["learner_a", "tutor", "examiner"])
def test_import_is_admin_only(client, world, who):
    client.force_login(getattr(world, who))
    response = upload(client, "members", MEMBERS_OK, dry_run=False)
    assert response.status_code == 302
    assert not User.objects.filter(username="amina").exists()


def test_import_menu_item_asks_the_permission_question(client, world):
    from django.contrib.auth.models import Permission

    client.force_login(world.admin)
    assert reverse("portfolio_csv_import").encode() in client.get(reverse("wagtailadmin_home")).content
    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert reverse("portfolio_csv_import").encode() not in client.get(reverse("wagtailadmin_home")).content
    response = client.get(reverse("portfolio_csv_import"))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    # Permission to add allocations only: only the allocations import is offered.
    editor.user_permissions.add(Permission.objects.get(codename="add_allocation"))
    editor = User.objects.get(pk=editor.pk)
    client.force_login(editor)
    response = client.get(reverse("portfolio_csv_import"))
    assert [k for k, _ in response.context["form"].fields["kind"].choices] == ["allocations"]
    refused = upload(client, "members", MEMBERS_OK, dry_run=False)
    assert "kind" in refused.context["form"].errors
    assert not User.objects.filter(username="amina").exists()


def test_existing_learner_without_cohort_is_enrolled(world):
    loner = LearnerFactory(username="loner")
    Enrolment.objects.filter(learner=loner).delete()
    report = import_members(b"username,first_name,last_name,email,cohort\nloner,,,,Cohort B\n", dry_run=False)
    assert [r.action for r in report.rows] == ["update"]
    assert Enrolment.objects.get(learner=loner).cohort == world.cohort_b


# --- Command line -------------------------------------------------------------------------
def _run(*args):
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_dry_run_then_apply(world, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS_OK)
    before = counts()
    out, _ = _run("members", str(path))
    assert "line 2: create" in out and "Dry run, nothing changed: 2 create, 1 move" in out
    assert counts() == before
    out, _ = _run("members", str(path), "--apply", "--actor", world.admin.username)
    assert "Imported: 2 create, 1 move." in out
    assert User.objects.filter(username__in=["amina", "ben"]).count() == 2
    event = AuditEvent.objects.get(action="import_members")
    assert (event.actor, event.via) == (world.admin, "command")


def test_command_bad_file_lists_every_error_and_imports_nothing(world, tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "allocations.csv"
    path.write_text(
        "tutor_username,learner_username,starts_on,ends_on\n"
        "tutor,nobody,2026-01-01,\n"
        "tutor,learner_a,not-a-date,\n"
    )
    before = counts()
    err = io.StringIO()
    from django.core.management import call_command

    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_csv", "allocations", str(path), "--apply", stderr=err, stdout=io.StringIO())
    assert "line 2:" in err.getvalue() and "line 3:" in err.getvalue()
    assert counts() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["members", "/nonexistent.csv"], "No such file"),
        (["members", __file__, "--actor", "nobody-here"], "No user has the username"),
    ],
)
def test_command_refuses_bad_arguments_with_a_reason(world, args, message):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=message):
        _run(*args)
