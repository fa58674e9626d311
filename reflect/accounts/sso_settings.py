"""Single sign-on providers from environment variables (read by config/settings/base.py).

Pure Python (no Django imports): it runs while settings load. It turns variables such as::

    OIDC_PROVIDERS=nhs
    OIDC_NHS_NAME="NHS login"
    OIDC_NHS_SERVER_URL=https://auth.login.nhs.uk
    OIDC_NHS_CLIENT_ID=...
    OIDC_NHS_CLIENT_SECRET=...

    SAML_PROVIDERS=uni
    SAML_UNI_NAME="University sign-in"
    SAML_UNI_IDP_ENTITY_ID=https://idp.example.ac.uk/idp/shibboleth
    SAML_UNI_IDP_METADATA_URL=https://idp.example.ac.uk/idp/shibboleth

into django-allauth's ``SOCIALACCOUNT_PROVIDERS`` (apps configured in settings, none in the
database). With neither OIDC_PROVIDERS nor SAML_PROVIDERS set, single sign-on is off.

Every app carries, beside allauth's own keys, a ``reflect`` dict read by
`reflect.accounts.sso`: ``trust_email`` (take the provider's e-mail as verified even without
an ``email_verified`` claim), ``role_claim`` and ``role_map`` (the documented mapping from the
provider's group values to our roles; empty: the provider never grants a role).
The README's configuration table lists every variable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

TRUE = {"1", "true", "yes", "on"}


class SSOConfigError(ValueError):
    """A single sign-on variable is missing or malformed (raised while settings load)."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in TRUE


def _slugs(env: Mapping[str, str], name: str) -> list[str]:
    slugs = [s.strip().lower() for s in env.get(name, "").split(",") if s.strip()]
    for slug in slugs:
        if not slug.replace("-", "").replace("_", "").isalnum():
            raise SSOConfigError(f"{name}: '{slug}' is not a valid provider name (letters, digits, - and _).")
    return slugs


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SSOConfigError(f"Set {name} (single sign-on is configured but this value is missing).")
    return value


def parse_role_map(text: str, name: str = "ROLE_MAP") -> dict[str, str]:
    """``"examiners=examiner,programme-admins=admin"`` → ``{"examiners": "examiner", ...}``.

    Separators: ``,`` or ``;`` between pairs, ``=`` inside a pair. Role names are checked
    against the roles when the mapping is used (an unknown role is ignored and logged).
    """
    mapping: dict[str, str] = {}
    for pair in text.replace(";", ",").split(","):
        pair = pair.strip()
        if not pair:
            continue
        value, sep, role = pair.rpartition("=")
        if not sep or not value.strip() or not role.strip():
            raise SSOConfigError(f"{name}: '{pair}' is not of the form provider-value=role.")
        mapping[value.strip()] = role.strip()
    return mapping


def _reflect(env: Mapping[str, str], prefix: str, claim_var: str) -> dict:
    return {
        "trust_email": _bool(env, f"{prefix}_TRUST_EMAIL", False),
        "role_claim": env.get(f"{prefix}_{claim_var}", "").strip(),
        "role_map": parse_role_map(env.get(f"{prefix}_ROLE_MAP", ""), f"{prefix}_ROLE_MAP"),
    }


def oidc_apps(env: Mapping[str, str]) -> list[dict]:
    apps = []
    for slug in _slugs(env, "OIDC_PROVIDERS"):
        prefix = f"OIDC_{slug.upper().replace('-', '_')}"
        app_settings = {
            "server_url": _required(env, f"{prefix}_SERVER_URL"),
            "oauth_pkce_enabled": _bool(env, f"{prefix}_PKCE", True),
            "reflect": _reflect(env, prefix, "ROLE_CLAIM"),
        }
        scopes = env.get(f"{prefix}_SCOPES", "").split()
        if scopes:
            app_settings["scope"] = scopes
        method = env.get(f"{prefix}_TOKEN_AUTH_METHOD", "").strip()
        if method:
            app_settings["token_auth_method"] = method
        apps.append(
            {
                "provider_id": slug,
                "name": env.get(f"{prefix}_NAME", "").strip() or slug,
                "client_id": _required(env, f"{prefix}_CLIENT_ID"),
                "secret": env.get(f"{prefix}_CLIENT_SECRET", ""),
                "settings": app_settings,
            }
        )
    return apps


