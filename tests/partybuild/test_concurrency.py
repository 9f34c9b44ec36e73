"""Races on PostgreSQL: concurrent assignments never fill a post beyond its places; concurrent sheet runs make
each sheet once; a member's report is current once however many workers record it at the same moment."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from partybuild import services
from partybuild.models import MemberReport, PostHolder, QuarterlySheet
from station.models import StaffProfile
from tests.factories import PersonFactory, make_staff
from tests.helpers import require_postgresql

from .factories import ServicePostFactory, make_active_member, make_member


def _run_in_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001 - the test reports every failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_assignments_fill_exactly_the_places(station, community_a):
    require_postgresql()
    worker = make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="w-race")
    post = ServicePostFactory(community=community_a, places=3)
    members = [make_member(PersonFactory(community=community_a), worker) for _ in range(20)]

    results, errors = _run_in_threads(
        20, lambda i: services.post_assign(post=post, member=members[i], actor=worker)
    )

    assert len(results) == 3
    assert all(isinstance(e, ValidationError) for e in errors), errors
    assert PostHolder.objects.filter(post=post, status="holding").count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_sheet_runs_make_each_sheet_once(station, community_a):
    require_postgresql()
    worker = make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="w-sheets")
    for _ in range(5):
        make_active_member(PersonFactory(community=community_a), worker, on=date(2026, 1, 5))

    results, errors = _run_in_threads(
        6, lambda i: services.quarterly_sheets_make(station=station, year=2026, quarter=1)
    )

    assert errors == []
    assert QuarterlySheet.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_of_one_member_leave_one_current(station, community_a, person_a):
    require_postgresql()
    worker = make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="w-reports")
    make_member(person_a, worker)

    results, errors = _run_in_threads(
        8, lambda i: services.member_report_submit(person=person_a, actor=worker)
    )

    assert len(results) == 1
    assert all(isinstance(e, ValidationError) for e in errors), errors
    assert MemberReport.objects.filter(status__in=MemberReport.CURRENT).count() == 1
