"""What each user may read on the party-building platform.

A member's political status is sensitive: only station staff read members, a cadre only their own
communities'; district viewers read figures only; volunteers (and anyone without a staff role) read nothing.
"""

from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from station import selectors as station_selectors
from station.models import Activity, Attendance, Need
from station.roles import Role, profile_of

from .models import (
    Course,
    CourseAttendance,
    CourseSession,
    MemberReport,
    PartyActivity,
    PartyMember,
    PartyOrg,
    PostHolder,
    PostHours,
    PracticeBase,
    QuarterlySheet,
    ServicePost,
    UnitReport,
)


def _no_people(user) -> bool:
    """District viewers read figures only."""
    profile = profile_of(user)
    return profile is not None and profile.role == Role.DISTRICT_VIEWER


def _community_scoped(qs: QuerySet, user, field: str) -> QuerySet:
    return station_selectors.rows_about_people_visible_to(user, qs, field)


def _station_scoped(qs: QuerySet, user, field: str = "station_id") -> QuerySet:
    if _no_people(user) or (profile_of(user) is None and not getattr(user, "is_superuser", False)):
        return qs.none()
    ids = station_selectors.station_ids_for(user)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def _staff_only(qs: QuerySet, user, field: str = "station_id") -> QuerySet:
    """Station staff of the station (and superusers); cadres and viewers see none."""
    return station_selectors.rows_of_station_staff(user, qs, field)


def party_org_list_visible_to(user, queryset=None) -> QuerySet[PartyOrg]:
    return _station_scoped(PartyOrg.objects.all() if queryset is None else queryset, user)


def member_list_visible_to(user, queryset=None) -> QuerySet[PartyMember]:
    qs = PartyMember.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "person__community")


def member_get_for_user(user, pk) -> PartyMember:
    return get_object_or_404(member_list_visible_to(user).select_related("person__community", "org"), pk=pk)


def member_report_list_visible_to(user, queryset=None) -> QuerySet[MemberReport]:
    qs = MemberReport.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "member__person__community")


def unit_report_list_visible_to(user, queryset=None) -> QuerySet[UnitReport]:
    qs = UnitReport.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "community")


def service_post_list_visible_to(user, queryset=None) -> QuerySet[ServicePost]:
    qs = ServicePost.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "community")


def service_post_get_for_user(user, pk) -> ServicePost:
    return get_object_or_404(service_post_list_visible_to(user).select_related("community"), pk=pk)


def post_holder_list_visible_to(user, queryset=None) -> QuerySet[PostHolder]:
    qs = PostHolder.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "member__person__community")


def post_hours_list_visible_to(user, queryset=None) -> QuerySet[PostHours]:
    qs = PostHours.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "holder__member__person__community")


def practice_base_list_visible_to(user, queryset=None) -> QuerySet[PracticeBase]:
    return _station_scoped(PracticeBase.objects.all() if queryset is None else queryset, user)


def party_activity_list_visible_to(user, queryset=None) -> QuerySet[PartyActivity]:
    qs = PartyActivity.objects.all() if queryset is None else queryset
    if _no_people(user):
        return qs.none()
    return qs.filter(activity__in=station_selectors.activity_list_visible_to(user))


def course_list_visible_to(user, queryset=None) -> QuerySet[Course]:
    return _staff_only(Course.objects.all() if queryset is None else queryset, user)


def course_session_list_visible_to(user, queryset=None) -> QuerySet[CourseSession]:
    return _staff_only(
        CourseSession.objects.all() if queryset is None else queryset, user, "course__station_id"
    )


def course_attendance_list_visible_to(user, queryset=None) -> QuerySet[CourseAttendance]:
    qs = CourseAttendance.objects.all() if queryset is None else queryset
    return _staff_only(qs, user, "session__course__station_id")


def sheet_list_visible_to(user, queryset=None) -> QuerySet[QuarterlySheet]:
    return _staff_only(QuarterlySheet.objects.all() if queryset is None else queryset, user)


def wish_wall_for(user) -> QuerySet[Need]:
    """The 微心愿 wall: open needs of the user's communities, to be shown without the resident's full name,
    ID number or address (see ``masked_name``)."""
    needs = Need.objects.filter(status=Need.Status.OPEN).select_related("person__community")
    return _community_scoped(needs, user, "person__community").order_by("-raised_at")


