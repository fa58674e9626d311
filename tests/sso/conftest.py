"""Real identity providers for the single sign-on tests, each started in a second process.

- OpenID Connect: panva/node-oidc-provider (tests/sso/oidc/, `npm ci` there; Node.js 20+).
- SAML 2.0: pysaml2's identity provider (tests/sso/saml_idp.py; needs the xmlsec1 program).

A test that needs one is skipped, with a plain message, when its prerequisite is missing and
cannot be installed here (.ci/run installs them, so in CI they always run).
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
OIDC_DIR = HERE / "oidc"
CLIENT_ID = "reflect-test-client"
CLIENT_SECRET = "reflect-test-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    log: Path

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(cmd: list[str], env: dict, cwd: Path, log: Path, timeout: float = 30) -> Server:
    """Start `cmd` and wait for its "ready <base>" line."""
    out = log.open("w")
    process = subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=out, text=True
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("ready "):
            return Server(process, line.split(" ", 1)[1].strip(), log)
        if process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"{cmd[0]} did not start: see {log}:\n{log.read_text()[-2000:]}")


# --- OpenID Connect -------------------------------------------------------------------------
def oidc_prerequisites() -> str | None:
    """Why the OIDC provider cannot run here, or None. Installs its npm packages if needed."""
    node = shutil.which("node")
    if node is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 20:
        return f"Node.js {version} is too old for oidc-provider (20 or later needed)"
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            return "npm is not installed (apt-get install npm)"
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            return f"`npm ci` in {OIDC_DIR} failed: {done.stderr[-500:]}"
    return None


@pytest.fixture(scope="session")
def oidc_ready():
    reason = oidc_prerequisites()
    if reason:
        pytest.skip(f"OpenID Connect provider not available: {reason}")


@pytest.fixture
def start_oidc(oidc_ready, tmp_path):
    """`start_oidc(redirect_uris, accounts)` → the running provider (stopped after the test)."""
    servers = []

    def run(redirect_uris: list[str], accounts: dict) -> Server:
        env = {
            "PORT": str(free_port()),
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REDIRECT_URIS": json.dumps(redirect_uris),
            "ACCOUNTS": json.dumps(accounts),
        }
        server = start(["node", "server.mjs"], env, OIDC_DIR, tmp_path / "oidc.log")
        servers.append(server)
        return server

    yield run
    for server in servers:
        server.stop()


def oidc_env(base: str, slug: str = "testidp", **extra) -> dict:
    """The environment variables a deployment would set for this provider."""
    prefix = f"OIDC_{slug.upper()}"
    env = {
        "OIDC_PROVIDERS": slug,
        f"{prefix}_NAME": "Test OpenID Provider",
        f"{prefix}_SERVER_URL": base,
        f"{prefix}_CLIENT_ID": CLIENT_ID,
        f"{prefix}_CLIENT_SECRET": CLIENT_SECRET,
        f"{prefix}_SCOPES": "openid email profile groups",
    }
    env.update({f"{prefix}_{k}": v for k, v in extra.items()})
    return env


# --- SAML 2.0 -------------------------------------------------------------------------------
def saml_prerequisites() -> str | None:
    if shutil.which("xmlsec1") is None:
        return "the xmlsec1 program is not installed (apt-get install xmlsec1)"
    try:
        import onelogin.saml2.auth  # noqa: F401
        import saml2.server  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install pysaml2 python3-saml)"
    return None


@pytest.fixture(scope="session")
def saml_ready():
    reason = saml_prerequisites()
    if reason:
        pytest.skip(f"SAML identity provider not available: {reason}")


@pytest.fixture(scope="session")
def idp_keys(saml_ready, tmp_path_factory):
    """A self-signed signing key and certificate for the test IdP (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("idp-keys")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Reflect test IdP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_file.write_text(pem)
    body = "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)
    return {"key_file": key_file, "cert_file": cert_file, "cert_body": body}


def saml_env(base: str, cert_body: str, slug: str = "uni", **extra) -> dict:
    prefix = f"SAML_{slug.upper()}"
    env = {
        "SAML_PROVIDERS": slug,
        f"{prefix}_NAME": "Test University",
        f"{prefix}_IDP_ENTITY_ID": f"{base}/metadata",
        f"{prefix}_IDP_SSO_URL": f"{base}/sso/redirect",
        f"{prefix}_IDP_X509CERT": cert_body,
        f"{prefix}_SP_ENTITY_ID": f"urn:reflect:test-sp:{slug}",
    }
    env.update({f"{prefix}_{k}": v for k, v in extra.items()})
    return env


def sp_metadata(app: dict, host: str, scheme: str = "http") -> str:
    """Our service provider's metadata for `host`, as /accounts/saml/<slug>/metadata/ serves it."""
    from allauth.socialaccount.providers.saml.utils import build_saml_config
    from django.test import RequestFactory
    from onelogin.saml2.settings import OneLogin_Saml2_Settings

    request = RequestFactory().get("/", HTTP_HOST=host, secure=scheme == "https")
    config = build_saml_config(request, app["settings"], app["client_id"])
    xml = OneLogin_Saml2_Settings(settings=config, sp_validation_only=True).get_sp_metadata()
    return xml.decode() if isinstance(xml, bytes) else xml


@pytest.fixture
def start_saml(idp_keys, tmp_path):
    """`start_saml(port, sp_metadata_xmls, accounts)` → the running IdP (stopped after the test)."""
    servers = []

    def run(port: int, metadata: list[str], accounts: dict) -> Server:
        paths = []
        for i, xml in enumerate(metadata):
            path = tmp_path / f"sp-{i}.xml"
            path.write_text(xml)
            paths.append(str(path))
        env = {
            "PORT": str(port),
            "KEY_FILE": str(idp_keys["key_file"]),
            "CERT_FILE": str(idp_keys["cert_file"]),
            "SP_METADATA": json.dumps(paths),
            "ACCOUNTS": json.dumps(accounts),
        }
        server = start([sys.executable, str(HERE / "saml_idp.py")], env, HERE, tmp_path / "saml.log")
        servers.append(server)
        return server

    yield run
    for server in servers:
        server.stop()


def apply_sso_env(settings, env: dict) -> dict:
    """Set SOCIALACCOUNT_PROVIDERS (and the CSP form-action origins) from `env`, exactly as
    config/settings/base.py does from the process environment."""
    from reflect.accounts.sso_settings import form_action_origins, providers_from_env

    providers = providers_from_env(env)
    settings.SOCIALACCOUNT_PROVIDERS = providers
    settings.CSP_FORM_ACTION_EXTRA = form_action_origins(providers)
    return providers
