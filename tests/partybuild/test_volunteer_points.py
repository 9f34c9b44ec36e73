"""A member who is also a volunteer: with PARTYBUILD_VOLUNTEER_POINTS on, hours on a party post go in as an
entered service record of the volunteers app (never straight to the ledger); a worker approves them there and
the volunteers' own rules make the points (double points and all). Once per entry, however often the call is
retried; a correction corrects the record, a deletion declines it. Off, or not a volunteer: nothing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partybuild import services
from partybuild.models import PostHours
from tests.factories import PersonFactory
from tests.volunteers.factories import make_volunteer
from volunteers import services as volunteer_services
from volunteers.models import LedgerEntry, ServiceRecord

from .factories import ServicePostFactory, make_member


def _born_years_ago(years: int) -> date:
    return date(timezone.localdate().year - years, 1, 1)  # age years or years-1 on any day of the year


@pytest.fixture
def points_on(settings):
    settings.PARTYBUILD_VOLUNTEER_POINTS = True


@pytest.fixture
def post(community_a):
    return ServicePostFactory(community=community_a, title="平安巡逻岗", skills_needed="巡逻", places=3)


def _holder(post, person, worker):
    member = make_member(person, worker)
    holder = services.post_apply(post=post, member=member, actor=worker)
    return services.post_holder_accept(holder=holder, actor=worker)


@pytest.fixture
def elder(community_a):
    """65 this year: low-age elderly, so her volunteer hours earn double points."""
    return PersonFactory(community=community_a, name="王秀英", birth_date=_born_years_ago(65))


def test_hours_of_a_volunteer_member_become_an_entered_service_record_and_points_once_approved(
    points_on, post, elder, worker, supervisor
):
    volunteer = make_volunteer(elder)
    holder = _holder(post, elder, worker)
    today = timezone.localdate()
    entry = services.post_hours_record(holder=holder, served_on=today, hours="2.5", actor=worker)

    record = ServiceRecord.objects.get(volunteer=volunteer)
    assert (record.status, record.source, record.minutes, record.service_date) == (
        "entered",
        "backfill",
        150,
        today,
    )
    assert "平安巡逻岗" in record.description
    assert entry.volunteer_record_id == record.pk
    volunteer.refresh_from_db()
    assert (
        volunteer.points_balance == 0
    )  # nothing earned before a worker approves, nothing written to the ledger
    assert not LedgerEntry.objects.filter(volunteer=volunteer).exists()

    volunteer_services.service_record_approve(record=record, actor=supervisor)
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 50  # 2.5 hours x 10 points, doubled for a low-age elderly volunteer
    assert "双倍" in LedgerEntry.objects.get(volunteer=volunteer, kind="earn").reason


def test_a_retried_call_enters_the_hours_once(points_on, post, elder, worker):
    volunteer = make_volunteer(elder)
    holder = _holder(post, elder, worker)
    today = timezone.localdate()
    first = services.post_hours_record(holder=holder, served_on=today, hours="2", actor=worker)
    second = services.post_hours_record(holder=holder, served_on=today, hours="2", actor=worker)
    assert first.pk == second.pk and first.volunteer_record_id == second.volunteer_record_id
    assert ServiceRecord.objects.filter(volunteer=volunteer).count() == 1


def test_the_same_record_cannot_be_linked_to_two_entries_of_hours(points_on, post, elder, worker):
    make_volunteer(elder)
    holder = _holder(post, elder, worker)
    today = timezone.localdate()
    entry = services.post_hours_record(holder=holder, served_on=today, hours="2", actor=worker)
    other = PersonFactory(community=post.community)
    other_holder = _holder(post, other, worker)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PostHours.objects.create(
            holder=other_holder, served_on=today, hours=1, volunteer_record_id=entry.volunteer_record_id
        )


def test_corrected_hours_correct_the_record_and_reverse_points_already_earned(
    points_on, post, elder, worker, supervisor
):
    volunteer = make_volunteer(elder)
    holder = _holder(post, elder, worker)
    today = timezone.localdate()
    entry = services.post_hours_record(holder=holder, served_on=today, hours="2", actor=worker)
    volunteer_services.service_record_approve(record=ServiceRecord.objects.get(pk=entry.volunteer_record_id),
                                              actor=supervisor)  # fmt: skip
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 40

    entry = services.post_hours_record(holder=holder, served_on=today, hours="1", actor=worker, note="更正")
    old = ServiceRecord.objects.get(volunteer=volunteer, status="corrected")
    new = ServiceRecord.objects.get(pk=entry.volunteer_record_id)
    assert (new.status, new.minutes, new.corrects_id) == ("pending", 60, old.pk)
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 0  # the 40 points reversed; the new hour waits for approval
    volunteer_services.service_record_approve(record=new, actor=supervisor)
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 20


def test_deleted_hours_decline_a_waiting_record_and_approved_ones_are_kept_with_a_clear_message(
    points_on, post, elder, worker, supervisor
):
    volunteer = make_volunteer(elder)
    holder = _holder(post, elder, worker)
    today = timezone.localdate()
    entry = services.post_hours_record(holder=holder, served_on=today, hours="2", actor=worker)
    record_id = entry.volunteer_record_id
    services.post_hours_delete(entry=entry, actor=worker)
    assert not PostHours.objects.exists()
    assert ServiceRecord.objects.get(pk=record_id).status == "declined"

    entry = services.post_hours_record(holder=holder, served_on=today, hours="3", actor=worker)
    approved = volunteer_services.service_record_approve(
        record=ServiceRecord.objects.get(pk=entry.volunteer_record_id), actor=supervisor
    )
    with pytest.raises(ValidationError, match="志愿"):
        services.post_hours_delete(entry=entry, actor=worker)
    assert PostHours.objects.filter(pk=entry.pk).exists()
    approved.refresh_from_db()
    volunteer.refresh_from_db()
    assert approved.status == "approved" and volunteer.points_balance == 60


def test_with_the_setting_off_nothing_reaches_the_volunteers_app(post, elder, worker):
    volunteer = make_volunteer(elder)
    holder = _holder(post, elder, worker)
    entry = services.post_hours_record(holder=holder, served_on=timezone.localdate(), hours="2", actor=worker)
    assert entry.volunteer_record_id is None
    assert not ServiceRecord.objects.filter(volunteer=volunteer).exists()


def test_a_station_not_on_the_list_is_left_alone(settings, post, elder, worker, other_station):
    settings.PARTYBUILD_VOLUNTEER_POINTS = [other_station.pk]
    volunteer = make_volunteer(elder)
    holder = _holder(post, elder, worker)
    services.post_hours_record(holder=holder, served_on=timezone.localdate(), hours="2", actor=worker)
    assert not ServiceRecord.objects.filter(volunteer=volunteer).exists()
    settings.PARTYBUILD_VOLUNTEER_POINTS = [post.station_id]
    services.post_hours_record(holder=holder, served_on=timezone.localdate(), hours="3", actor=worker)
    assert ServiceRecord.objects.filter(volunteer=volunteer, minutes=180).exists()


def test_a_member_who_is_not_a_volunteer_gets_no_service_record(points_on, post, elder, worker):
    holder = _holder(post, elder, worker)
    entry = services.post_hours_record(holder=holder, served_on=timezone.localdate(), hours="2", actor=worker)
    assert entry.volunteer_record_id is None
    assert not ServiceRecord.objects.exists()


def test_recording_hours_into_the_volunteers_app_takes_a_bounded_number_of_queries(
    points_on, post, elder, worker, django_assert_max_num_queries
):
    make_volunteer(elder)
    holder = _holder(post, elder, worker)
    with django_assert_max_num_queries(30):
        services.post_hours_record(holder=holder, served_on=timezone.localdate(), hours="2", actor=worker)


def _party_day_yesterday(post, worker, hours=3):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from partybuild.models import PartyActivity
    from tests.factories import ActivityFactory

    from .factories import PartyOrgFactory

    starts = datetime.combine(
        timezone.localdate() - timedelta(days=1), time(9), tzinfo=ZoneInfo("Asia/Shanghai")
    )
    return services.party_activity_save(
        party_activity=PartyActivity(kind="party_day"),
        activity=ActivityFactory.build(
            station=post.station, community=post.community, starts_at=starts,
            ends_at=starts + timedelta(hours=hours), title="七一主题党日",
        ),
        orgs=[PartyOrgFactory(station=post.station)],
        actor=worker,
    )  # fmt: skip


def test_a_volunteer_member_at_a_themed_party_day_gets_its_hours_entered_once(
    points_on, post, elder, person_a, worker, supervisor
):
    volunteer = make_volunteer(elder)
    make_member(elder, worker)
    make_volunteer(person_a)  # a volunteer served at the party day, not a party member: not entered
    day = _party_day_yesterday(post, worker)
    services.party_activity_attend(party_activity=day, people=[elder, person_a], actor=worker)
    services.party_activity_attend(party_activity=day, people=[elder, person_a], actor=worker)  # retried

    record = ServiceRecord.objects.get()
    assert (record.volunteer_id, record.minutes, record.status) == (volunteer.pk, 180, "entered")
    assert "七一主题党日" in record.description
    volunteer_services.service_record_approve(record=record, actor=supervisor)
    volunteer.refresh_from_db()
    assert volunteer.points_balance == 60  # 3 hours x 10, doubled


def test_with_the_setting_off_a_party_day_enters_no_volunteer_hours(post, elder, worker):
    make_volunteer(elder)
    make_member(elder, worker)
    day = _party_day_yesterday(post, worker)
    services.party_activity_attend(party_activity=day, people=[elder], actor=worker)
    assert not ServiceRecord.objects.exists()