def masked_name(name: str) -> str:
    """张桂兰 -> 张**: the surname only."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


# Figures about members --------------------------------------------------------------------------------------


def member_content_type():
    return ContentType.objects.get_for_model(PartyMember)


def needs_of_member(member: PartyMember) -> QuerySet[Need]:
    return Need.objects.filter(taker_type=member_content_type(), taker_id=member.pk)


def study_hours_by_year(person) -> dict[int, Decimal]:
    """A person's study hours (学时) per calendar year of each session's date."""
    rows = (
        CourseAttendance.objects.filter(person=person)
        .values_list("session__held_on__year")
        .annotate(h=Sum("session__study_hours"))
        .order_by()
    )
    return {year: hours or Decimal("0") for year, hours in rows}


def service_hours_in_year(member: PartyMember, year: int) -> Decimal:
    """Hours served on posts plus the length of the themed party days attended, in the calendar year."""
    posts = PostHours.objects.filter(holder__member=member, served_on__year=year).aggregate(h=Sum("hours"))[
        "h"
    ]
    total = posts or Decimal("0")
    first, end = date(year, 1, 1), date(year + 1, 1, 1)
    for activity in _party_days(first, end).filter(attendances__person_id=member.person_id):
        total += Decimal(int((activity.ends_at - activity.starts_at).total_seconds() // 60)) / 60
    return total.quantize(Decimal("0.1"))


def _party_days(first: date, end: date) -> QuerySet[Activity]:
    from station.periods import Period

    period = Period(station=None, first_day=first, end_day=end)
    return Activity.objects.filter(
        platform=Activity.Platform.PARTYBUILD, starts_at__gte=period.start, starts_at__lt=period.end
    )


def reporting_members(station, first_day: date, end_day: date) -> QuerySet[PartyMember]:
    """Members whose report was active at some time between the two days (end exclusive)."""
    return (
        PartyMember.objects.filter(
            person__community__station=station,
            reports__active_from__lt=end_day,
        )
        .filter(Q(reports__lapsed_on__isnull=True) | Q(reports__lapsed_on__gte=first_day))
        .distinct()
    )


def quarter_figures(*, station, first_day: date, end_day: date) -> dict:
    """For each reporting member and each reporting unit: hours served, posts held, needs met, party days and
    course sessions attended, study hours. A handful of grouped queries, however many members."""
    from station.periods import Period

    period = Period(station=station, first_day=first_day, end_day=end_day)
    members = dict(reporting_members(station, first_day, end_day).values_list("pk", "person_id"))
    unit_of = dict(
        PartyMember.objects.filter(pk__in=members).exclude(work_unit=None).values_list("pk", "work_unit_id")
    )
    ids = list(members)
    hours = dict(
        PostHours.objects.filter(holder__member_id__in=ids, served_on__gte=first_day, served_on__lt=end_day)
        .values("holder__member_id")
        .annotate(v=Sum("hours"))
        .values_list("holder__member_id", "v")
    )
    posts = dict(
        PostHolder.objects.filter(member_id__in=ids, started_on__lt=end_day, status__in=["holding", "ended"])
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first_day))
        .values("member_id")
        .annotate(v=Count("pk"))
        .values_list("member_id", "v")
    )
    needs = dict(
        Need.objects.filter(
            taker_type=member_content_type(),
            taker_id__in=ids,
            status=Need.Status.MET,
            resolved_at__gte=period.start,
            resolved_at__lt=period.end,
        )
        .values("taker_id")
        .annotate(v=Count("pk"))
        .values_list("taker_id", "v")
    )
    person_ids = list(members.values())
    days = dict(
        Attendance.objects.filter(
            person_id__in=person_ids,
            activity__platform=Activity.Platform.PARTYBUILD,
            activity__starts_at__gte=period.start,
            activity__starts_at__lt=period.end,
        )
        .values("person_id")
        .annotate(v=Count("pk"))
        .values_list("person_id", "v")
    )
    course_rows = (
        CourseAttendance.objects.filter(
            person_id__in=person_ids, session__held_on__gte=first_day, session__held_on__lt=end_day
        )
        .values("person_id")
        .annotate(n=Count("pk"), h=Sum("session__study_hours"))
    )
    courses = {row["person_id"]: (row["n"], row["h"]) for row in course_rows}
    result_members = {}
    for member_id, person_id in members.items():
        sessions, study = courses.get(person_id, (0, Decimal("0")))
        result_members[member_id] = {
            "hours": str(hours.get(member_id) or Decimal("0")),
            "posts": posts.get(member_id, 0),
            "needs_met": needs.get(member_id, 0),
            "party_days": days.get(person_id, 0),
            "course_sessions": sessions,
            "study_hours": str(study or Decimal("0")),
        }
    units = {}
    for unit_id in UnitReport.objects.filter(community__station=station, signed_on__lt=end_day).values_list(
        "unit_id", flat=True
    ):
        units.setdefault(unit_id, {"members": 0, "hours": "0", "posts": 0, "needs_met": 0, "party_days": 0,
                                   "course_sessions": 0, "study_hours": "0"})  # fmt: skip
    for member_id, unit_id in unit_of.items():
        if unit_id not in units:
            continue
        row, mine = units[unit_id], result_members[member_id]
        row["members"] += 1
        for key in ("posts", "needs_met", "party_days", "course_sessions"):
            row[key] += mine[key]
        for key in ("hours", "study_hours"):
            row[key] = str(Decimal(row[key]) + Decimal(mine[key]))
    return {"members": result_members, "units": units}


def branches_missing_party_days(station, month, community=None) -> list[tuple[PartyOrg, int]]:
    """Party branches (active in the month) that held fewer themed party days in the month than the rule
    (PARTYBUILD_PARTY_DAYS_PER_MONTH), with the number they held. One query."""
    from django.conf import settings

    from station.periods import add_months

    end = add_months(month, 1)
    held = Count(
        "party_activities",
        filter=Q(
            party_activities__kind=PartyActivity.Kind.PARTY_DAY,
            party_activities__activity__starts_at__gte=_local_start(month),
            party_activities__activity__starts_at__lt=_local_start(end),
        ),
    )
    branches = (
        PartyOrg.objects.filter(station=station, kind=PartyOrg.Kind.BRANCH)
        .filter(
            Q(active_from__isnull=True) | Q(active_from__lt=end),
            Q(active_to__isnull=True) | Q(active_to__gte=month),
        )
        .annotate(held=held)
        .filter(held__lt=settings.PARTYBUILD_PARTY_DAYS_PER_MONTH)
        .order_by("name")
    )
    if community is not None:
        branches = branches.filter(community=community)
    return [(org, org.held) for org in branches]


def _local_start(day: date):
    from station.periods import Period

    return Period(station=None, first_day=day, end_day=day).start
