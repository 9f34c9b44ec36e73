"""List pages make the same number of queries whatever the number of rows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Group
from station import services as station_services
from tests.factories import PersonFactory

from .factories import CaseFactory, VisitFactory, WatchEntryFactory

PAGES = [
    "/cases/",
    "/cases/overdue/",
    "/cases/coverage/",
    "/admin/cases/case/",
    "/admin/cases/visit/",
    "/admin/cases/watchentry/",
    "/admin/cases/group/",
    "/admin/station/need/",
    "/admin/cases/caseaccesslog/",
]


def add_rows(n, community, worker, supervisor):
    today = timezone.localdate()
    for _ in range(n):
        person = PersonFactory(community=community)
        VisitFactory(person=person, worker=worker, visited_on=today - timedelta(days=10))
        WatchEntryFactory(person=person, worker=worker, tier="high", started_on=today - timedelta(days=40))
        case = CaseFactory(person=person, worker=worker, supervisor=supervisor)
        services.case_record_view(case=case, user=worker)
        station_services.need_raise(
            person=person, category="health", description="量血压", source="visit", actor=worker
        )
        services.group_save(
            group=Group(station=community.station, community=community, title="互助小组", kind="mutual_aid",
                                 worker=worker),
            actor=worker, members=[person],
        )  # fmt: skip


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_list_page_queries_do_not_grow_with_rows(url, community_a, head, supervisor, as_user):
    client = as_user(head)
    add_rows(2, community_a, head, supervisor)
    few = count_queries(client, url)
    add_rows(6, community_a, head, supervisor)
    many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries with 2 rows, {many} with 8"


def test_urgent_visit_request_list_queries_do_not_grow_with_rows(community_a, head, as_user):
    def add_answered_requests(n):
        for _ in range(n):
            person = PersonFactory(community=community_a)
            services.visit_request_create(person=person, event="摔倒", assigned_to=head, actor=head)
            services.visit_record(person=person, kind="home", actor=head)

    client = as_user(head)
    add_answered_requests(2)
    few = count_queries(client, "/admin/cases/visitrequest/")
    add_answered_requests(6)
    assert count_queries(client, "/admin/cases/visitrequest/") == few
