"""Every speed figure of the platform in one run, printed as one table: figure, floor, ratio, target, met.

From the checkout's root (``make bench`` runs exactly this; every path is relative to the checkout):

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sws_bench \
    BENCH_BROKER_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python -W ignore bench/run.py [--seconds 15] [--clients 8]

    .venv/bin/python -W ignore bench/run.py --smoke     # make bench-smoke: tiny data, 1 s of load, no targets

1. Builds the district data set when the database holds less (10 stations x 14 communities, 1,000,000
   people, 700,000 activities and visits with 2,500,000 attendance rows, all in 2025: ``stats_bench.py``;
   10,000 volunteers of station 1 with 1,000,000 ledger entries: ``volunteers_bench.py``).
2. Web: gunicorn on 127.0.0.1 (2 sync workers per CPU) and ``wrk`` (installed with apt-get when missing)
   pinned to the last CPU with ``taskset``; each wrk thread is one client with its own session, signed in as
   its own volunteer (or the station head, or the district viewer). The floor of every page is the
   no-database view in the same run. The redeem POST carries a fresh idempotency key each time; its floor
   is ``pgbench`` running the same transaction in bare SQL (same database, same clients, same core). After
   the runs every balance must equal its ledger sum.
3. Rollup: one month x every station in this process (its floor: the aggregate queries it ran, re-run as
   bare SQL; three of each, alternately, the median of each), then the same month fanned out through a real Celery worker, with 1 and with 2 workers.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMOKE = "--smoke" in sys.argv
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/" + ("sws_bench_smoke" if SMOKE else "sws_bench"),
)
os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9")
# The cache every gunicorn worker shares, as in production: BENCH_CACHE_URL, else the broker's Redis (Django's
# keys are prefixed, Celery's are not; they never meet).
os.environ["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", os.environ["CELERY_BROKER_URL"])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

from bench import volunteers_bench  # noqa: E402

volunteers_bench.ensure_database()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench import stats_bench  # noqa: E402  (imported first of all Django code: it sets Django up)

MONTH = date(2025, 7, 1)
FULL = dict(people=1_000_000, visits=500_000, activities=200_000, volunteers=10_000, entries=100)
TINY = dict(people=280, visits=100, activities=60, volunteers=30, entries=10)
ROWS = []


def say(text):
    print(text, flush=True)


def row(figure, value, floor, unit, target=None, higher=True, note=""):
    ratio = value / floor if floor else float("nan")
    met = "" if target is None else ("yes" if (ratio >= target if higher else ratio <= target) else "NO")
    ROWS.append((figure, value, floor, unit, ratio, target, higher, met, note))


def print_table():
    say("")
    head = f"{'figure':<44} {'value':>10} {'floor':>10} {'unit':<6} {'ratio':>7} {'target':>8} {'met':>4}"
    say(head)
    say("-" * len(head))
    for figure, value, floor, unit, ratio, target, higher, met, note in ROWS:
        goal = "" if target is None else ("≥ " if higher else "≤ ") + f"{target:g}"
        say(f"{figure:<44} {value:>10.2f} {floor:>10.2f} {unit:<6} {ratio:>7.2f} {goal:>8} {met:>4}  {note}")


# --- data ------------------------------------------------------------------------------------------------


def ensure_data(size):
    from django.core.management import call_command

    from station.models import Person, Station
    from volunteers.models import LedgerEntry

    call_command("migrate", verbosity=0)
    built = False
    if Station.objects.count() < 10 or Person.objects.count() < size["people"] * 0.9:
        stats_bench.generate(size["people"], size["visits"], size["activities"], attendees=10)
        built = True
    stats_bench.make_users()
    volunteers_bench.PHONE_BASE = 15_000_000_000
    have = LedgerEntry.objects.count()
    if have < size["volunteers"] * size["entries"] * 0.9:
        volunteers_bench.seed(size["volunteers"], size["entries"])
        built = True
    if (
        built
    ):  # as autovacuum would leave a loaded table: statistics and the visibility map (index-only scans)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    with connection.cursor() as cursor:
        cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_pickup_seq")  # pgbench's pickup codes
    say(
        f"data: {Station.objects.count()} stations, {Person.objects.count():,} people, "
        f"{LedgerEntry.objects.count():,} ledger entries"
    )


# --- web -------------------------------------------------------------------------------------------------

LUA = r"""
local n = 0
function setup(thread)
  thread:set("id", __ID__)
  __ID__ = __ID__ + 1
