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
    "orgs",
    "projects",
    "talent",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's cursors never prepare a query; the few that bind on the server (station.rows: the session's
    # restore, on every signed-in page) are prepared by the connection from their second run.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "station.permissions.RoleBackend",
    # Restores a volunteer's session with her row in the same query (it signs nobody in).
    "volunteers.backends.VolunteerBackend",
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
# Where "/" sends cadres and district viewers; other users who are not staff go where their app says
# (station.registry.home_pages: a volunteer to /v/, a judge to their scoring pages).
HOME_ROUTES: dict[str, str] = {}
LOGIN_REDIRECT_URL = "/"

# Sessions: end after 30 minutes idle and 12 hours after sign-in, whatever happens.
SESSION_COOKIE_AGE = 30 * 60
# The idle half hour slides at most once a minute (station.sessions), not with a write on every page view.
SESSION_ENGINE = "station.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER = 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True

# Lockout after repeated failed sign-ins (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
# Each account and each client address has its own count: many names tried from one address lock that address
# (password spraying), and one account tried from many addresses locks the account.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "station.signin.axes_username"
AXES_LOCKOUT_TEMPLATE = (
    "locked_out.html"  # in Chinese, in the site's style  # volunteers' phone numbers are stored masked
)
# Behind a reverse proxy, the client's address is read from X-Forwarded-For, and only as far back as the number
# of proxies we trust (DJANGO_TRUSTED_PROXIES); unset, the socket's address is used, so nobody can pose as
# another address by sending the header.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "station.signin.client_address"
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

# The cache: Redis where the machines share one (several web and worker processes must agree on what it
# holds, e.g. that a recompute is already queued), memory in the quick start.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "station.cache.RedisCache", "LOCATION": CACHE_URL,
         "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}  # fmt: skip
# Sessions are read through the cache only when every web process shares it (station.sessions).
SESSION_CACHED = bool(CACHE_URL)

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
# A web request sends a task with short timeouts and never waits for a broker that is down or does not
# answer (station.queue); what it could not send, a periodic sweep picks up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
# A task whose worker is killed (acks_late) goes back to the queue: at once when the worker process dies
# under a running worker, and otherwise when Redis's visibility timeout passes. The timeout must be longer
# than the longest task (a year's report workbook or a district's month of rollup: minutes, not an hour),
# or a slow task would be handed to a second worker while the first still runs; 30 minutes.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 30 * 60)),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
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
    "stats-build-pending-reports": {
        "task": "stats.tasks.build_pending_reports",
        "schedule": timedelta(minutes=10),
    },
    # Background imports: send again a job the broker did not take, delete old jobs with their files.
    "station-import-jobs-sweep": {
        "task": "station.tasks.import_jobs_sweep",
        "schedule": timedelta(minutes=5),
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

IMPORT_EXPORT_USE_TRANSACTIONS = True
# Excel first: the workers live in Excel. CSV for anyone who exports from elsewhere.
IMPORT_EXPORT_FORMATS = [XLSX, CSV]
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Exports write a cell beginning with = + - @ as text (station/formats.py), never as a live formula.
from station import formats as _export_formats  # noqa: E402

EXPORT_FORMATS = [_export_formats.XLSX, _export_formats.CSV]
# Imports read .xlsx and .csv through the core's formats: a file above these limits is refused before it is
# all parsed (rows of data; bytes of the file as unpacked, an .xlsx being a zip of XML).
IMPORT_FORMATS = [_export_formats.ImportXLSX, _export_formats.ImportCSV]
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 50_000))
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 40 * 2**20))
# A dry run shows this many rows (and rows with errors) on the page; the whole report is a workbook.
IMPORT_PAGE_ROWS = 50
# A file with more data rows than this is not checked inside the web request (gunicorn stops a request after
# 30 s): a worker checks it, and imports it once confirmed, while its page shows the progress
# (station.import_jobs). The file waits in the database, which every web and worker machine reads; a job and
# its file are deleted IMPORT_JOB_KEEP_DAYS after it was uploaded.
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", 2_000))
IMPORT_PROGRESS_EVERY = 250  # rows between two writes of a job's progress
IMPORT_JOB_KEEP_DAYS = 7
# A small file's check and its confirm are two requests, which may reach two web machines: the file waits
# between them in the media storage every machine shares, not in one machine's temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"

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
# A write queues one recompute of its station's month to date this many seconds later (0: only nightly).
STATS_REFRESH_SECONDS = int(os.environ.get("STATS_REFRESH_SECONDS", "180"))
# The dashboards' rendered figures are cached under a key holding the stamp of the station's rollup runs (a new
# run changes the key); this timeout only bounds what no run stamps (a community renamed, a new release).
STATS_DASHBOARD_CACHE_SECONDS = int(os.environ.get("STATS_DASHBOARD_CACHE_SECONDS", "3600"))
# The staff's watch list (who is overdue today) is read from the records: kept this long, per user.
STATS_DASHBOARD_PANELS_SECONDS = int(os.environ.get("STATS_DASHBOARD_PANELS_SECONDS", "60"))
HOME_ROUTES["dashboard"] = "/dashboard/"

