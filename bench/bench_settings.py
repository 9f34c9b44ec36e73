"""Settings for the benchmarks: the project's settings served over plain HTTP on 127.0.0.1, plus a
URLconf with a no-database view. Used only by bench/*.py, never by the project. DEBUG stays off.
"""

import os
import warnings

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "bench-only-field-key")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

from config.settings import *  # noqa: E402,F403
from config.settings import STORAGES  # noqa: E402

ROOT_URLCONF = "bench.bench_urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# bench/imports_bench.py times the check and the import inside the request (the rows' machinery), so its
# files stay in the request whatever their size unless IMPORT_BACKGROUND_ROWS is set for the run.
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", 10**9))

# No collectstatic in a bench run; WhiteNoise's notice about it would only clutter the figures.
warnings.filterwarnings("ignore", message="No directory at")
