"""City-scale benchmark of the statistics rollup and the dashboard, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sws_bench_stats \
        .venv/bin/python bench/stats_bench.py all

Steps (each can be run alone): ``generate`` builds the data set with INSERT ... SELECT generate_series
(10 stations x 14 communities, 1,000,000 people, 500,000 visits recorded as casework activities with one
attendee each, 200,000 activities with about 10 named attendees each, all in 2025); ``rollup`` times the
rollup of one month and of a year for every station beside the bare SQL of the aggregate queries it ran;
``web`` starts gunicorn on 127.0.0.1 and times the dashboard under concurrent clients beside a
no-database view, for a bounded number of seconds. The database is dropped and recreated by ``generate``;
nothing is written outside it (results print to stdout).
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sws_bench_stats")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

STATIONS, COMMUNITIES_PER_STATION = 10, 14
COMMUNITIES = STATIONS * COMMUNITIES_PER_STATION
YEAR = 2025


def say(text):
    print(text, flush=True)


def timed(label, func, *args, **kwargs):
    started = time.perf_counter()
    result = func(*args, **kwargs)
    elapsed = time.perf_counter() - started
    say(f"  {label}: {elapsed:.2f}s")
    return result, elapsed


# --- generate ---------------------------------------------------------------------------------------------


def recreate_database():
    from django.core.management import call_command

    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: a bench database has 'bench' in its name")
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def generate(people, visits, activities, attendees):
    from station.first_attendance import FIRST_ATTENDANCE
    from station.named_attendance import NAMED_ATTENDANCE
    from station.participation import PARTICIPATION

    say(f"generate: {people:,} people, {visits:,} visits, {activities:,} activities (~{attendees} attendees)")
    timed("recreate database and migrate", recreate_database)
    block = people // COMMUNITIES  # people of a community are one contiguous block of ids
    year_start = f"'{YEAR}-01-01 00:00:00+08'::timestamptz"
    steps = [
        (
            "stations",
            """INSERT INTO station_station (id, name, street, district, address, opened_on)
               SELECT s, '基准街道社会工作服务站' || s, '基准街道' || s, '基准区', '', DATE '2024-01-01'
               FROM generate_series(1::bigint, %(stations)s) s""",
        ),
        (
            "communities",
            """INSERT INTO station_community (id, station_id, name, kind, population, households)
               SELECT c, 1 + (c - 1) / %(per)s, '社区' || c, 'community', 7000, 2500
               FROM generate_series(1::bigint, %(communities)s) c""",
        ),
        (
            "people",
            """INSERT INTO station_person (id, name, gender, birth_date, phone, address, residency, id_number,
                   id_number_hash, created_at, updated_at, community_id)
               SELECT p, '居民' || p, CASE WHEN p % 2 = 0 THEN 'F' ELSE 'M' END,
                   DATE '1940-01-01' + (p % 25000)::int, '139' || lpad(p::text, 8, '0'), '',
                   CASE WHEN p % 10 < 5 THEN 'resettled' WHEN p % 10 < 8 THEN 'tenant' ELSE 'other' END,
                   '', '', now(), now(), LEAST(1 + (p - 1) / %(block)s, %(communities)s)
               FROM generate_series(1::bigint, %(people)s) p""",
        ),
        (
            "activities with attendance",
            f"""INSERT INTO station_activity (id, station_id, community_id, platform, kind, title, starts_at,
                   ends_at, place, partners, headcount, named_count, created_at)
               SELECT a, 1 + (c - 1) / %(per)s, CASE WHEN a % 20 = 0 THEN NULL ELSE c END,
                   (ARRAY['partybuild','projects','volunteers','orgs','talent','station'])[1 + a % 6], '',
                   '活动' || a, t, t + interval '2 hours', '', '', a % 15, 0, now()
               FROM (SELECT a, 1 + (a * 7919) % %(communities)s AS c,
                            {year_start} + ((a * 104729) % (365 * 24 * 60)) * interval '1 minute' AS t
                     FROM generate_series(1::bigint, %(activities)s) a) g""",
        ),
        (
            "attendance",
            """INSERT INTO station_attendance (activity_id, person_id)
               SELECT a.id, ((c.community - 1) * %(block)s) + 1 + ((a.id * 104729 + k * 7919) % %(block)s)
               FROM station_activity a
               CROSS JOIN LATERAL (SELECT COALESCE(a.community_id, (a.station_id - 1) * %(per)s + 1) AS community) c
               CROSS JOIN LATERAL generate_series(1::bigint, %(low)s + (a.id % %(spread)s)) k
               ON CONFLICT DO NOTHING""",
        ),
        (
            "visits",
            f"""INSERT INTO station_activity (id, station_id, community_id, platform, kind, title, starts_at,
                   ends_at, place, partners, headcount, named_count, created_at)
               SELECT %(activities)s + v, 1 + (c - 1) / %(per)s, c, 'casework',
                   CASE WHEN v % 3 = 0 THEN 'home_visit' ELSE 'phone_visit' END, '探访', t, t + interval '30 minutes',
                   '', '', 0, 0, now()
               FROM (SELECT v, LEAST(1 + (((v * 15485863) % %(people)s)) / %(block)s, %(communities)s) AS c,
                            {year_start} + ((v * 7727) % (365 * 24 * 60)) * interval '1 minute' AS t
                     FROM generate_series(1::bigint, %(visits)s) v) g""",
        ),
        (
            "visit attendance",
            """INSERT INTO station_attendance (activity_id, person_id)
               SELECT %(activities)s + v, 1 + ((v * 15485863) % %(people)s)
               FROM generate_series(1::bigint, %(visits)s) v""",
        ),
    ]
    params = {
        "stations": STATIONS,
        "per": COMMUNITIES_PER_STATION,
        "communities": COMMUNITIES,
        "people": people,
        "block": block,
        "activities": activities,
        "visits": visits,
        "low": max(attendees - 5, 1),
        "spread": 11,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # skip FK triggers while loading
        for label, sql in steps:
            for key, value in params.items():
                sql = sql.replace(f"%({key})s", str(value))
            timed(label, cursor.execute, sql)
        cursor.execute("SET session_replication_role = DEFAULT")
        # The load skipped the triggers that keep each person's first attendance, each activity's named count
        # and each person's monthly participation: fill them as the migrations do, then compact the tables
        # those updates rewrote whole (a database that took its attendance over the years has had autovacuum
        # behind each row's updates).
        timed("first attendance", FIRST_ATTENDANCE.fill, connection)
        timed("named attendance", NAMED_ATTENDANCE.fill, connection)
        timed("participation", PARTICIPATION.fill, connection)
        timed(
            "vacuum people and activities", cursor.execute, "VACUUM (FULL) station_person, station_activity"
        )
        for table in ["station_station", "station_community", "station_person", "station_activity"]:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        timed("analyze", cursor.execute, "ANALYZE")
        cursor.execute(
            "SELECT (SELECT count(*) FROM station_person), (SELECT count(*) FROM station_activity),"
            " (SELECT count(*) FROM station_attendance)"
        )
        counts = cursor.fetchone()
    say(f"  rows: people {counts[0]:,}, activities+visits {counts[1]:,}, attendance {counts[2]:,}")
    say(f"generate total: {time.perf_counter() - started:.1f}s")
    make_users()


def make_users():
    from django.contrib.auth import get_user_model

    from station.models import StaffProfile, Station

    User = get_user_model()
    station = Station.objects.order_by("pk").first()
    head, _created = User.objects.get_or_create(username="bench_head", defaults={"is_staff": True})
    StaffProfile.objects.get_or_create(user=head, defaults={"role": "station_head", "station": station})
    viewer, _created = User.objects.get_or_create(username="bench_district", defaults={"is_staff": True})
    User.objects.filter(pk=viewer.pk).update(is_staff=True)  # a role counts only on a staff account
    StaffProfile.objects.get_or_create(
        user=viewer, defaults={"role": "district_viewer", "district": "基准区"}
    )


# --- rollup ----------------------------------------------------------------------------------------------


def _rollup_months(months):
    from station.models import Station
    from stats.rollup import rollup_month

    stations = list(Station.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        for month in months:
            for station in stations:
                rollup_month(station=station, month=month)
        elapsed = time.perf_counter() - started
    aggregates = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SET ")
        or q["sql"].lstrip().upper().startswith("SELECT")
        and any(t in q["sql"] for t in ('"station_activity"', '"station_attendance"', '"station_person"'))
    ]
    return elapsed, aggregates, len(ctx.captured_queries), len(stations)


def _bare(sqls):
    """Seconds to run the SQL again, in one transaction: a ``SET LOCAL`` among it (the rollup's session
    settings) holds for what follows, as it did in the rollup's transaction."""
    from django.db import transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in sqls:
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()
    return time.perf_counter() - started


