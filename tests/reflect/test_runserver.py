"""`runserver` refuses a non-loopback address while SECRET_KEY is the public development
default (issue #13, item 3); `make run` (127.0.0.1) keeps working."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.core.management.commands import runserver as django_runserver

from reflect.management.commands.runserver import is_loopback


@pytest.fixture
def served(monkeypatch):
    """Stand in for Django's server loop: records the addresses it would have served."""
    calls = []

    def fake_run(self, **options):
        calls.append(f"{self.addr}:{self.port}")

    monkeypatch.setattr(django_runserver.Command, "run", fake_run)
    return calls


@pytest.fixture
def default_key(settings):
    settings.SECRET_KEY = settings.INSECURE_DEFAULT_SECRET_KEY


@pytest.mark.parametrize("addrport", ["127.0.0.1:8000", "8000", "localhost:8000", "127.0.0.2:8001"])
def test_loopback_with_the_default_key_is_served(default_key, served, addrport):
    call_command("runserver", addrport, "--noreload", stdout=io.StringIO())
    assert len(served) == 1


@pytest.mark.parametrize("addrport", ["0.0.0.0:8000", "0:8000", "192.168.1.20:8000", "myhost.example.org:80"])
def test_other_addresses_with_the_default_key_are_refused(default_key, served, addrport):
    with pytest.raises(CommandError) as exc:
        call_command("runserver", addrport, "--noreload", stdout=io.StringIO())
    assert "development SECRET_KEY" in str(exc.value) and "SECRET_KEY=" in str(exc.value)
    assert served == []


def test_ipv6_loopback_is_served_and_any_address_refused(default_key, served):
    call_command("runserver", "[::1]:8000", "--ipv6", "--noreload", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("runserver", "[::]:8000", "--ipv6", "--noreload", stdout=io.StringIO())
    assert served == ["::1:8000"]


def test_a_key_of_its_own_may_serve_any_address(settings, served):
    settings.SECRET_KEY = "a-real-secret-" + "x" * 50
    call_command("runserver", "0.0.0.0:8000", "--noreload", stdout=io.StringIO())
    assert served == ["0.0.0.0:8000"]


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("0") and not is_loopback("10.0.0.1")
