"""Local development: DEBUG on, console e-mail, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F401,F403

DEBUG = True