end
function init(args)
  cookie = cookies[id % #cookies + 1]
  csrf = "benchcsrfbenchcsrfbenchcsrf" .. string.format("%05d", id)
end
function request()
  n = n + 1
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie .. "; csrftoken=" .. csrf end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local body = "csrfmiddlewaretoken=" .. csrf .. "&key=wrk-" .. stamp .. "-" .. id .. "-" .. n
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
"""


def ensure_wrk():
    if shutil.which("wrk"):
        return
    say("wrk is missing: installing it from Debian's packages")
    subprocess.run("apt-get install -y -qq wrk || (apt-get update -qq && apt-get install -y -qq wrk)",
                   shell=True, check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def client_core():
    cpus = sorted(os.sched_getaffinity(0))
    return str(cpus[-1])


def wrk(base, path, cookies, clients, seconds, method="GET"):
    """req/s and p50 of ``clients`` connections, one wrk thread each (so each has its own session)."""
    script = LUA.replace("__ID__", "id_seq")
    header = "id_seq = 0\ncookies = {" + ",".join(f'"{c}"' for c in cookies) + "}\n"
    header += f'method = "{method}"\npath = "{path}"\nstamp = "{time.time_ns()}"\n'
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(header + script)
    try:
        cmd = ["taskset", "-c", client_core(), "wrk", f"-t{clients}", f"-c{clients}", f"-d{seconds}s",
               "--latency", "--timeout", "30s", "-s", f.name, base]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(\w+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", out)  # a page slower than 30 s counts as an error
    errors = (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0)
    return rps, f"p50 {p50.group(1)}{p50.group(2)}" if p50 else "", errors


def session_for(user, backend="station.permissions.RoleBackend"):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["signed_in_at"] = time.time()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def start_gunicorn(port, workers):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    import urllib.request

    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/nodb", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def pgbench_redeem(clients, seconds, volunteer_ids, reward_id, price):
    """The redeem transaction of ``volunteers.services.shop`` in bare SQL, for the same clients."""
    script = f"""
\\set vid random({min(volunteer_ids)}, {max(volunteer_ids)})
\\set key random(1, 2000000000)
BEGIN;
SELECT v.points_balance, p.community_id FROM volunteers_volunteer v JOIN station_person p ON p.id = v.person_id
  WHERE v.id = :vid FOR UPDATE OF v \\gset
SELECT id FROM volunteers_redemption WHERE volunteer_id = :vid AND idempotency_key = 'pgb-' || :key;
SELECT id, points_price, stock, name FROM volunteers_reward WHERE id = {reward_id} FOR UPDATE;
SELECT 1 FROM volunteers_redemption WHERE pickup_code = 'x' || :key;
INSERT INTO volunteers_redemption (volunteer_id, reward_id, points, status, pickup_code, idempotency_key,
  created_at, cancel_reason)
  VALUES (:vid, {reward_id}, {price}, 'placed', 'x' || lpad(nextval('bench_pickup_seq')::text, 11, '0'),
  'pgb-' || :key, now(), '') RETURNING id AS rid \\gset
UPDATE volunteers_reward SET stock = stock - 1 WHERE id = {reward_id} AND stock >= 1;
INSERT INTO volunteers_ledgerentry (volunteer_id, kind, points, balance_after, reason, rule, redemption_id,
  created_at, request_key)
  VALUES (:vid, 'redeem', -{price}, :points_balance - {price}, '兑换“压测兑换品”', '{{}}'::jsonb, :rid, now(), '');
UPDATE volunteers_volunteer SET points_balance = points_balance - {price} WHERE id = :vid;
INSERT INTO station_auditevent (at, action, target_type, target_id, target_repr, reason, changes)
  VALUES (now(), 'create', 'volunteers.Redemption', :rid::text, 'pgbench', '', '{{}}'::jsonb);
COMMIT;
"""
    db = settings.DATABASES["default"]
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    try:
        cmd = ["taskset", "-c", client_core(), "pgbench", "-n", "-h", db["HOST"] or "127.0.0.1",
               "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-c", str(clients), "-j", str(clients),
               "-T", str(seconds), "-f", f.name, db["NAME"]]  # fmt: skip
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=seconds + 60)
    finally:
        os.unlink(f.name)
    found = re.search(r"tps = ([\d.]+)", out.stdout)
    if not found:
        raise SystemExit(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
    return float(found.group(1))


def balances_off():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM volunteers_volunteer v WHERE v.points_balance <> "
            "(SELECT COALESCE(SUM(points), 0) FROM volunteers_ledgerentry e WHERE e.volunteer_id = v.id)"
        )
        return cursor.fetchone()[0]


def queries_of(path, user, method="GET", data=None):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user, backend="volunteers.backends.VolunteerBackend")
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        getattr(client, method.lower())(path, data or {})
    return len(ctx.captured_queries)


def first_request(url, cookie) -> float:
    """Seconds of one request alone: on the dashboards, the page rendered before its figures are cached."""
    from urllib.request import Request, urlopen

    started = time.perf_counter()
    with urlopen(Request(url, headers={"Cookie": cookie}), timeout=120) as response:
        response.read()
    return time.perf_counter() - started


def web(clients, seconds, port):
    from django.contrib.auth import get_user_model

    from station.models import Community, Station
    from volunteers.models import Reward, Volunteer

    ensure_wrk()
    User = get_user_model()
    station = Station.objects.order_by("pk").first()
    community = Community.objects.filter(station=station).order_by("pk").first()
    reward = Reward.objects.filter(name="压测兑换品").first()
    volunteers = list(Volunteer.objects.select_related("user").order_by("pk")[: max(clients, 2)])
    # A volunteer signed in on the sign-in page, whose session restores her row with her user.
    vol_cookies = [session_for(v.user, "volunteers.backends.VolunteerBackend") for v in volunteers[:clients]]
    head = [session_for(User.objects.get(username="bench_head"))] * clients
    district = [session_for(User.objects.get(username="bench_district"))] * clients
    month = f"?month={MONTH:%Y-%m}"
    pages = [
        ("balance page /v/", "/v/", vol_cookies, "GET", 0.25),
        ("ledger page /v/points/", "/v/points/", vol_cookies, "GET", 0.20),
        ("station dashboard", f"/dashboard/station/{station.pk}/{month}", head, "GET", 0.10),
        ("community dashboard", f"/dashboard/community/{community.pk}/{month}", head, "GET", 0.10),
        ("district overview", f"/dashboard/{month}", district, "GET", 0.10),
    ]
    say("queries per request (Django test client, second request):")
    for label, path, _c, _m, _t in pages[:2]:
        say(f"  {label}: {queries_of(path, volunteers[1].user)}")
    say(f"  redeem POST: {queries_of(f'/v/rewards/{reward.pk}/', volunteers[1].user, 'POST', {'key': 'q1'})}")
    workers = 2 * (os.cpu_count() or 1)
    server = start_gunicorn(port, workers)
    base = f"http://127.0.0.1:{port}"
    say(
        f"web: gunicorn {workers} sync workers; wrk {clients} clients pinned to CPU {client_core()}, {seconds}s each"
    )
    try:
        wrk(base, "/bench/nodb", [""], clients, 1)  # warm-up
        nodb, p50, _e = wrk(base, "/bench/nodb", [""], clients, seconds)
        say(f"  no-database view: {nodb:.0f} req/s {p50}")
        for label, path, cookies, method, target in pages:
            cold = first_request(
                base + path, cookies[0]
            )  # one client fills the cache, as a first visitor does
            wrk(base, path, cookies, clients, 1)  # warm-up
            rps, p50, errors = wrk(base, path, cookies, clients, seconds, method)
            say(f"  {label}: {rps:.1f} req/s {p50}, {errors} errors; the first request {cold:.2f}s")
            row(f"{label} ÷ no-database view", rps, nodb, "req/s", None if SMOKE else target,
                note=f"{p50}; first {cold:.2f}s" + (f", {errors} errors" if errors else ""))  # fmt: skip
        before = Volunteer.objects.filter(pk__in=[v.pk for v in volunteers]).count()
        redeem, p50, errors = wrk(base, f"/v/rewards/{reward.pk}/", vol_cookies, clients, seconds, "POST")
        say(f"  redeem POST: {redeem:.1f} req/s {p50}, {errors} errors ({before} volunteers)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    ids = list(Volunteer.objects.filter(person__community__station=station).values_list("pk", flat=True))
    bare = pgbench_redeem(clients, seconds, ids, reward.pk, reward.points_price)
    say(f"  pgbench, the same transaction in bare SQL: {bare:.1f} tps")
    off = balances_off()
    say(f"  balances not equal to their ledger sum after the runs: {off}")
    row("redeem POST ÷ bare SQL (pgbench)", redeem, bare, "tx/s", None if SMOKE else 0.20,
        note=f"{p50}; balances off: {off}")  # fmt: skip
    if off:
        ROWS[-1] = (*ROWS[-1][:7], "NO", ROWS[-1][8])


# --- rollup ----------------------------------------------------------------------------------------------


def settle_rollup_tables():
    """Vacuum the tables every rollup rewrites, as autovacuum would between two nightly runs (a month's rows
    are deleted and written again each run). A server with autovacuum off, as this machine's, otherwise
    keeps every earlier run's rows as dead ones: after thirty runs 150,000 of them under 4,904 live rows."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM station_statvalue, station_rolluprun")


def rollup_in_process():
    from django.test.utils import CaptureQueriesContext

    from station.models import Station
    from stats.rollup import rollup_stations_month

    stations = list(Station.objects.order_by("pk"))
    rollup_stations_month(stations=stations, month=MONTH)  # warm-up, untimed
    times, bares = [], []
    for _run in range(1 if SMOKE else 3):  # the rollup and its reads alternately; the median of each
        settle_rollup_tables()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            rollup_stations_month(stations=stations, month=MONTH)
            times.append(time.perf_counter() - started)
        reads = [
            q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "SET "))
        ]
        reads = [sql for sql in reads if "FOR UPDATE" not in sql]
        bares.append(stats_bench._bare(reads))
    elapsed, bare = statistics.median(times), statistics.median(bares)
    selects = sum(1 for sql in reads if not sql.startswith("SET "))
    say(f"rollup, one month x {len(stations)} stations in process: {' '.join(f'{t:.2f}' for t in times)}s "
        f"(median {elapsed:.2f}s), {len(ctx.captured_queries)} queries; its {selects} reads as bare SQL: "
        f"{' '.join(f'{b:.2f}' for b in bares)}s (median {bare:.2f}s)")  # fmt: skip
    row(f"rollup 1 month x {len(stations)} stations, in process", elapsed, bare, "s",
        None if SMOKE else 1.5, higher=False, note=f"≤ 2 s: {'yes' if elapsed <= 2 else 'NO'}")  # fmt: skip
    return elapsed


