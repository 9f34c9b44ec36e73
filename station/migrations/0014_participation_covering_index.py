"""On PostgreSQL the participation's unique index also carries ``times``, so the rollup's per-person pass
reads a month's rows from the index alone (an index-only scan) instead of visiting a heap page for nearly
every row. Django's ``UniqueConstraint(include=...)`` would drop the constraint on SQLite, which has no
covering indexes; the model keeps the plain constraint of the same name, and this migration widens it on
PostgreSQL only."""

from django.db import migrations

TABLE = "station_participation"
NAME = "participation_once_per_month"
KEY = "station_id, month, person_id, platform"


def _rebuild(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} DROP CONSTRAINT {NAME}, ADD CONSTRAINT {NAME} UNIQUE ({KEY}){include}"
    )


def widen(apps, schema_editor):
    _rebuild(schema_editor, " INCLUDE (times)")


def narrow(apps, schema_editor):
    _rebuild(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [
        ("station", "0013_participation"),
    ]

    operations = [migrations.RunPython(widen, narrow)]
