"""Benchmark of the Excel imports at real size on PostgreSQL (run by hand; never part of the tests).

From the checkout's root (every path here is relative to it; the virtualenv is the checkout's ``.venv``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sws_bench_imports \
        .venv/bin/python -W ignore bench/imports_bench.py [--rows 20000] [--only visits] [--profile visits]

What it does, for each importer (people, needs, visits, volunteers, service hours, households, the sign-in
sheets of community activities on their own page, and the platforms' importers that ``bench/imports_<app>.py``
declares for each platform app):
  1. drops and recreates the database, migrates it, and adds one station with five communities, a social
     worker, --rows residents (for the visits and needs files) and --rows / 10 volunteers (for the hours);
  2. writes an .xlsx file of --rows valid rows, as a worker would fill the import template;
  3. signs in as the worker (Django test client) and posts the file to the admin's import page (the dry run,
     which renders the preview page), then posts the confirm form (the real import);
  4. prints the seconds of each step, the size of the preview page and the rows saved, and the CPU seconds
     this process spent in each step (on a machine shared with other jobs, the figure that load moves least).

``--profile NAME`` runs that importer's dry run under cProfile and prints the 25 costliest functions.
The process exits 1 when a file is refused or not every row is saved (``make bench-smoke`` runs it at 100 rows).

A platform app's importers are declared in ``bench/imports_<app>.py`` as ``IMPORTERS``, a dict of name to
``Importer``: the admin model whose import page takes the file, ``seed(rows, worker)`` that adds what the
file refers to (after the core seed above; it may return another user to sign in as), ``workbook(rows)``
that returns the headings and the rows of a valid file, and optionally the resource's index on the page and
``saved()`` counting the records the import adds (the model's rows by default).
"""

import argparse
import cProfile
import importlib
import os
import pstats
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Run as a script, this module is also the one the platforms' bench modules import (for ``Importer``): one copy.
sys.modules.setdefault("bench.imports_bench", sys.modules[__name__])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sws_bench_imports")
os.environ.setdefault("CELERY_BROKER_URL", "")


