"""Test differences only. DATABASE_URL and CELERY_BROKER_URL still come from the environment."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-with-enough-length-and-variety-0123456789abcdef")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "test-field-key")

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests run tasks in process; the real-worker tests switch this off for themselves.
CELERY_TASK_ALWAYS_EAGER = True
# The month to date is recomputed after writes only in the tests of that (stats/freshness.py).
STATS_REFRESH_SECONDS = 0
LANGUAGE_CODE = "zh-hans"
AXES_FAILURE_LIMIT = 5