def rollup(month):
    from station.models import Station
    from stats.registry import all_metrics, month_period, months_between

    say(f"rollup: month {month:%Y-%m} and the year {YEAR}, every station")
    _rollup_months([month])  # warm the caches with the same month, untimed
    elapsed, sqls, total_queries, n = _rollup_months([month])
    bare = _bare(sqls)
    say(
        f"  one month x {n} stations: rollup {elapsed:.2f}s ({elapsed / n:.2f}s per station-month, "
        f"{total_queries} queries in all) | the {len(sqls)} aggregate queries alone, as bare SQL: {bare:.2f}s"
    )
    year = months_between(date(YEAR, 1, 1), date(YEAR, 12, 1))
    elapsed, sqls, total_queries, n = _rollup_months(year)
    bare = _bare(sqls)
    say(
        f"  12 months x {n} stations: rollup {elapsed:.2f}s ({elapsed / (12 * n):.2f}s per station-month, "
        f"{total_queries} queries in all) | the {len(sqls)} aggregate queries alone, as bare SQL: {bare:.2f}s"
    )
    period = month_period(Station.objects.order_by("pk").first(), month.year, month.month)
    costs = []
    for m in all_metrics():
        started = time.perf_counter()
        m.compute(period)
        costs.append((time.perf_counter() - started, m.name))
    costs.sort(reverse=True)
    say(
        f"  costliest metrics for one station-month ({len(costs)} metrics, {sum(c for c, _n in costs):.2f}s):"
    )
    for seconds, name in costs[:5]:
        say(f"    {seconds * 1000:7.1f} ms  {name}")