def saml_apps(env: Mapping[str, str]) -> list[dict]:
    apps = []
    for slug in _slugs(env, "SAML_PROVIDERS"):
        prefix = f"SAML_{slug.upper().replace('-', '_')}"
        idp = {"entity_id": _required(env, f"{prefix}_IDP_ENTITY_ID")}
        metadata_url = env.get(f"{prefix}_IDP_METADATA_URL", "").strip()
        if metadata_url:
            idp["metadata_url"] = metadata_url
        else:
            idp["sso_url"] = _required(env, f"{prefix}_IDP_SSO_URL")
            idp["x509cert"] = _required(env, f"{prefix}_IDP_X509CERT")
        mapping = {
            "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
            "email": [
                "urn:oid:0.9.2342.19200300.100.1.3",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            ],
            "email_verified": ["http://schemas.auth0.com/email_verified"],
            "first_name": [
                "urn:oid:2.5.4.42",
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
            ],
            "last_name": ["urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"],
        }
        for key, var in (
            ("uid", "UID_ATTRIBUTE"),
            ("email", "EMAIL_ATTRIBUTE"),
            ("email_verified", "EMAIL_VERIFIED_ATTRIBUTE"),
        ):
            value = env.get(f"{prefix}_{var}", "").strip()
            if value:
                mapping[key] = [v.strip() for v in value.split(",") if v.strip()]
        advanced = {
            "want_assertion_signed": _bool(env, f"{prefix}_WANT_ASSERTION_SIGNED", True),
            "reject_idp_initiated_sso": True,
        }
        extra = env.get(f"{prefix}_ADVANCED_JSON", "").strip()
        if extra:
            try:
                advanced.update(json.loads(extra))
            except (ValueError, TypeError) as exc:
                raise SSOConfigError(f"{prefix}_ADVANCED_JSON is not a JSON object: {exc}")
        app_settings = {
            "idp": idp,
            "attribute_mapping": mapping,
            "advanced": advanced,
            "reflect": _reflect(env, prefix, "ROLE_ATTRIBUTE"),
        }
        sp_entity_id = env.get(f"{prefix}_SP_ENTITY_ID", "").strip()
        if sp_entity_id:
            app_settings["sp"] = {"entity_id": sp_entity_id}
        apps.append(
            {
                "name": env.get(f"{prefix}_NAME", "").strip() or slug,
                "provider_id": slug,
                "client_id": slug,  # the organisation slug in /accounts/saml/<slug>/...
                "settings": app_settings,
            }
        )
    return apps


def providers_from_env(env: Mapping[str, str]) -> dict:
    """allauth's ``SOCIALACCOUNT_PROVIDERS`` for the providers the environment configures."""
    return {
        "openid_connect": {"APPS": oidc_apps(env)},
        "saml": {"APPS": saml_apps(env)},
    }


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def form_action_origins(providers: Mapping, extra: str = "") -> list[str]:
    """Origins the sign-in page's form may lead to: a POST to start single sign-on is answered
    with a redirect to the provider, and browsers apply the CSP `form-action` to it."""
    urls = [app["settings"]["server_url"] for app in providers.get("openid_connect", {}).get("APPS", [])]
    for app in providers.get("saml", {}).get("APPS", []):
        idp = app["settings"]["idp"]
        urls += [idp.get("metadata_url", ""), idp.get("sso_url", "")]
    urls += extra.split()
    origins = []
    for url in urls:
        origin = _origin(url.strip().rstrip(","))
        if origin and origin not in origins:
            origins.append(origin)
    return origins