def rollup_with_workers(n, reference):
    from django.utils import timezone

    from station.models import Station
    from stats import tasks
    from stats.rollup import runs_done_since

    ids = list(Station.objects.order_by("pk").values_list("pk", flat=True))
    settings.STATS_ROLLUP_STATIONS_PER_TASK = max(1, -(-len(ids) // (2 * n)))  # two tasks a worker
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "bench.bench_settings"}
    subprocess.run([str(Path(sys.executable).parent / "celery"), "-A", "config", "purge", "-f"], cwd=ROOT,
                   env=env, capture_output=True)  # fmt: skip
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "-c", str(n), "-P", "prefork",
         "--without-gossip", "--without-mingle", "-l", "warning", "-n", f"bench{n}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(5)  # the worker connects and forks its children
        for _pass in (False, True):  # the first pass warms each child's caches
            settle_rollup_tables()
            since = timezone.now()
            started = time.perf_counter()
            tasks.rollup_district_month(MONTH, ids)
            while runs_done_since(ids, MONTH, since) < len(ids):
                if time.perf_counter() - started > 600:
                    raise SystemExit("the workers did not finish the rollup in 10 minutes")
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        say(f"rollup, one month x {len(ids)} stations through {n} Celery worker(s): {elapsed:.2f}s")
        return elapsed
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny data, a second of load, no targets")
    parser.add_argument("--seconds", type=int, help="load per page (15; 1 with --smoke)")
    parser.add_argument("--clients", type=int, help="wrk connections (8; 2 with --smoke)")
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--size", choices=["tiny", "full"], help="the data set (default: tiny with --smoke)")
    parser.add_argument("--only", choices=["web", "rollup"], help="run only the web pages or only the rollup")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("The bench runs on PostgreSQL.")
    seconds = args.seconds or (1 if args.smoke else 15)
    clients = args.clients or (2 if args.smoke else 8)
    say(
        f"bench: {settings.DATABASES['default']['NAME']}, {os.cpu_count()} CPUs, {'smoke' if SMOKE else 'full'}"
    )
    ensure_data(TINY if (args.size or ("tiny" if args.smoke else "full")) == "tiny" else FULL)
    if args.only in (None, "web"):
        web(clients, seconds, args.port)
    if args.only in (None, "rollup"):
        alone = rollup_in_process()
        one = rollup_with_workers(1, alone)
        two = rollup_with_workers(2, alone)
        row("rollup through 2 Celery workers ÷ 1 worker", two, one, "s", None, higher=False,
            note=f"1 worker {one:.2f}s, 2 workers {two:.2f}s")  # fmt: skip
    print_table()


if __name__ == "__main__":
    main()
