"""Model instances from one hand-written SQL query, for the few queries every signed-in page runs.

Building a query through the ORM costs more than PostgreSQL spends running it when the query is the
session's restore (a user with her rows, a join of four tables): each page paid the compilation again. Here
such a query is written once per process from the models' own table and column names (a ``Part`` per model)
and its row read back into model instances through the database's converters (SQLite hands dates back as
text), as the ORM would.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@dataclass
class Part:
    """One model's columns in the query: ``alias`` is its table's alias in the SQL."""

    model: type
    alias: str
    names: tuple[str, ...]
    fields: list = field(init=False)

    def __post_init__(self):  # in the model's order of fields, as ``Model.from_db`` reads them
        wanted = {self.model._meta.get_field(name) for name in self.names}
        self.fields = [f for f in self.model._meta.concrete_fields if f in wanted]
        self.names = tuple(f.name for f in self.fields)

    @cached_property
    def converters(self) -> list:
        """Each column with the functions the database's values go through, as the ORM applies them."""
        cols = [f.get_col(self.alias) for f in self.fields]
        return [
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)) for col in cols
        ]

    def columns(self) -> str:
        return ", ".join(f"{_quote(self.alias)}.{_quote(f.column)}" for f in self.fields)

    def table(self) -> str:
        return f"{_quote(self.model._meta.db_table)} {_quote(self.alias)}"

    def column(self, name: str) -> str:
        return f"{_quote(self.alias)}.{_quote(self.model._meta.get_field(name).column)}"

    def build(self, values: list):
        """The instance of these values (the model's other fields deferred), or None for a left join's
        missing row (its primary key is NULL)."""
        converted = []
        for (col, converters), value in zip(self.converters, values, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            converted.append(value)
        if converted[self.names.index(self.model._meta.pk.name)] is None:
            return None
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], converted)


def _cursor():
    """A cursor that PostgreSQL can prepare the query of: Django's cursors bind parameters on the client, so
    every page had PostgreSQL parse and plan the same restore again (more time than running it). This one
    binds them on the server, and the connection prepares a query it has run ``prepare_threshold`` times
    (``DATABASES`` in the settings). It is wrapped as Django wraps its own, so it is logged and counted."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    return _LoggedCursor(raw, connection) if connection.queries_logged else connection.make_cursor(raw)


class _LoggedCursor(CursorDebugWrapper):
    """Logs the query as written: a cursor that binds on the server has no text with the values in it, and
    Django would log None."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return super(CursorDebugWrapper, self).execute(sql, params)


def fetch_one(sql: str, params, parts: list[Part], extra: int = 0) -> tuple | None:
    """The first row of ``sql`` (which selects each part's columns in order, then ``extra`` values) as one
    instance (or None) per part followed by the extra values; None when there is no row."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    out, at = [], 0
    for part in parts:
        out.append(part.build(list(row[at : at + len(part.fields)])))
        at += len(part.fields)
    return (*out, *row[at : at + extra])


def fetch_by_id(query: tuple[str, list[Part]], pk, extra: int = 0) -> tuple | None:
    """``fetch_one`` of a query whose one parameter is an integer id (a session's user id); None for an id that
    is not a number or matches no row."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    sql, parts = query
    return fetch_one(sql, [pk], parts, extra)
