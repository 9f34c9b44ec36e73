"""One settings module, read from the environment.

Unset, everything falls back to the quick start: SQLite in the checkout and
Celery tasks run eagerly in process. Production sets DJANGO_DEBUG=0 and the
values listed in .env.example.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from import_export.formats.base_formats import CSV, XLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# Unset, both keys fall back to local-only values so manage.py works in a bare checkout; with DJANGO_DEBUG=0,
# `check --deploy` refuses them (Django's own check for the secret key, station.checks for the field key).
LOCAL_SECRET_KEY = "django-insecure-local-only-key-do-not-use-in-production-0123456789"
LOCAL_FIELD_ENCRYPTION_KEY = "local-only-field-key"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or LOCAL_SECRET_KEY

# Key material for encrypted fields (ID numbers) and for the keyed hash beside them.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY") or LOCAL_FIELD_ENCRYPTION_KEY
SALT_KEY = [FIELD_ENCRYPTION_KEY]  # read by django-fernet-encrypted-fields

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "station.apps.StationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "import_export",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "station",
    "stats",
    "cases",
    "volunteers",
    "partybuild",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "station.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "station.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "station.context_processors.station_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "station.permissions.RoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The core's catalogue outranks the apps' (Django's own included), so generic words such as "name" read as
# the station means them.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "station" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Evidence uploads (photos, sign-in sheets): size cap and the types accepted, checked by content.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))
EVIDENCE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

LOGIN_URL = "admin:login"
# Where "/" sends a signed-in user who is not admin staff; platform apps add theirs (e.g. "volunteer": "/v/").
HOME_ROUTES: dict[str, str] = {}
LOGIN_REDIRECT_URL = "/"

# Sessions: end after 30 minutes idle and 12 hours after sign-in, whatever happens.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True

# Lockout after repeated failed sign-ins (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Production hardening (all on when DEBUG is off).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Email.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

# Celery. Without a broker the quick start runs every task eagerly in process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The beat schedule lives here, in code; docker-compose runs exactly one beat.
CELERY_BEAT_SCHEDULE = {
    "send-pending-notifications": {
        "task": "station.tasks.send_pending_notifications",
        "schedule": timedelta(minutes=5),
    },
    # cases
    "cases-follow-ups-due": {"task": "cases.tasks.remind_follow_ups_due", "schedule": timedelta(hours=6)},
    "cases-visits-overdue": {"task": "cases.tasks.remind_visits_overdue", "schedule": timedelta(hours=6)},
    "cases-approvals-waiting": {
        "task": "cases.tasks.remind_approvals_waiting",
        "schedule": timedelta(hours=2),
    },
    "cases-reviews-due": {"task": "cases.tasks.remind_reviews_due", "schedule": timedelta(hours=12)},
    # Statistics rollup: the month to date every night, last month final on the 1st, catch-up daily.
    "stats-rollup-current-month": {
        "task": "stats.tasks.rollup_current_month",
        "schedule": crontab(hour=1, minute=30),
    },
    "stats-rollup-last-month-final": {
        "task": "stats.tasks.rollup_last_month",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    "stats-rollup-catch-up": {
        "task": "stats.tasks.rollup_catch_up",
        "schedule": crontab(hour=3, minute=15),
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_USE_TRANSACTIONS = True
# Excel first: the workers live in Excel. CSV for anyone who exports from elsewhere.
IMPORT_EXPORT_FORMATS = [XLSX, CSV]
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Domain rules the station may tune.
LOW_AGE_ELDERLY_AGES = (60, 69)  # inclusive, age in whole years on the day asked
DIFFICULTY_DESIGNATIONS = [
    "low_income",
    "extreme_poverty",
    "disabled",
    "living_alone_elderly",
    "left_behind_child",
    "orphan",
    "serious_illness",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# cases: the visit plan. Each risk tier has a cycle in days and the kinds of visit that count for it.
CASES_VISIT_CYCLES = {
    "high": {"days": 7, "kinds": ["home", "phone"]},
    "key": {"days": 30, "kinds": ["home"]},
    "ordinary": {"days": 90, "kinds": ["home", "phone"]},
}
CASES_URGENT_VISIT_HOURS = 24  # a visit asked for after an event (a fall, a death in the family)
CASES_REVIEW_AFTER_DAYS = 90  # a case's review falls due this long after its intervention starts
CASES_APPROVAL_REMIND_AFTER_HOURS = 24  # remind the supervisor of an approval waiting this long

# volunteers (the two-way volunteer platform)
VOLUNTEER_POINTS_PER_HOUR = int(os.environ.get("VOLUNTEER_POINTS_PER_HOUR", "10"))
VOLUNTEER_MULTIPLIERS_STACK = env_bool("VOLUNTEER_MULTIPLIERS_STACK", False)  # both reasons: x4 instead of x2
VOLUNTEER_POINTS_EXPIRY_YEARS = int(os.environ.get("VOLUNTEER_POINTS_EXPIRY_YEARS", "0")) or None  # off
VOLUNTEER_EXPIRY_WARNING_DAYS = 30
VOLUNTEER_STAR_HOURS = (100, 300, 600, 1000, 1500)  # one to five stars, national thresholds
VOLUNTEER_REDEMPTION_WAIT_HOURS = int(os.environ.get("VOLUNTEER_REDEMPTION_WAIT_HOURS", "48"))
VOLUNTEER_QR_WINDOW_SECONDS = 60  # the check-in code changes every minute; the previous one is accepted
HOME_ROUTES["volunteer"] = "/v/"
CELERY_BEAT_SCHEDULE.update(
    {
        "volunteers-auto-checkout": {
            "task": "volunteers.tasks.auto_checkout",
            "schedule": timedelta(minutes=15),
        },
        "volunteers-shift-reminders": {
            "task": "volunteers.tasks.shift_reminders",
            "schedule": timedelta(hours=1),
        },
        "volunteers-redemptions-waiting": {
            "task": "volunteers.tasks.redemptions_waiting",
            "schedule": timedelta(hours=6),
        },
        "volunteers-balance-check": {
            "task": "volunteers.tasks.balance_check",
            "schedule": crontab(hour=2, minute=10),
        },
        "volunteers-points-expiry": {
            "task": "volunteers.tasks.points_expiry",
            "schedule": crontab(hour=2, minute=40),
        },
    }
)
# Statistics rollup and dashboards (issue 5).
# Headline cards on the dashboards, in this order, when the metric is registered (apps may also pass
# headline=True to @metric).
STATS_HEADLINE_METRICS = [
    "cases.phone_visits",
    "cases.home_visits",
    "cases.new_cases",
    "cases.group_sessions",
    "projects.projects_brought_in",
    "station.person_times",
    "volunteers.new_volunteers",
    "volunteers.approved_hours",
    "talent.social_workers_trained",
    "orgs.organisations_incubated",
]
STATS_CATCHUP_MONTHS = int(os.environ.get("STATS_CATCHUP_MONTHS", "24"))  # how far back the catch-up looks
STATS_TREND_MONTHS = 12
STATS_REPORT_SYNC_MONTHS = 12  # longer ranges are built by a Celery task and the requester is notified
HOME_ROUTES["dashboard"] = "/dashboard/"
# partybuild: party-mass co-building, member and unit reporting, posts, courses, quarterly sheets (issue 13)
# Members re-report this often (months); the station is reminded this many days before the deadline.
PARTYBUILD_REREPORT_MONTHS = int(os.environ.get("PARTYBUILD_REREPORT_MONTHS", "6"))
PARTYBUILD_REMINDER_DAYS = (30, 7)
# Service hours expected of a member a year (local rules run from none to 50; 0: no target).
PARTYBUILD_MEMBER_HOURS_PER_YEAR = int(os.environ.get("PARTYBUILD_MEMBER_HOURS_PER_YEAR", "20"))
PARTYBUILD_POST_CATEGORIES = [
    ("organisation", "organisation building"),
    ("legal", "legal advice"),
    ("assistance", "helping people in difficulty and with disabilities"),
    ("governance", "community governance"),
    ("health", "health and medical care"),
    ("culture", "culture and sports"),
    ("patrol", "safety patrol"),
    ("other", "other"),
]
PARTYBUILD_STUDY_HOURS = {"full_day": 8, "half_day": 4, "per_hour": 1}  # 学时 of a course session
PARTYBUILD_STUDY_TARGETS = {"members": 32, "social_workers": 32}  # study hours a year
PARTYBUILD_PARTY_DAYS_PER_MONTH = 1  # a branch's themed party days a month
PARTYBUILD_VOLUNTEER_POINTS = False  # member hours earning volunteer points (not built yet)
CELERY_BEAT_SCHEDULE.update(
    {
        "partybuild-reports-lapse-and-remind": {
            "task": "partybuild.tasks.reports_lapse_and_remind",
            "schedule": crontab(hour=4, minute=20),
        },
        "partybuild-quarterly-sheets": {
            "task": "partybuild.tasks.quarterly_sheets_make",
            "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=4, minute=40),
        },
    }
)
