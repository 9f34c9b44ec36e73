"""Each person's attendance summed up per station, local month and platform (``Participation``), kept by the
database (``station.kept``).

The rollup counts a month's people (distinct, per platform, on two or more platforms) from these rows: an
index range over the month and its stations, so a rollup of a few stations reads only theirs, instead of
searching all the attendance for the month's. A trigger recounts every person its statement touched from
their attendance (an index read), so the rows are right whatever was there before: attendance added, removed
or given to another person or activity, and an activity moved to another month, station or platform.
PostgreSQL runs it once per statement, one transaction at a time for each person (``kept.locked``);
SQLite has only row triggers (and one writer at a time).

The month is the local month of the activity's start, in ``settings.TIME_ZONE``. SQLite has no time zones:
it adds the zone's offset, which must not change over the year (Asia/Shanghai's has not since 1991).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from .kept import KeptColumn, locked


def _sqlite_offset() -> str:
    zone = ZoneInfo(settings.TIME_ZONE)
    offsets = {datetime(2025, month, 1, tzinfo=zone).utcoffset() for month in (1, 7)}
    if len(offsets) != 1:
        raise NotImplementedError(
            f"SQLite cannot keep local months of {settings.TIME_ZONE}: it has summer time"
        )
    return f"{int(offsets.pop().total_seconds())} seconds"


_MONTH = {
    "postgresql": f"date_trunc('month', v.starts_at AT TIME ZONE '{settings.TIME_ZONE}')::date",
    "sqlite": f"date(v.starts_at, '{_sqlite_offset()}', 'start of month')",
}


def _recount(vendor, people) -> str:
    """Delete and count afresh the rows of the people ``people`` names (SQL of a set of person ids)."""
    return f"""DELETE FROM station_participation WHERE person_id IN ({people});
        INSERT INTO station_participation (person_id, station_id, month, platform, times)
        SELECT a.person_id, v.station_id, {_MONTH[vendor]}, v.platform, count(*)
        FROM station_attendance a JOIN station_activity v ON v.id = a.activity_id
        WHERE a.person_id IN ({people}) GROUP BY 1, 2, 3, 4;"""


_TRIGGERS = (
    ("station_participation_added", "station_attendance", "INSERT"),
    ("station_participation_removed", "station_attendance", "DELETE"),
    ("station_participation_changed", "station_attendance", "UPDATE"),
    ("station_participation_moved", "station_activity", "UPDATE"),
)

# Two transactions recounting one person at once would each delete the rows they see and insert the whole
# count, and the second would collide with the first's rows: each locks the people first (``locked``).
_POSTGRESQL = (
    f"""CREATE OR REPLACE FUNCTION station_participation_refresh(ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
        SELECT {locked("station_person", "ids")};
        {_recount("postgresql", "SELECT unnest(ids)")}
    $$""",
    """CREATE OR REPLACE FUNCTION station_participation_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM station_participation_refresh(ARRAY(SELECT DISTINCT person_id FROM added));
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION station_participation_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM station_participation_refresh(ARRAY(SELECT DISTINCT person_id FROM removed));
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION station_participation_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM station_participation_refresh(
            ARRAY(SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows));
        RETURN NULL;
    END $$""",
    # Most updates of activities move none (an edited title, a named count kept by station.named_attendance):
    # those read only the statement's own rows.
    """CREATE OR REPLACE FUNCTION station_participation_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE moved bigint[] := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                                    WHERE (n.starts_at, n.station_id, n.platform)
                                          IS DISTINCT FROM (o.starts_at, o.station_id, o.platform));
    BEGIN
        IF cardinality(moved) > 0 THEN
            PERFORM station_participation_refresh(ARRAY(
                SELECT DISTINCT person_id FROM station_attendance WHERE activity_id = ANY (moved)));
        END IF;
        RETURN NULL;
    END $$""",
)

_SQLITE = (
    f"""CREATE TRIGGER IF NOT EXISTS station_participation_added AFTER INSERT ON station_attendance BEGIN
        {_recount("sqlite", "NEW.person_id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_participation_removed AFTER DELETE ON station_attendance BEGIN
        {_recount("sqlite", "OLD.person_id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_participation_changed
    AFTER UPDATE OF activity_id, person_id ON station_attendance BEGIN
        {_recount("sqlite", "OLD.person_id, NEW.person_id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_participation_moved
    AFTER UPDATE OF starts_at, station_id, platform ON station_activity
    WHEN NEW.starts_at IS NOT OLD.starts_at OR NEW.station_id IS NOT OLD.station_id
        OR NEW.platform IS NOT OLD.platform BEGIN
        {_recount("sqlite", "SELECT person_id FROM station_attendance WHERE activity_id = NEW.id")}
    END""",
)

_FILL = {
    vendor: f"""INSERT INTO station_participation (person_id, station_id, month, platform, times)
        SELECT a.person_id, v.station_id, {month}, v.platform, count(*)
        FROM station_attendance a JOIN station_activity v ON v.id = a.activity_id GROUP BY 1, 2, 3, 4"""
    for vendor, month in _MONTH.items()
}

PARTICIPATION = KeptColumn(
    table="station_participation",
    column="times",
    triggers=_TRIGGERS,
    postgresql=_POSTGRESQL,
    sqlite=_SQLITE,
    fill_sql=_FILL,
    functions=("station_participation_refresh(bigint[])",),
)
