"""A real SAML 2.0 identity provider for the single sign-on tests, built on pysaml2's IdP
(`saml2.server.Server`): it parses the service provider's AuthnRequest (HTTP-Redirect
binding), shows a sign-in page, and answers with a signed Response (HTTP-POST binding).

Run as a second process by tests/sso/conftest.py::

    python tests/sso/saml_idp.py   # configured by environment variables:

    PORT          port on 127.0.0.1
    KEY_FILE      the IdP's signing key (PEM), CERT_FILE its certificate (PEM)
    SP_METADATA   JSON list of paths of service-provider metadata files
    ACCOUNTS      JSON {login: {"attributes": {friendly name: [values]}}}; e.g. "mail",
                  "givenName", "sn", "eduPersonEntitlement"

Prints "ready <base URL>" on stdout once it listens. Test code only.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import sys
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

PORT = int(os.environ["PORT"])
BASE = f"http://127.0.0.1:{PORT}"
ACCOUNTS = json.loads(os.environ.get("ACCOUNTS", "{}"))
PENDING: dict[str, tuple[str, str]] = {}  # key → (SAMLRequest, RelayState)


def make_idp() -> Server:
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{BASE}/metadata",
            "service": {
                "idp": {
                    "name": "Reflect test IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{BASE}/sso/redirect", BINDING_HTTP_REDIRECT),
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 15},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": False,
                },
            },
            "key_file": os.environ["KEY_FILE"],
            "cert_file": os.environ["CERT_FILE"],
            "metadata": {"local": json.loads(os.environ["SP_METADATA"])},
            "xmlsec_binary": "/usr/bin/xmlsec1",
        }
    )
    return Server(config=config)


IDP = make_idp()


def page(body: str, status: str = "200 OK"):
    head = "<meta charset='utf-8'><title>Test IdP</title>"
    doc = f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"
    return status, [("Content-Type", "text/html; charset=utf-8")], [doc.encode()]


def sso_redirect(query):
    saml_request = query.get("SAMLRequest", [""])[0]
    relay_state = query.get("RelayState", [""])[0]
    IDP.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)  # fails loudly on a bad request
    key = secrets.token_urlsafe(16)
    PENDING[key] = (saml_request, relay_state)
    return page(
        "<h1>Test university sign-in</h1>"
        f"<form method='post' action='{BASE}/login'>"
        f"<input type='hidden' name='key' value='{key}'>"
        "<label for='username'>Username</label> <input id='username' name='username'>"
        "<button type='submit'>Sign in</button></form>"
    )


def login(form):
    key = form.get("key", [""])[0]
    username = form.get("username", [""])[0]
    if key not in PENDING or username not in ACCOUNTS:
        return page("<h1>Unknown user</h1>", "403 Forbidden")
    saml_request, relay_state = PENDING.pop(key)
    request = IDP.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
    args = IDP.response_args(request.message)
    args.pop("name_id_policy", None)
    args.pop("binding", None)
    response = IDP.create_authn_response(
        ACCOUNTS[username]["attributes"],
        userid=username,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"persistent-{username}"),
        authn={"class_ref": PASSWORD, "authn_auth": BASE},
        sign_response=True,
        sign_assertion=True,
        sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
        **args,
    )
    http_args = IDP.apply_binding(
        BINDING_HTTP_POST, str(response), args["destination"], relay_state, response=True
    )
    return "200 OK", [("Content-Type", "text/html; charset=utf-8")], [http_args["data"].encode()]


def metadata():
    from saml2.metadata import create_metadata_string

    xml = create_metadata_string(None, config=IDP.config, valid=4)
    return "200 OK", [("Content-Type", "text/xml")], [xml if isinstance(xml, bytes) else xml.encode()]


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    try:
        if path == "/sso/redirect":
            status, headers, body = sso_redirect(parse_qs(environ.get("QUERY_STRING", "")))
        elif path == "/login" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            status, headers, body = login(parse_qs(environ["wsgi.input"].read(size).decode()))
        elif path == "/metadata":
            status, headers, body = metadata()
        else:
            status, headers, body = page("<h1>Not found</h1>", "404 Not Found")
    except Exception as exc:  # noqa: BLE001 - a test server: say what went wrong
        status, headers, body = page(f"<pre>{html.escape(repr(exc))}</pre>", "500 Internal Server Error")
        print(f"error on {path}: {exc!r}", file=sys.stderr, flush=True)
    start_response(status, headers)
    return body


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


if __name__ == "__main__":
    server = make_server("127.0.0.1", PORT, app, handler_class=QuietHandler)
    print(f"ready {BASE}", flush=True)
    server.serve_forever()
