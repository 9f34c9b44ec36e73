"""Benchmark of the volunteers' mobile web on PostgreSQL (run by hand; never part of the tests).

From the checkout's root (every path here is relative to it; the virtualenv is the checkout's ``.venv``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sws_bench_vol \
        .venv/bin/python bench/volunteers_bench.py [--seed] [--seconds 10] [--clients 8] [--workers 4]

At a tiny size, to see that it still runs (a few hundred rows, a second of load per URL, no figures worth
reading; use a database of its own, since the size is what the database holds):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sws_bench_vol_tiny \
        .venv/bin/python bench/volunteers_bench.py --volunteers 50 --entries 6 --seconds 1 --clients 2 --workers 1

What it does:
  1. (--seed, or when the database holds fewer volunteers than --volunteers) creates the missing volunteers
     (10,000 by default) with sign-in accounts and --entries points-ledger entries each (100 by default: a
     million entries), plus a reward with plenty of stock. The ledger is written with one INSERT ... SELECT
     generate_series for speed, every NOT NULL column given (``request_key`` is empty, as for any entry
     written without a request key); balances are then set to the sum of the entries.
  2. counts the queries each page makes (Django test client, CaptureQueriesContext);
  3. starts gunicorn on 127.0.0.1 with this directory's urlconf (the project's URLs plus /bench/nodb/, a view
     that touches no database), and drives it with N concurrent clients, each signed in as its own volunteer,
     for a fixed time per URL: the no-database view, the balance page (/v/), the ledger page (/v/points/) and
     the redeem request (POST /v/rewards/<id>/ with a fresh idempotency key each time);
  4. prints requests per second and latency percentiles, stops gunicorn, and checks that every balance still
     equals the sum of its ledger entries.
"""

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sws_bench_vol")

