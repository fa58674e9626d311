"""SAML 2.0 sign-on against a real identity provider (pysaml2's IdP in a second process).

Our side is allauth's SAML service provider (python3-saml). The flow follows every real
message: our sign-in POST → AuthnRequest by HTTP-Redirect to the IdP → its sign-in page →
a signed Response posted (HTTP-POST binding) to our assertion consumer service → allauth's
finish step → signed in (or refused).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from reflect import roles as R
from tests.factories import LearnerFactory

from .conftest import apply_sso_env, free_port, saml_env, sp_metadata

pytestmark = pytest.mark.django_db

MAIL = "mail"
ENTITLEMENT = "eduPersonEntitlement"
ACCOUNTS = {
    "bpatel": {
        "attributes": {
            MAIL: ["Bilal.Patel@example.ac.uk"],
            "givenName": ["Bilal"],
            "sn": ["Patel"],
            ENTITLEMENT: ["urn:mace:example.ac.uk:reflect:examiner"],
        }
    },
    "visitor": {"attributes": {MAIL: ["visitor@example.ac.uk"], "givenName": ["Vi"], "sn": ["Sitor"]}},
}
ENTITLEMENT_URI = "urn:oid:1.3.6.1.4.1.5923.1.1.1.7"


@pytest.fixture
def bilal(portfolio_page):
    return LearnerFactory(
        username="bilal", first_name="Bilal", last_name="Patel", email="bilal.patel@example.ac.uk"
    )


@pytest.fixture
def saml(start_saml, idp_keys, settings):
    """Configure the IdP as a deployment would (SAML_* variables), then start it with our SP's
    metadata. Returns a function so a test can choose extra variables."""

    def run(**extra):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        extra.setdefault("TRUST_EMAIL", "true")
        # Django's test client calls our site "testserver", a single-label host name.
        extra.setdefault("ADVANCED_JSON", '{"allow_single_label_domains": true}')
        providers = apply_sso_env(settings, saml_env(base, idp_keys["cert_body"], **extra))
        app = providers["saml"]["APPS"][0]
        return start_saml(port, [sp_metadata(app, "testserver")], ACCOUNTS)

    return run


def saml_sign_in(client: Client, username: str, slug: str = "uni"):
    r = client.post(f"/accounts/saml/{slug}/login/", {"process": "login"})
    assert r.status_code == 302, r.content[:500]
    browser = requests.Session()
    login_page = browser.get(r["Location"], timeout=10)
    assert login_page.status_code == 200, login_page.text[:500]
    action = unescape(re.search(r"<form method='post' action='([^']+)'", login_page.text).group(1))
    key = re.search(r"name='key' value='([^']+)'", login_page.text).group(1)
    posted = browser.post(action, data={"key": key, "username": username}, timeout=10)
    assert posted.status_code == 200, posted.text[:500]
    form = posted.text
    acs = unescape(re.search(r'action="([^"]+)"', form).group(1))
    fields = {
        name: unescape(value)
        for name, value in re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', form)
    }
    assert acs.startswith("http://testserver/accounts/saml/"), acs
    r = client.post(acs.removeprefix("http://testserver"), fields)
    assert r.status_code == 302, r.content[:500]
    return client.get(r["Location"])


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_sp_metadata_is_served(saml, bilal):
    saml()
    r = Client(HTTP_HOST="testserver").get("/accounts/saml/uni/metadata/")
    assert r.status_code == 200 and b"urn:reflect:test-sp:uni" in r.content


def test_known_person_signs_in_and_no_role_is_granted(saml, bilal):
    saml()
    client = Client(HTTP_HOST="testserver")
    r = saml_sign_in(client, "bpatel")
    assert r.status_code == 302 and r["Location"] == "/portfolio/", r.content[:800]
    assert signed_in_user(client) == str(bilal.pk)
    link = SocialAccount.objects.get(user=bilal)
    assert link.provider == "uni"
    # The IdP released an examiner entitlement; without a documented mapping it grants nothing.
    assert R.roles_of(type(bilal).objects.get(pk=bilal.pk)) == [R.LEARNER]


def test_unknown_email_is_refused(saml, bilal, django_user_model):
    saml()
    before = django_user_model.objects.count()
    client = Client(HTTP_HOST="testserver")
    r = saml_sign_in(client, "visitor")
    assert r.status_code == 403
    assert b"visitor@example.ac.uk" in r.content and b"no Reflect account uses that address" in r.content
    assert signed_in_user(client) is None
    assert django_user_model.objects.count() == before and not SocialAccount.objects.exists()


def test_untrusted_idp_without_email_verified_is_refused(saml, bilal):
    saml(TRUST_EMAIL="false")
    client = Client(HTTP_HOST="testserver")
    r = saml_sign_in(client, "bpatel")
    assert r.status_code == 403 and b"did not confirm" in r.content
    assert signed_in_user(client) is None


def test_documented_role_mapping(saml, bilal):
    saml(ROLE_ATTRIBUTE=ENTITLEMENT_URI, ROLE_MAP="urn:mace:example.ac.uk:reflect:examiner=examiner")
    client = Client(HTTP_HOST="testserver")
    assert saml_sign_in(client, "bpatel").status_code == 302
    assert R.roles_of(type(bilal).objects.get(pk=bilal.pk)) == [R.LEARNER, R.EXAMINER]


def test_a_forged_response_is_refused(saml, bilal):
    """The Response must carry the IdP's signature: one edited on the way is rejected."""
    import base64

    saml()
    client = Client(HTTP_HOST="testserver")
    r = client.post("/accounts/saml/uni/login/", {"process": "login"})
    browser = requests.Session()
    page = browser.get(r["Location"], timeout=10).text
    key = re.search(r"name='key' value='([^']+)'", page).group(1)
    form = browser.post(
        re.search(r"action='([^']+)'", page).group(1), data={"key": key, "username": "visitor"}, timeout=10
    ).text
    fields = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', form))
    xml = base64.b64decode(unescape(fields["SAMLResponse"])).decode()
    forged = xml.replace("visitor@example.ac.uk", "bilal.patel@example.ac.uk")
    fields["SAMLResponse"] = base64.b64encode(forged.encode()).decode()
    fields["RelayState"] = unescape(fields.get("RelayState", ""))
    r = client.post("/accounts/saml/uni/acs/", fields)
    r = client.get(r["Location"])
    assert signed_in_user(client) is None
    assert b"did not work" in r.content
