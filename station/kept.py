"""Columns the database keeps, and a table (``Participation``): derived data that triggers write in the
transaction of every write that can move it, whichever path made the write (a form, a service's
``bulk_create``, a cascade, a queryset ``update``), so that the rollup reads a column or a month's rows
instead of searching the attendance. The application never writes them (``KeptFieldsMixin`` leaves the
columns out of a save).

``install`` is idempotent: the migration that adds a column runs it and fills the column, and it runs again
after every ``migrate`` (``post_migrate`` of the station app), because SQLite drops a table's triggers when a
migration rebuilds the table. SQLite also refuses to rebuild a table (which it does to add a NOT NULL column)
while a trigger on another table names it: such a migration removes those triggers first (station 0012).
"""

from dataclasses import dataclass


def locked(table: str, ids: str) -> str:
    """PostgreSQL: the rows of ``table`` whose ids are in the array ``ids``, locked in order of id until the
    transaction ends (after ``SELECT`` or ``PERFORM``). A trigger takes these locks before it counts: two
    transactions writing about the same person or activity then take turns, and the second counts with what
    the first committed (each statement of a function reads afresh). Without them, six people signed in to
    one activity at once left its named count at 1. Every trigger on the attendance locks the people before
    the activities, so two writes of attendance never wait for each other in a circle. Row locks, not
    advisory ones: an import of 20,000 rows would need more advisory locks than the server holds."""
    return f"1 FROM {table} WHERE id = ANY ({ids}) ORDER BY id FOR NO KEY UPDATE"


# What a statement trigger calls the rows its statement wrote, by event.
_TRANSITION = {
    "INSERT": "NEW TABLE AS added",
    "DELETE": "OLD TABLE AS removed",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


@dataclass(frozen=True)
class KeptColumn:
    table: str
    column: str
    # (trigger name, table it is on, INSERT/DELETE/UPDATE); on PostgreSQL each runs once per statement, the
    # function of its name, which reads the statement's rows as ``added``, ``removed`` or ``old_rows`` and
    # ``new_rows``
    triggers: tuple
    postgresql: tuple  # statements that create (or replace) the functions
    sqlite: tuple  # statements that create the (row) triggers
    fill_sql: dict  # vendor: the statement that computes every row's value from scratch
    functions: tuple = ()  # PostgreSQL helper functions, with their argument types

    def install(self, connection) -> None:
        """Create (or replace) the triggers on this database."""
        statements = {"postgresql": self.postgresql, "sqlite": self.sqlite}.get(connection.vendor)
        if statements is None:
            raise NotImplementedError(f"no triggers for {self.table}.{self.column} on {connection.vendor}")
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                for name, table, event in self.triggers:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {_TRANSITION[event]} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                    )

    def remove(self, connection) -> None:
        """Drop the triggers (when the migration is reversed)."""
        postgresql = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            for name, table, _event in self.triggers:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}{f' ON {table}' if postgresql else ''}")
            if postgresql:
                for name, _table, _event in self.triggers:
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
                for signature in self.functions:
                    cursor.execute(f"DROP FUNCTION IF EXISTS {signature}")

    def fill(self, connection) -> None:
        """Compute every row's value from the attendance (once, when the column is added)."""
        with connection.cursor() as cursor:
            cursor.execute(self.fill_sql[connection.vendor])

    def after_migrate(self, sender, using, **kwargs) -> None:
        """post_migrate: put back what a rebuilt table lost, once the column exists."""
        from django.db import connections

        connection = connections[using]
        with connection.cursor() as cursor:
            if self.table not in connection.introspection.table_names(cursor):
                return  # migrated back before the table
            columns = {c.name for c in connection.introspection.get_table_description(cursor, self.table)}
        if self.column in columns:
            self.install(connection)


class KeptFieldsMixin:
    """A model with columns the database keeps: saving an instance read before the triggers wrote them must
    not put the old values back, so an update names every other field."""

    kept_fields: tuple = ()

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.kept_fields
            ]
        super().save(*args, **kwargs)