VOLUNTEERS = 10_000
ENTRIES_PER_VOLUNTEER = 100
PASSWORD = "Bench-volunteer-2024"
PHONE_BASE = 15_000_000_000


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(volunteers: int, entries: int):
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from station import idnumbers
    from station.models import Community, Person, Station
    from volunteers.models import LedgerEntry, Reward, Volunteer

    User = get_user_model()
    started = time.monotonic()
    with transaction.atomic():
        # The district data set's first station when there is one (bench/run.py), else a station of its own.
        station = Station.objects.order_by("pk").first() or Station.objects.create(
            name="压测街道社会工作服务站", street="压测街道", district="压测区"
        )
        communities = list(Community.objects.filter(station=station).order_by("pk")) or [
            Community.objects.create(station=station, name=f"压测社区{i:02d}") for i in range(14)
        ]
        password = make_password(PASSWORD)
        have = Volunteer.objects.filter(person__community__station=station).count()
        people = []
        for i in range(have, volunteers):
            born = date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
            number = idnumbers.make_id_number("610125", born, i % 999 + 1)
            people.append(
                Person(
                    name=f"志愿者{i:05d}",
                    birth_date=born,
                    phone=str(PHONE_BASE + i),
                    community=communities[i % len(communities)],
                    id_number=number,
                    id_number_hash=idnumbers.keyed_hash(number),
                )
            )
        Person.objects.bulk_create(people, batch_size=2000)
        people = list(  # only the volunteers' own people: the station may hold residents too
            Person.objects.filter(
                community__station=station, volunteer__isnull=True, phone__startswith=str(PHONE_BASE)[:3]
            ).order_by("pk")
        )
        User.objects.bulk_create(
            [User(username=p.phone, first_name=p.name, password=password) for p in people], batch_size=2000
        )
        users = {u.username: u for u in User.objects.filter(username__in=[p.phone for p in people])}
        Volunteer.objects.bulk_create(
            [Volunteer(person=p, user=users[p.phone], joined_on=date(2023, 1, 1)) for p in people],
            batch_size=2000,
        )
        if not Reward.objects.filter(station=station, name="压测兑换品").exists():
            Reward.objects.create(station=station, name="压测兑换品", points_price=1)
        Reward.objects.filter(station=station).update(stock=10_000_000)
    print(f"  people, accounts, volunteers: {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    table = LedgerEntry._meta.db_table
    vtable = Volunteer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (volunteer_id, kind, points, balance_after, reason, rule, created_at, request_key)
            SELECT v.id, 'earn', 10, 10 * n, '压测服务：1小时 × 每小时10分', '{{}}'::jsonb,
                   now() - make_interval(days => %s - n), ''
            FROM {vtable} v CROSS JOIN generate_series(1, %s) AS n
            WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE e.volunteer_id = v.id)
            """,
            [entries, entries],
        )
        cursor.execute(
            f"UPDATE {vtable} v SET points_balance = s.total FROM "
            f"(SELECT volunteer_id, SUM(points) AS total FROM {table} GROUP BY volunteer_id) s "
            f"WHERE s.volunteer_id = v.id"
        )
        cursor.execute(f"ANALYZE {table}; ANALYZE {vtable};")
    print(f"  ledger entries, {entries} a new volunteer: {time.monotonic() - started:.1f}s")


def counts():
    from volunteers.models import LedgerEntry, Volunteer

    return Volunteer.objects.count(), LedgerEntry.objects.count()


def queries_per_page(reward_id):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.post("/v/login/", {"phone": str(PHONE_BASE + 1), "password": PASSWORD})
    result = {}
    for label, call in [
        ("GET /v/", lambda: client.get("/v/")),
        ("GET /v/points/", lambda: client.get("/v/points/")),
        ("POST /v/rewards/<id>/", lambda: client.post(f"/v/rewards/{reward_id}/", {"key": uuid.uuid4().hex})),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            response = call()
        result[label] = (len(ctx.captured_queries), response.status_code)
    return result


class Session:
    """One client: its own connection per request (gunicorn sync workers close them), its own cookies."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            body = urlencode({**body, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, data

    def sign_in(self, phone):
        self.request("GET", "/v/login/")
        status, _ = self.request("POST", "/v/login/", {"phone": phone, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"sign-in failed for {phone}: {status}")


def drive(port, sessions, method, path_fn, body_fn, seconds):
    stop = time.monotonic() + seconds
    latencies, statuses, lock = [], {}, threading.Lock()

    def run(session):
        mine, codes = [], {}
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _ = session.request(method, path_fn(), body_fn() if body_fn else None)
            mine.append(time.perf_counter() - started)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0,
        "statuses": statuses,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true", help="seed even if the database has volunteers")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--volunteers", type=int, default=VOLUNTEERS, help="volunteers the data set holds")
    parser.add_argument(
        "--entries", type=int, default=ENTRIES_PER_VOLUNTEER, help="ledger entries a volunteer"
    )
    args = parser.parse_args()
    if args.volunteers < 2 or args.entries < 1:
        parser.error("--volunteers must be at least 2 and --entries at least 1")

    ensure_database()
    setup_django()
    volunteers, entries = counts()
    if args.seed or volunteers < args.volunteers:
        print("Seeding ...")
        seed(args.volunteers, args.entries)
        volunteers, entries = counts()
    print(f"Data: {volunteers:,} volunteers, {entries:,} ledger entries")

    from volunteers.models import Reward

    reward_id = Reward.objects.filter(name="压测兑换品").values_list("pk", flat=True).first()
    print("Queries per request (Django test client):")
    for label, (n, status) in queries_per_page(reward_id).items():
        print(f"  {label:<24} {n:>3} queries  (HTTP {status})")

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/bench/nodb/")
                break
            except OSError:
                time.sleep(0.1)
        sessions = []
        for i in range(args.clients):
            session = Session(args.port)
            session.sign_in(str(PHONE_BASE + (100 + i * 997) % volunteers))
            sessions.append(session)
        print(
            f"Load: {args.clients} concurrent clients, {args.seconds:g}s per URL, gunicorn {args.workers} sync workers"
        )
        runs = [
            ("GET /bench/nodb/ (no database)", "GET", lambda: "/bench/nodb/", None),
            ("GET /v/ (balance page)", "GET", lambda: "/v/", None),
            ("GET /v/points/ (ledger page)", "GET", lambda: "/v/points/", None),
            (
                "POST /v/rewards/<id>/ (redeem)",
                "POST",
                lambda: f"/v/rewards/{reward_id}/",
                lambda: {"key": uuid.uuid4().hex},
            ),
        ]
        anonymous = [Session(args.port) for _ in range(args.clients)]  # no cookie: no session lookup either
        for label, method, path_fn, body_fn in runs:
            clients = anonymous if path_fn() == "/bench/nodb/" else sessions
            r = drive(args.port, clients, method, path_fn, body_fn, args.seconds)
            print(
                f"  {label:<34} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
                f"({r['requests']} requests, HTTP {r['statuses']})"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM volunteers_volunteer v WHERE v.points_balance <> "
            "(SELECT COALESCE(SUM(points), 0) FROM volunteers_ledgerentry e WHERE e.volunteer_id = v.id)"
        )
        print(f"Balances not equal to their ledger sum after the run: {cursor.fetchone()[0]}")


if __name__ == "__main__":
    main()
