"""Settings for the test suite: the real settings with a fixed key.

The database still comes from DATABASE_URL, so the same suite runs on SQLite (default)
and on PostgreSQL (.ci/run sets DATABASE_URL).
"""

import os

os.environ.setdefault("RUSMIDDEL_SECRET_KEY", "test-only-key")
os.environ.setdefault("RUSMIDDEL_AUDIT_KEY", "test-only-audit-key-of-at-least-32-characters")
os.environ.setdefault("RUSMIDDEL_SSL_REDIRECT", "0")  # the test client and live server speak HTTP
os.environ.setdefault(
    "RUSMIDDEL_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "var", "test")
)

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
