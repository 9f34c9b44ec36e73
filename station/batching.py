"""What the batch services and the imports share to keep one query's parameters bounded."""


def in_chunks(values, size=5000):
    """``values`` in lists of at most ``size``: one ``pk__in`` query each, however long a file is (SQLite
    refuses a statement with too many parameters, and PostgreSQL plans a huge IN list slowly)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
