"""`runserver` that will not serve the network with the public development key (issue #13).

The development `SECRET_KEY` is written in `config/settings/base.py` for anyone to read:
with it, anyone can sign session cookies and password-reset links of a site that runs on it.
On the loopback address (what `make run` uses) only this machine can connect, so that is
allowed; any other address needs a `SECRET_KEY` of its own in the environment.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver
from django.core.management.base import CommandError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(addr: str) -> bool:
    """True for 127.0.0.0/8, ::1 and "localhost"; False for 0.0.0.0, "0", other hosts."""
    if addr.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False  # a host name: it may well be reachable from elsewhere


class Command(StaticfilesRunserver):
    help = (
        StaticfilesRunserver.help
        + " Refuses a non-loopback address while SECRET_KEY is the development default."
    )

    def run(self, **options):
        insecure = getattr(settings, "INSECURE_DEFAULT_SECRET_KEY", None)
        if insecure and settings.SECRET_KEY == insecure and not is_loopback(self.addr):
            raise CommandError(
                f"Refusing to serve on {self.addr}:{self.port} with the development SECRET_KEY, which is "
                "public: anyone could forge sign-ins and links to this site. Serve on 127.0.0.1 "
                "(as `make run` does), or set SECRET_KEY in the environment to a long random value, e.g.\n"
                "  SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))') "
                f"python manage.py runserver {self.addr}:{self.port}"
            )
        super().run(**options)
