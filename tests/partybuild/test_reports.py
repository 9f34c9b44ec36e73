"""A member's report to the community: submitted → accepted → active → lapsed, the re-report deadline, the
reminders 30 and 7 days before it (once each), and the lapse afterwards."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partybuild import services, tasks
from partybuild.models import MemberReport, PartyMember
from station.models import AuditEvent, Notification
from tests.factories import PersonFactory

from .factories import make_active_member, make_member


def test_a_report_goes_submitted_accepted_active_with_a_deadline_half_a_year_on(person_a, worker):
    make_member(person_a, worker)
    report = services.member_report_submit(person=person_a, actor=worker, submitted_on=date(2026, 1, 5))
    assert report.status == "submitted"
    report = services.member_report_accept(report=report, actor=worker, on=date(2026, 1, 6))
    report = services.member_report_activate(report=report, actor=worker, on=date(2026, 1, 31))
    assert report.status == "active"
    assert report.deadline == date(2026, 7, 31)
    assert (
        AuditEvent.objects.filter(target_type="partybuild.MemberReport", target_id=str(report.pk)).count()
        == 3
    )


def test_the_re_report_cadence_is_a_setting(person_a, worker, settings):
    settings.PARTYBUILD_REREPORT_MONTHS = 12
    make_active_member(person_a, worker, on=date(2026, 2, 28))
    assert MemberReport.objects.get().deadline == date(2027, 2, 28)


def test_a_report_cannot_skip_a_step_nor_go_back(person_a, worker):
    make_member(person_a, worker)
    report = services.member_report_submit(person=person_a, actor=worker)
    with pytest.raises(ValidationError, match="不能变为"):
        services.member_report_activate(report=report, actor=worker)
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_report_for_a_person_who_is_not_a_member_is_a_clear_message_and_nothing_changes(person_a, worker):
    with pytest.raises(ValidationError) as caught:
        services.member_report_submit(person=person_a, actor=worker)
    assert "张桂兰" in caught.value.messages[0] and "党员" in caught.value.messages[0]
    assert MemberReport.objects.count() == 0 and PartyMember.objects.count() == 0


def test_a_member_has_one_current_report_at_a_time_even_past_the_service(person_a, worker):
    member = make_member(person_a, worker)
    services.member_report_submit(person=person_a, actor=worker)
    with pytest.raises(ValidationError):
        services.member_report_submit(person=person_a, actor=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberReport.objects.create(
            member=member, community=person_a.community, submitted_on=date(2026, 1, 1)
        )


def test_a_cadre_cannot_record_a_report(person_a, worker, cadre_a):
    make_member(person_a, worker)
    with pytest.raises(PermissionDenied):
        services.member_report_submit(person=person_a, actor=cadre_a)


def test_a_member_not_re_reported_by_the_deadline_lapses_and_the_station_is_told(person_a, worker, head):
    today = timezone.localdate()
    make_active_member(person_a, worker, on=services.add_months(today, -6) - timedelta(days=1))
    report = MemberReport.objects.get()
    assert report.deadline < today
    tasks.reports_lapse_and_remind.delay()
    report.refresh_from_db()
    assert report.status == "lapsed" and report.lapsed_on == today
    told = Notification.objects.filter(key__startswith=f"partybuild-lapsed-{report.pk}-")
    assert {n.recipient for n in told} == {worker, head}
    assert "张桂兰" in told.first().title
    tasks.reports_lapse_and_remind.delay()
    assert Notification.objects.filter(key__startswith="partybuild-lapsed-").count() == 2


def test_a_member_on_the_deadline_day_has_not_lapsed(person_a, worker):
    today = timezone.localdate()
    make_active_member(person_a, worker, on=today - timedelta(days=200))
    # The deadline is today (set directly: month ends make some days unreachable by adding months).
    MemberReport.objects.update(deadline=today)
    services.reports_lapse_due(today=today)
    assert MemberReport.objects.get().status == "active"


def test_reminders_go_out_30_and_7_days_before_the_deadline_once_each(person_a, worker):
    make_active_member(person_a, worker, on=date(2026, 1, 10))
    report = MemberReport.objects.get()
    deadline = report.deadline
    assert deadline == date(2026, 7, 10)
    assert services.reports_remind(today=deadline - timedelta(days=31)) == 0
    for day in range(31, -1, -1):  # the beat runs every day, some days twice
        services.reports_remind(today=deadline - timedelta(days=day))
        services.reports_remind(today=deadline - timedelta(days=day))
    keys = sorted(Notification.objects.values_list("key", flat=True))
    assert keys == [
        f"partybuild-rereport-{report.pk}-{deadline}-30-{worker.pk}",
        f"partybuild-rereport-{report.pk}-{deadline}-7-{worker.pk}",
    ]
    assert "30" in Notification.objects.get(key=keys[0]).title


def test_a_re_report_moves_the_deadline_and_the_old_reminders_do_not_repeat(person_a, worker):
    make_active_member(person_a, worker, on=date(2026, 1, 10))
    report = MemberReport.objects.get()
    services.reports_remind(today=date(2026, 6, 20))
    report = services.member_report_renew(report=report, actor=worker, on=date(2026, 6, 25))
    assert report.deadline == date(2026, 12, 25)
    assert services.reports_remind(today=date(2026, 6, 26)) == 0


def test_a_lapsed_member_reports_anew(person_a, worker):
    today = timezone.localdate()
    make_active_member(person_a, worker, on=today - timedelta(days=400))
    services.reports_lapse_due(today=today)
    fresh = services.member_report_submit(person=person_a, actor=worker)
    assert fresh.status == "submitted"
    assert MemberReport.objects.filter(status="lapsed").count() == 1


def test_registering_a_person_twice_is_refused(person_a, worker):
    make_member(person_a, worker)
    with pytest.raises(ValidationError, match="已登记为党员"):
        make_member(person_a, worker)


def test_skills_are_stored_normalised(community_a, worker):
    person = PersonFactory(community=community_a)
    member = make_member(person, worker, skills=" 法律咨询，调解、 心理辅导  法律咨询")
    assert member.skills == "法律咨询,调解,心理辅导"
