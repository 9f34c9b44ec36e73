"""Locks on several rows are taken in primary-key order, through one helper."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case

from .factories import CaseFactory


def test_rows_are_locked_in_primary_key_order_whatever_the_query_asks(person_a, worker, supervisor):
    cases = [CaseFactory(person=person_a, worker=worker, supervisor=supervisor) for _ in range(3)]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = services.lock_in_pk_order(Case.objects.order_by("-pk"))
    assert [c.pk for c in locked] == sorted(c.pk for c in cases)
    sql = queries.captured_queries[-1]["sql"]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in sql
        assert sql.rindex("ORDER BY") < sql.rindex("FOR UPDATE")
