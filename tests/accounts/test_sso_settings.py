"""Single sign-on configuration from environment variables (reflect/accounts/sso_settings.py)."""

import pytest

from reflect.accounts.sso_settings import (
    SSOConfigError,
    form_action_origins,
    parse_role_map,
    providers_from_env,
)


def test_off_by_default():
    assert providers_from_env({}) == {"openid_connect": {"APPS": []}, "saml": {"APPS": []}}


def test_oidc_provider():
    providers = providers_from_env(
        {
            "OIDC_PROVIDERS": "nhs, entra",
            "OIDC_NHS_NAME": "NHS login",
            "OIDC_NHS_SERVER_URL": "https://auth.login.nhs.uk",
            "OIDC_NHS_CLIENT_ID": "abc",
            "OIDC_NHS_CLIENT_SECRET": "s3cret",
            "OIDC_ENTRA_SERVER_URL": "https://login.microsoftonline.com/TENANT/v2.0",
            "OIDC_ENTRA_CLIENT_ID": "def",
            "OIDC_ENTRA_TRUST_EMAIL": "true",
            "OIDC_ENTRA_ROLE_CLAIM": "groups",
            "OIDC_ENTRA_ROLE_MAP": "g-examiners=examiner; g-admins=admin",
        }
    )
    nhs, entra = providers["openid_connect"]["APPS"]
    assert nhs["provider_id"] == "nhs" and nhs["name"] == "NHS login" and nhs["secret"] == "s3cret"
    assert nhs["settings"]["server_url"] == "https://auth.login.nhs.uk"
    assert nhs["settings"]["oauth_pkce_enabled"] is True
    assert nhs["settings"]["reflect"] == {"trust_email": False, "role_claim": "", "role_map": {}}
    assert entra["settings"]["reflect"]["trust_email"] is True
    assert entra["settings"]["reflect"]["role_map"] == {"g-examiners": "examiner", "g-admins": "admin"}
    assert form_action_origins(providers) == [
        "https://auth.login.nhs.uk",
        "https://login.microsoftonline.com",
    ]


def test_saml_provider_with_metadata_url():
    providers = providers_from_env(
        {
            "SAML_PROVIDERS": "uni",
            "SAML_UNI_IDP_ENTITY_ID": "https://idp.example.ac.uk/shibboleth",
            "SAML_UNI_IDP_METADATA_URL": "https://idp.example.ac.uk/metadata",
            "SAML_UNI_ADVANCED_JSON": '{"want_message_signed": true}',
        }
    )
    (app,) = providers["saml"]["APPS"]
    assert app["client_id"] == "uni"
    assert app["settings"]["idp"] == {
        "entity_id": "https://idp.example.ac.uk/shibboleth",
        "metadata_url": "https://idp.example.ac.uk/metadata",
    }
    assert app["settings"]["advanced"]["want_assertion_signed"] is True
    assert app["settings"]["advanced"]["want_message_signed"] is True
    assert app["settings"]["advanced"]["reject_idp_initiated_sso"] is True


@pytest.mark.parametrize(
    "env, message",
    [
        ({"OIDC_PROVIDERS": "x"}, "OIDC_X_SERVER_URL"),
        ({"OIDC_PROVIDERS": "x", "OIDC_X_SERVER_URL": "https://x"}, "OIDC_X_CLIENT_ID"),
        ({"SAML_PROVIDERS": "u", "SAML_U_IDP_ENTITY_ID": "e"}, "SAML_U_IDP_SSO_URL"),
        ({"SAML_PROVIDERS": "bad name"}, "not a valid provider name"),
        (
            {
                "SAML_PROVIDERS": "u",
                "SAML_U_IDP_ENTITY_ID": "e",
                "SAML_U_IDP_METADATA_URL": "m",
                "SAML_U_ADVANCED_JSON": "{nope",
            },
            "not a JSON object",
        ),
    ],
)
def test_missing_or_bad_values_are_named(env, message):
    with pytest.raises(SSOConfigError, match=message):
        providers_from_env(env)


def test_role_map_syntax():
    assert parse_role_map("a=tutor, b = examiner") == {"a": "tutor", "b": "examiner"}
    assert parse_role_map("urn:x:y=admin") == {"urn:x:y": "admin"}
    with pytest.raises(SSOConfigError):
        parse_role_map("just-a-value")
