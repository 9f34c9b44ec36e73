"""Every row lock of the platform goes through one helper that locks a table's rows in primary-key order, so
two transactions that want overlapping rows queue instead of deadlocking."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.helpers import require_postgresql
from volunteers.models import Volunteer
from volunteers.services.base import lock_row, lock_rows

from .factories import make_volunteer


def test_rows_asked_in_any_order_are_locked_and_returned_in_primary_key_order(person_a, person_b):
    first, second = make_volunteer(person_a), make_volunteer(person_b)
    with transaction.atomic():
        rows = lock_rows(Volunteer, [second.pk, first.pk, second.pk])
    assert [row.pk for row in rows] == sorted([first.pk, second.pk])


def test_a_missing_row_is_does_not_exist_like_get(db):
    with pytest.raises(Volunteer.DoesNotExist), transaction.atomic():
        lock_row(Volunteer, 987654)


def test_the_lock_is_one_ordered_select_for_update_of_the_table_alone(person_a, person_b):
    require_postgresql()
    first, second = make_volunteer(person_a), make_volunteer(person_b)
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        lock_rows(Volunteer.objects.select_related("person__community"), [second.pk, first.pk])
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert 'ORDER BY "volunteers_volunteer"."id" ASC' in sql
    assert sql.endswith('FOR UPDATE OF "volunteers_volunteer"')