# --- web -------------------------------------------------------------------------------------------------


def session_cookie(username):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "station.permissions.RoleBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["signed_in_at"] = time.time()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def load(url, cookie, clients, seconds):
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        while time.perf_counter() < deadline:
            request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            took = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return (
            latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else float("nan")
        )

    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / wall,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": statistics.mean(latencies) * 1000 if latencies else float("nan"),
    }


def dashboard_queries(path, username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response.status_code, len(ctx.captured_queries)


def web(month, clients, seconds, workers, port):
    from station.models import Station

    station = Station.objects.order_by("pk").first()
    pages = [
        ("no-database view", "/bench/nodb", None),
        ("station dashboard (head)", f"/dashboard/station/{station.pk}/?month={month:%Y-%m}", "bench_head"),
        (
            "community dashboard (head)",
            f"/dashboard/station/{station.pk}/?month={month:%Y-%m}&community={station.communities.first().pk}",
            "bench_head",
        ),
        ("district overview (10 stations)", f"/dashboard/?month={month:%Y-%m}", "bench_district"),
    ]
    for label, path, user in pages[1:]:
        status, queries = dashboard_queries(path, user)
        say(f"  {label}: HTTP {status}, {queries} queries")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.bench_settings"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/nodb", timeout=1).read()
                break
            except Exception:
                time.sleep(0.1)
        say(
            f"web: gunicorn {workers} sync workers on 127.0.0.1:{port}, {clients} concurrent clients, {seconds}s each"
        )
        for label, path, user in pages:
            cookie = session_cookie(user) if user else None
            load(base + path, cookie, clients, 2)  # warm-up
            r = load(base + path, cookie, clients, seconds)
            say(
                f"  {label:34s} {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
                f"p99 {r['p99']:6.1f} ms  ({r['requests']} ok, {r['errors']} errors)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", choices=["generate", "rollup", "web", "all"])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=500_000)
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--attendees", type=int, default=10, help="mean named attendees per activity")
    parser.add_argument("--month", default=f"{YEAR}-07")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The benchmark runs on PostgreSQL: set DATABASE_URL.")
    from stats.registry import parse_month

    month = parse_month(args.month)
    say(f"database: {settings.DATABASES['default']['NAME']} on {connection.vendor}; {os.cpu_count()} CPUs")
    if args.step in ("generate", "all"):
        generate(args.people, args.visits, args.activities, args.attendees)
    if args.step in ("rollup", "all"):
        rollup(month)
    if args.step in ("web", "all"):
        web(month, args.clients, args.seconds, args.workers, args.port)


if __name__ == "__main__":
    main()