# orgs: community-organisation incubation (issue 14)
from django.utils.translation import gettext_lazy as _orgs_label  # noqa: E402

ORGS_CATEGORIES = [
    ("volunteer", _orgs_label("volunteer service groups")),
    ("consultation", _orgs_label("consultation and deliberation groups")),
    ("sports", _orgs_label("sports groups")),
    ("arts", _orgs_label("culture and arts groups")),
    ("other", _orgs_label("other groups")),
]
ORGS_STATION_LED_CATEGORIES = ["volunteer", "consultation"]  # the rest develop on their own
ORGS_FILING_MATERIALS = {
    "application": _orgs_label("application form"),
    "charter": _orgs_label("charter"),
    "roster": _orgs_label("member roster"),
}
ORGS_FILING_MIN_MEMBERS = int(os.environ.get("ORGS_FILING_MIN_MEMBERS", "10"))
# The incubation path a new station starts with: (name, checklist items, graduates). Stations edit theirs.
ORGS_DEFAULT_STAGES = [
    ("需求调研", ["居民需求调研已记录"], False),
    ("主动挖掘", ["发现志愿骨干和社区能人", "确定发起人"], False),
    ("培育领袖", ["负责人已确定", "负责人参加培训"], False),
    ("完善制度", ["章程已存档", "成员名册已存档", "备案已提交"], False),
    ("团队提升", ["开展能力评估", "自主开展活动"], False),
    ("项目支持", ["承接或申报公益项目"], False),
    ("出壳", [], True),
]
ORGS_STUCK_AFTER_DAYS = int(os.environ.get("ORGS_STUCK_AFTER_DAYS", "90"))
ORGS_REVIEW_MONTH = 12  # annual reviews fall due in this month; reminders start on its first day
ORGS_CAPACITY_RUBRIC = "社区社会组织能力评估"  # the shared template's name
CELERY_BEAT_SCHEDULE.update(
    {
        "orgs-stuck-in-stage": {
            "task": "orgs.tasks.remind_stuck_in_stage",
            "schedule": crontab(hour=8, minute=5),
        },
        "orgs-annual-review-due": {
            "task": "orgs.tasks.remind_annual_reviews_due",
            "schedule": crontab(hour=8, minute=20),
        },
    }
)

# projects: charity projects, partners' resources, staged funding and venture-philanthropy contests (issue 15)
PROJECTS_CATEGORIES = [
    ("elderly", "为老"),
    ("disability", "助残"),
    ("children", "儿童"),
    ("poverty", "济困"),
    ("governance", "社区治理"),
    ("other", "其他"),
]
PROJECTS_REPORT_FLAG_AFTER_DAYS = 14  # a report this many days late is flagged to the station head, once
PROJECTS_EVALUATION_PASS_SCORE = 60  # an evaluation passes at this weighted total (out of 100) or above
CELERY_BEAT_SCHEDULE.update(
    {
        "projects-overdue-reports": {
            "task": "projects.tasks.flag_overdue_reports",
            "schedule": crontab(hour=7, minute=30),
        },
    }
)

# talent: the social-worker talent platform (issue 16)
TALENT_DEFAULT_PASS_MARK = 60  # out of 100; each exam year keeps its own (some regions differ)
TALENT_FIRST_REGISTRATION_MONTHS = 12  # first registration within this long of the results
TALENT_REGISTRATION_VALID_YEARS = 3
TALENT_RENEWAL_WINDOW_MONTHS = 3  # re-registration in the months before expiry
TALENT_CE_REQUIRED_HOURS = {"assistant": 72, "intermediate": 90, "senior": 90}  # per registration cycle
TALENT_CE_REMINDER_DAYS = (90, 30)  # reminders of those at risk, this many days before expiry
TALENT_CE_AT_RISK_DAYS = 180  # the at-risk list looks this far ahead
TALENT_SUPERVISION_TARGET_HOURS = 2  # supervision hours per social worker per month
TALENT_FALLING_BEHIND_ATTENDANCE = 60  # % of the group's sessions; below it a member is falling behind
TALENT_EXAM_REMINDER_DAYS = 7  # remind members this many days before registration opens and the exam
CELERY_BEAT_SCHEDULE.update(
    {
        "talent-exam-reminders": {
            "task": "talent.tasks.exam_reminders",
            "schedule": crontab(hour=8, minute=5),
        },
        "talent-ce-reminders": {"task": "talent.tasks.ce_reminders", "schedule": crontab(hour=8, minute=20)},
    }
)
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
PARTYBUILD_VOLUNTEER_POINTS = False  # False, True or [station ids]: members' post hours and party days entered as volunteer service records
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
