"""Each person's first attendance (``Person.first_attended_at``), kept by the database (``station.kept``).

It is the earliest start of an activity the person attended, or empty: the rollup counts a month's
first-time participants from it without reading every earlier attendance. Attendance added, removed or
re-pointed and an activity moved in time move it. On PostgreSQL the triggers run once per statement over the
rows it wrote (an import of thousands of rows costs one ``UPDATE``), one transaction at a time for each
person (``kept.locked``); SQLite has only row triggers.
"""

from .kept import KeptColumn, locked

# One person's value from scratch; {person} is the SQL that names the person's id.
_EARLIEST = """(SELECT min(v.starts_at) FROM station_attendance a
    JOIN station_activity v ON v.id = a.activity_id WHERE a.person_id = {person})"""

_TRIGGERS = (
    ("station_attendance_added", "station_attendance", "INSERT"),
    ("station_attendance_removed", "station_attendance", "DELETE"),
    ("station_attendance_changed", "station_attendance", "UPDATE"),
    ("station_activity_moved", "station_activity", "UPDATE"),
)

_POSTGRESQL = (
    f"""CREATE OR REPLACE FUNCTION station_first_attended_refresh(ids bigint[]) RETURNS void
    LANGUAGE sql AS $$
        SELECT {locked("station_person", "ids")};
        UPDATE station_person p SET first_attended_at = f.first
        FROM (SELECT i.id, {_EARLIEST.format(person="i.id")} AS first FROM unnest(ids) AS i(id)) f
        WHERE p.id = f.id AND p.first_attended_at IS DISTINCT FROM f.first
    $$""",
    f"""CREATE OR REPLACE FUNCTION station_attendance_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {locked("station_person", "ARRAY(SELECT person_id FROM added)")};
        UPDATE station_person p SET first_attended_at = f.first
        FROM (SELECT a.person_id, min(v.starts_at) AS first FROM added a
              JOIN station_activity v ON v.id = a.activity_id GROUP BY a.person_id) f
        WHERE p.id = f.person_id AND (p.first_attended_at IS NULL OR p.first_attended_at > f.first);
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION station_attendance_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM station_first_attended_refresh(ARRAY(SELECT DISTINCT person_id FROM removed));
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION station_attendance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM station_first_attended_refresh(
            ARRAY(SELECT person_id FROM old_rows UNION SELECT person_id FROM new_rows));
        RETURN NULL;
    END $$""",
    # Most updates of activities move none (an edited title, a named count kept by station.named_attendance):
    # those read only the statement's own rows.
    """CREATE OR REPLACE FUNCTION station_activity_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE moved bigint[] := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                                    WHERE n.starts_at IS DISTINCT FROM o.starts_at);
    BEGIN
        IF cardinality(moved) > 0 THEN
            PERFORM station_first_attended_refresh(ARRAY(
                SELECT DISTINCT person_id FROM station_attendance WHERE activity_id = ANY (moved)));
        END IF;
        RETURN NULL;
    END $$""",
)

_SQLITE_REFRESH = (
    f"UPDATE station_person SET first_attended_at = {_EARLIEST.format(person='station_person.id')}"
)

_SQLITE = (
    """CREATE TRIGGER IF NOT EXISTS station_attendance_added AFTER INSERT ON station_attendance BEGIN
        UPDATE station_person SET first_attended_at = (SELECT starts_at FROM station_activity WHERE id = NEW.activity_id)
        WHERE id = NEW.person_id AND (first_attended_at IS NULL
            OR first_attended_at > (SELECT starts_at FROM station_activity WHERE id = NEW.activity_id));
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_attendance_removed AFTER DELETE ON station_attendance BEGIN
        {_SQLITE_REFRESH} WHERE id = OLD.person_id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_attendance_changed
    AFTER UPDATE OF activity_id, person_id ON station_attendance BEGIN
        {_SQLITE_REFRESH} WHERE id IN (OLD.person_id, NEW.person_id);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS station_activity_moved AFTER UPDATE OF starts_at ON station_activity
    WHEN NEW.starts_at IS NOT OLD.starts_at BEGIN
        {_SQLITE_REFRESH} WHERE id IN (SELECT person_id FROM station_attendance WHERE activity_id = NEW.id);
    END""",
)

_FILL = {
    "postgresql": """UPDATE station_person p SET first_attended_at = f.first
        FROM (SELECT a.person_id, min(v.starts_at) AS first FROM station_attendance a
              JOIN station_activity v ON v.id = a.activity_id GROUP BY a.person_id) f
        WHERE p.id = f.person_id""",
    "sqlite": f"{_SQLITE_REFRESH} WHERE id IN (SELECT person_id FROM station_attendance)",
}

FIRST_ATTENDANCE = KeptColumn(
    table="station_person",
    column="first_attended_at",
    triggers=_TRIGGERS,
    postgresql=_POSTGRESQL,
    sqlite=_SQLITE,
    fill_sql=_FILL,
    functions=("station_first_attended_refresh(bigint[])",),
)
