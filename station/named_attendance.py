"""Each activity's named attendance (``Activity.named_count``), kept by the database (``station.kept``).

It is how many people the activity's attendance names: the rollup reads an activity's 人次 (named plus the
anonymous head-count) from the row instead of counting each activity's attendance. Each trigger counts the
activities it touched afresh (an index read of their attendance), so a count is right whatever was in the
column before. On PostgreSQL once per statement (an import of thousands of attendances costs one
``UPDATE``), one transaction at a time for each activity (``kept.locked``); SQLite has only row triggers.
Moving an activity in time does not change its count.
"""

from .kept import KeptColumn, locked

# One activity's value from scratch; {activity} is the SQL that names the activity's id.
_COUNT = "(SELECT count(*) FROM station_attendance a WHERE a.activity_id = {activity})"

_TRIGGERS = (
    ("station_attendance_counted_added", "station_attendance", "INSERT"),
    ("station_attendance_counted_removed", "station_attendance", "DELETE"),
    ("station_attendance_counted_changed", "station_attendance", "UPDATE"),
)

# Every trigger on the attendance locks its people before its activities (``kept.locked``), whichever fires
# first, so that two transactions never wait for each other in a circle.
_CHANGED_PEOPLE = "ARRAY(SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows)"

_POSTGRESQL = (
    f"""CREATE OR REPLACE FUNCTION station_named_count_refresh(ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
        SELECT {locked("station_activity", "ids")};
        UPDATE station_activity v SET named_count = c.n
        FROM (SELECT i.id, {_COUNT.format(activity="i.id")} AS n FROM unnest(ids) AS i(id)) c
        WHERE v.id = c.id AND v.named_count IS DISTINCT FROM c.n
    $$""",
    f"""CREATE OR REPLACE FUNCTION station_attendance_counted_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {locked("station_person", "ARRAY(SELECT person_id FROM added)")};
        PERFORM station_named_count_refresh(ARRAY(SELECT DISTINCT activity_id FROM added));
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION station_attendance_counted_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {locked("station_person", "ARRAY(SELECT person_id FROM removed)")};
        PERFORM station_named_count_refresh(ARRAY(SELECT DISTINCT activity_id FROM removed));
        RETURN NULL;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION station_attendance_counted_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {locked("station_person", _CHANGED_PEOPLE)};
        PERFORM station_named_count_refresh(
            ARRAY(SELECT activity_id FROM old_rows UNION SELECT activity_id FROM new_rows));
        RETURN NULL;
    END $$""",
)

_SQLITE_REFRESH = f"UPDATE station_activity SET named_count = {_COUNT.format(activity='station_activity.id')}"

_SQLITE = (
    f"""CREATE TRIGGER IF NOT EXISTS station_attendance_counted_added AFTER INSERT ON station_attendance BEGIN
        {_SQLITE_REFRESH} WHERE id = NEW.activity_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_attendance_counted_removed AFTER DELETE ON station_attendance
    BEGIN
        {_SQLITE_REFRESH} WHERE id = OLD.activity_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_attendance_counted_changed
    AFTER UPDATE OF activity_id ON station_attendance BEGIN
        {_SQLITE_REFRESH} WHERE id IN (OLD.activity_id, NEW.activity_id);
    END""",
)

_FILL = {
    "postgresql": """UPDATE station_activity v SET named_count = c.n
        FROM (SELECT activity_id, count(*) AS n FROM station_attendance GROUP BY activity_id) c
        WHERE v.id = c.activity_id""",
    "sqlite": f"{_SQLITE_REFRESH} WHERE id IN (SELECT activity_id FROM station_attendance)",
}

NAMED_ATTENDANCE = KeptColumn(
    table="station_activity",
    column="named_count",
    triggers=_TRIGGERS,
    postgresql=_POSTGRESQL,
    sqlite=_SQLITE,
    fill_sql=_FILL,
    functions=("station_named_count_refresh(bigint[])",),
)
