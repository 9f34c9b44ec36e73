"""Races: two workers moving the same organisation at once make one move; two approvals make one filing."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from orgs import services
from orgs.models import CommunityOrg, Filing, StageMove
from station.models import StaffProfile
from tests.factories import make_staff
from tests.helpers import require_postgresql

from .factories import full_filing, make_org


def _in_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
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
def test_concurrent_moves_of_one_organisation_make_one_move(station, community_a):
    require_postgresql()
    workers = [
        make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username=f"w{i}") for i in range(6)
    ]
    org = make_org(workers[0], community_a)
    services.incubation_start(org=org, actor=workers[0])
    org.refresh_from_db()
    services.stage_check(org=org, items=org.stage.checklist_items, actor=workers[0])

    def advance(i):
        return services.stage_advance(
            org=CommunityOrg.objects.get(pk=org.pk), done=f"第{i}人", actor=workers[i]
        )

    results, errors = _in_threads(6, advance)
    assert len(results) == 1 and all(isinstance(e, ValidationError) for e in errors), errors
    assert StageMove.objects.filter(kind=StageMove.Kind.ADVANCE).count() == 1
    assert CommunityOrg.objects.get(pk=org.pk).stage.order == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_of_one_filing_approve_it_once(station, community_a):
    require_postgresql()
    worker = make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="w")
    heads = [make_staff(StaffProfile.Role.SUPERVISOR, station=station, username=f"s{i}") for i in range(4)]
    org = make_org(worker, community_a)
    filing = full_filing(org, worker)
    services.filing_submit(filing=filing, actor=worker)
    services.filing_community_review(filing=filing, opinion="同意", actor=worker)

    def approve(i):
        return services.filing_approve(
            filing=Filing.objects.get(pk=filing.pk),
            number=f"N-{i}",
            filed_on=date(2025, 1, 1),
            actor=heads[i],
        )

    results, errors = _in_threads(4, approve)
    assert len(results) == 1 and all(isinstance(e, ValidationError) for e in errors), errors
    org.refresh_from_db()
    assert org.filing_number == Filing.objects.get(pk=filing.pk).filing_number