def id_number(region, i):
    """A valid, distinct ID number for each i (a thousand a birth date) and that birth date."""
    from station import idnumbers

    born = date(1950, 1, 1) + timedelta(days=i // 1000)
    return idnumbers.make_id_number(region, born, i % 1000), born


CORE_IMPORTERS = ["people", "needs", "visits", "volunteers", "hours", "households", "activities"]
PLATFORMS = ("partybuild", "orgs", "projects", "talent")


@dataclass
class Importer:
    model: tuple[str, str]  # (app label, model name) of the admin page that takes the file
    seed: Callable  # seed(rows, worker) -> a user to sign in as, or None for the core's worker
    workbook: Callable  # workbook(rows) -> (headings, rows)
    resource: int = 0  # the resource's index on the import page
    saved: Callable | None = None  # saved() -> the records the import adds, counted; the model's rows if None


def platform_importers() -> dict:
    """The importers the platform apps declare (bench/imports_<app>.py), by name."""
    found = {}
    for app in PLATFORMS:
        try:
            module = importlib.import_module(f"bench.imports_{app}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.imports_{app}":
                raise
            continue
        found.update(module.IMPORTERS)
    return found


PLATFORM_IMPORTERS = platform_importers()
IMPORTERS = CORE_IMPORTERS + list(PLATFORM_IMPORTERS)


def recreate_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(rows):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from station import idnumbers
    from station.models import Community, Person, StaffProfile, Station
    from volunteers.models import Volunteer

    call_command("migrate", verbosity=0)
    station = Station.objects.create(name="基准街道社工站")
    communities = [Community.objects.create(station=station, name=f"第{i}社区") for i in range(1, 6)]
    worker = get_user_model().objects.create_user("bench_worker", password="Bench-worker-2024", is_staff=True)
    StaffProfile.objects.create(user=worker, role=StaffProfile.Role.SOCIAL_WORKER, station=station)
    people = []
    for i in range(rows):
        number, born = id_number("610125", i)
        people.append(
            Person(name=f"居民{i:06d}", phone=f"139{i:08d}", community=communities[i % 5], birth_date=born,
                   id_number=number, id_number_hash=idnumbers.keyed_hash(number))
        )  # fmt: skip
    Person.objects.bulk_create(people, batch_size=2000)
    User = get_user_model()
    n = max(rows // 10, 1)
    helpers = Person.objects.order_by("pk")[:n]
    users = User.objects.bulk_create(
        [User(username=p.phone, first_name=p.name, password="!") for p in helpers], batch_size=2000
    )
    Volunteer.objects.bulk_create(
        [
            Volunteer(person=p, user=u, joined_on=date(2025, 1, 1))
            for p, u in zip(helpers, users, strict=True)
        ],
        batch_size=2000,
    )
    return worker


def workbook(kind, rows):
    import tablib
    from import_export.formats.base_formats import XLSX

    if kind in PLATFORM_IMPORTERS:
        headers, data = PLATFORM_IMPORTERS[kind].workbook(rows)
        return XLSX().export_data(tablib.Dataset(*data, headers=headers))
    day = date(2026, 3, 1)
    if kind == "people":
        headers = ["姓名", "性别", "出生日期", "电话", "社区", "住址", "居住身份", "身份证号"]
        data = [
            [f"新居民{i:06d}", "女", str(id_number("110101", i)[1]), f"137{i:08d}", f"第{i % 5 + 1}社区", f"{i}号",
             "回迁村民", id_number("110101", i)[0]]
            for i in range(rows)
        ]  # fmt: skip
    elif kind == "needs":
        headers = ["姓名", "电话", "类别", "需要什么", "紧急程度", "来源"]
        data = [
            [f"居民{i:06d}", f"139{i:08d}", "健康与医疗", f"量血压{i}", "一般", "探访"] for i in range(rows)
        ]
    elif kind == "visits":
        headers = ["姓名", "电话", "探访方式", "日期", "时长（分钟）", "发现情况", "风险判断", "跟进日期"]
        data = [
            [f"居民{i:06d}", f"139{i:08d}", "电话探访", str(day + timedelta(days=i % 28)), 10, "一切安好", "无风险", ""]
            for i in range(rows)
        ]  # fmt: skip
    elif kind == "volunteers":
        headers = ["姓名", "手机号", "村/社区", "身份证号", "加入日期", "技能", "已完成培训", "可服务时间"]
        data = [
            [f"志愿者{i:06d}", f"136{i:08d}", f"第{i % 5 + 1}社区", id_number("120101", i)[0], "2026-01-05",
             "陪伴", "", "周末"]
            for i in range(rows)
        ]  # fmt: skip
    elif kind == "households":  # four residents of one community a household, the first its head
        headers = ["户号", "住址", "社区", "姓名", "电话", "与户主关系"]
        data = [
            [f"H{i % 5}-{i // 20:05d}", f"{i // 20}号", f"第{i % 5 + 1}社区", f"居民{i:06d}", f"139{i:08d}",
             "户主" if (i // 5) % 4 == 0 else "配偶"]
            for i in range(rows)
        ]  # fmt: skip
    elif kind == "activities":  # a sign-in sheet: ten attendees an activity
        from station.activity_import import template_headings

        headers = template_headings()
        data = [
            [str(day + timedelta(days=(i // 10) % 28)), f"活动{i // 10:05d}", f"第{(i // 10) % 5 + 1}社区", "文体活动",
             "09:00", "11:00", "活动室", 0, f"居民{i:06d}", f"139{i:08d}"]
            for i in range(rows)
        ]  # fmt: skip
    else:
        headers = ["姓名", "手机号", "服务日期", "时长（小时）", "服务内容"]
        n = max(rows // 10, 1)
        data = [
            [f"居民{i % n:06d}", f"139{i % n:08d}", str(day + timedelta(days=i // n)), 2, "敬老院陪伴"]
            for i in range(rows)
        ]
    return XLSX().export_data(tablib.Dataset(*data, headers=headers))


class QueryTimes:
    """Seconds and counts of the dry run's queries, by statement with its literals blanked."""

    def __init__(self):
        self.seconds, self.counts = {}, {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = re.sub(r"\s+", " ", sql)[:160]
            self.seconds[key] = self.seconds.get(key, 0) + time.perf_counter() - started
            self.counts[key] = self.counts.get(key, 0) + 1

    def print(self):
        print(f"{sum(self.counts.values())} queries, {sum(self.seconds.values()):.1f} s")
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:15]:
            print(f"{seconds:7.2f} s {self.counts[key]:>7}  {key}")


URLS = {
    "people": ("station", "person"),
    "needs": ("station", "need"),
    "visits": ("cases", "visit"),
    "volunteers": ("volunteers", "volunteer"),
    "hours": ("volunteers", "servicerecord"),
    "households": ("station", "household"),
}


def url_of(kind):
    return PLATFORM_IMPORTERS[kind].model if kind in PLATFORM_IMPORTERS else URLS[kind]


def check_headers(kind):
    """The bench's headings must be the import's: a renamed column would time an all-errors file."""
    from django.apps import apps
    from django.contrib import admin

    model = apps.get_model(*url_of(kind))
    index = PLATFORM_IMPORTERS[kind].resource if kind in PLATFORM_IMPORTERS else 0
    resource = admin.site._registry[model].get_import_resource_classes(None)[index]()
    return [str(f.column_name) for f in resource.get_import_fields()]


def run_activities(rows, client):
    """The activity import has its own page (/activities/import/): the check, then the confirm with the file."""
    from station.models import Attendance

    content = workbook("activities", rows)
    before = Attendance.objects.count()
    timings = []
    for step in ("check", "confirm"):
        upload = BytesIO(content)
        upload.name = "activities.xlsx"
        started, cpu_started = time.perf_counter(), time.process_time()
        page = client.post("/activities/import/", {"file": upload, step: "1"})
        timings.append((time.perf_counter() - started, time.process_time() - cpu_started, page))
    (dry, dry_cpu, page), (confirm, confirm_cpu, done) = timings
    saved = Attendance.objects.count() - before
    print(
        f"{'activities':<11} rows {rows:>6}  dry run {dry:7.1f} s  confirm {confirm:7.1f} s  total {dry + confirm:7.1f} s"
        f"  preview page {len(page.content) / 1e6:6.2f} MB  saved {saved} attendances (status {done.status_code})"
        f"  this process's CPU: dry run {dry_cpu:.1f} s, confirm {confirm_cpu:.1f} s",
        flush=True,
    )
    return saved == rows


def run(kind, rows, client, profile=False):
    from django.apps import apps
    from django.contrib import admin
    from django.db import connection
    from import_export.formats.base_formats import XLSX

    platform = PLATFORM_IMPORTERS.get(kind)
    model = apps.get_model(*url_of(kind))
    formats = admin.site._registry[model].get_import_formats()
    index = next(i for i, f in enumerate(formats) if issubclass(f, XLSX))
    content = workbook(kind, rows)
    if platform and platform.saved:
        count = platform.saved
    else:  # a household file's rows are its members
        counted = ("station", "householdmember") if kind == "households" else url_of(kind)
        count = apps.get_model(*counted).objects.count
    before = count()
    base = f"/admin/{url_of(kind)[0]}/{url_of(kind)[1]}"
    resource = str(platform.resource) if platform else "0"
    upload = BytesIO(content)
    upload.name = f"{kind}.xlsx"
    started, cpu_started = time.perf_counter(), time.process_time()
    profiler = cProfile.Profile() if profile else None
    queries = QueryTimes()
    with connection.execute_wrapper(queries):
        if profiler:
            profiler.enable()
        page = client.post(
            f"{base}/import/", {"import_file": upload, "format": str(index), "resource": resource}
        )
        if profiler:
            profiler.disable()
    if profiler:
        profiler.dump_stats(f"/tmp/imports_bench_{kind}_{rows}.pstats")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        queries.print()
    dry, dry_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    html = page.content.decode()
    fields = dict(
        re.findall(r'name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"', html)
    )
    if "import_file_name" not in fields:
        Path(f"/tmp/imports_bench_{kind}.html").write_text(html)
        print(
            f"{kind:<11} dry run refused the file ({page.status_code}; page in /tmp/imports_bench_{kind}.html)"
        )
        return False
    started, cpu_started = time.perf_counter(), time.process_time()
    done = client.post(f"{base}/process_import/", fields)
    confirm, confirm_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    saved = count() - before
    print(
        f"{kind:<11} rows {rows:>6}  dry run {dry:7.1f} s  confirm {confirm:7.1f} s  total {dry + confirm:7.1f} s"
        f"  preview page {len(html) / 1e6:6.2f} MB  saved {saved} (status {done.status_code})"
        f"  this process's CPU: dry run {dry_cpu:.1f} s, confirm {confirm_cpu:.1f} s",
        flush=True,
    )
    return saved == rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--only", choices=IMPORTERS, action="append")
    parser.add_argument("--profile", choices=[k for k in IMPORTERS if k != "activities"])
    args = parser.parse_args()
    kinds = [args.profile] if args.profile else (args.only or IMPORTERS)

    recreate_database()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    worker = seed(args.rows)
    client = Client()
    client.force_login(worker)
    print(f"database {settings.DATABASES['default']['NAME']}, {args.rows} rows per file")
    failed = []
    for kind in kinds:
        if kind == "activities":
            ok = run_activities(args.rows, client)
        else:
            signed_in = client
            if kind in PLATFORM_IMPORTERS:
                user = PLATFORM_IMPORTERS[kind].seed(args.rows, worker)
                if user is not None:
                    signed_in = Client()
                    signed_in.force_login(user)
            print(f"{kind:<11} headings {check_headers(kind)}", flush=True)
            ok = run(kind, args.rows, signed_in, profile=kind == args.profile)
        if not ok:
            failed.append(kind)
    if failed:
        print(f"not every row saved: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
