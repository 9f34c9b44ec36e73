"""Rules the database holds even when code forgets them, and races the services win cleanly."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases import services
from cases.models import Case, CaseApproval, WatchEntry
from station import services as station_services
from station.models import Need

from .factories import WatchEntryFactory


def test_one_open_watch_entry_per_person(person_a, worker):
    WatchEntryFactory(person=person_a, worker=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        WatchEntry.objects.create(person=person_a, worker=worker, tier="key", started_on=timezone.localdate())


def test_one_waiting_approval_per_case(case, worker):
    CaseApproval.objects.create(case=case, gate="assessment", submitted_by=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseApproval.objects.create(case=case, gate="assessment", submitted_by=worker)


def test_a_closed_case_has_a_closing_date(case):
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(stage="closed", closed_on=None)


def test_a_worker_does_not_supervise_their_own_case(person_a, head):
    with pytest.raises(ValidationError):
        services.case_open(person=person_a, worker=head, supervisor=head, source="walk_in", actor=head)


def run_together(*funcs):
    errors, barrier = [], threading.Barrier(len(funcs))

    def wrap(func):
        try:
            barrier.wait()
            func()
        except Exception as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(f,)) for f in funcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_one_need_at_once(require_postgres, person_a, worker, supervisor):
    need = station_services.need_raise(person=person_a, category="health", description="陪诊", source="visit",
                                       actor=worker)  # fmt: skip
    errors = run_together(
        lambda: station_services.need_take(need=need, taker=worker, actor=worker),
        lambda: station_services.need_take(need=need, taker=supervisor, actor=supervisor),
    )
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    need.refresh_from_db()
    assert need.status == Need.Status.TAKEN and need.taker_name in ("worker", "supervisor")


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_makes_one_approval(require_postgres, person_a, worker, supervisor):
    from .factories import CaseFactory

    case = CaseFactory(
        person=person_a, worker=worker, supervisor=supervisor, stage="assessment", assessment="评估"
    )
    errors = run_together(
        lambda: services.case_submit(case=case, actor=worker),
        lambda: services.case_submit(case=case, actor=worker),
    )
    assert len(errors) == 1
    assert CaseApproval.objects.filter(case=case, decision="pending").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_new_case_opens_one_case_and_warns_the_other(
    require_postgres, person_a, worker, supervisor, monkeypatch
):
    from cases.models import Case

    checked = Case.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(0.3)  # both submits have looked for an open case before either saves
        return checked(self, *args, **kwargs)

    monkeypatch.setattr(Case, "full_clean", slow_full_clean)
    opening = dict(person=person_a, worker=worker, supervisor=supervisor, source="walk_in", actor=worker)
    errors = run_together(lambda: services.case_open(**opening), lambda: services.case_open(**opening))
    assert [type(e) for e in errors] == [services.DuplicateCaseWarning]
    assert Case.objects.filter(person=person_a).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_one_visit_at_once_record_it_once(require_postgres, person_a, worker, monkeypatch):
    from cases.models import Visit

    checked = Visit.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(0.3)
        return checked(self, *args, **kwargs)

    monkeypatch.setattr(Visit, "full_clean", slow_full_clean)
    visit = dict(person=person_a, kind="phone", actor=worker, findings="一切安好")
    assert run_together(lambda: services.visit_record(**visit), lambda: services.visit_record(**visit)) == []
    assert Visit.objects.count() == 1
