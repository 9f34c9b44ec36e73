"""What each user may read on the incubation platform. Other apps (projects) use ``org_list_visible_to`` and
``org_get_for_user`` to refer to an organisation.

An organisation belongs to its home community: station staff read their station's, a cadre their
communities' (anything else is a 404), district viewers figures only.
"""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from station import selectors as station_selectors
from station.models import Activity, Attendance, Person, Rubric

from .models import (
    AnnualReview,
    CapacityAssessment,
    CommunityOrg,
    Filing,
    Membership,
    NeedsSurvey,
    OrgActivity,
    Stage,
    StageMove,
)


def _community_scoped(qs: QuerySet, user, field: str) -> QuerySet:
    return station_selectors.rows_about_people_visible_to(user, qs, field)


def org_list_visible_to(user, queryset=None) -> QuerySet[CommunityOrg]:
    qs = CommunityOrg.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "community")


def org_get_for_user(user, pk) -> CommunityOrg:
    """The organisation, or 404 when out of the user's scope."""
    return get_object_or_404(
        org_list_visible_to(user).select_related("community", "station", "stage", "worker"), pk=pk
    )


def membership_list_visible_to(user, queryset=None) -> QuerySet[Membership]:
    qs = Membership.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "org__community")


def filing_list_visible_to(user, queryset=None) -> QuerySet[Filing]:
    qs = Filing.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "org__community")


def filing_get_for_user(user, pk) -> Filing:
    return get_object_or_404(
        filing_list_visible_to(user).select_related("org__community", "org__station"), pk=pk
    )


def stage_move_list_visible_to(user, queryset=None) -> QuerySet[StageMove]:
    qs = StageMove.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "org__community")


def assessment_list_visible_to(user, queryset=None) -> QuerySet[CapacityAssessment]:
    qs = CapacityAssessment.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "org__community")


def annual_review_list_visible_to(user, queryset=None) -> QuerySet[AnnualReview]:
    qs = AnnualReview.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "org__community")


def survey_list_visible_to(user, queryset=None) -> QuerySet[NeedsSurvey]:
    qs = NeedsSurvey.objects.all() if queryset is None else queryset
    return _community_scoped(qs, user, "community")


def org_activity_list_visible_to(user, queryset=None) -> QuerySet[OrgActivity]:
    qs = OrgActivity.objects.all() if queryset is None else queryset
    return qs.filter(activity__in=station_selectors.activity_list_visible_to(user))


def stage_list_visible_to(user, queryset=None) -> QuerySet[Stage]:
    qs = Stage.objects.all() if queryset is None else queryset
    ids = station_selectors.station_ids_for(user)
    return qs if ids is None else qs.filter(station_id__in=ids)


def capacity_rubrics_for(user) -> QuerySet[Rubric]:
    return station_selectors.rubric_list_visible_to(user).filter(
        purpose=Rubric.Purpose.CAPACITY, is_template=True
    )


# ---------------------------------------------------------------- the board and the leaders


def board_for(user) -> list[dict]:
    """Every organisation in incubation, by stage, with its days in the stage and what is still unchecked."""
    orgs = list(
        org_list_visible_to(user)
        .filter(incubation=CommunityOrg.Incubation.IN_PROGRESS)
        .select_related("stage", "community", "worker")
        .order_by("stage__order", "stage_since", "pk")
    )
    stages = list(stage_list_visible_to(user).filter(station__in={o.station_id for o in orgs} or [0]))
    from django.conf import settings

    now = timezone.now()
    columns = {s.pk: {"stage": s, "orgs": []} for s in sorted(stages, key=lambda s: (s.station_id, s.order))}
    for org in orgs:
        days = (now - org.stage_since).days if org.stage_since else 0
        columns.setdefault(org.stage_id, {"stage": org.stage, "orgs": []})["orgs"].append(
            {
                "org": org,
                "days": days,
                "unchecked": org.unchecked_items,
                "stuck": days > settings.ORGS_STUCK_AFTER_DAYS,
            }
        )
    return list(columns.values())


def leaders_of(orgs_qs) -> QuerySet[Membership]:
    return Membership.objects.filter(org__in=orgs_qs, role=Membership.Role.LEADER, left_on__isnull=True)


def leader_paths(user, org: CommunityOrg) -> list[dict]:
    """For each current leader: where they came from (a volunteer since…, hours served, trainings attended)."""
    from volunteers import selectors as volunteer_selectors

    leaders = list(
        membership_list_visible_to(user)
        .filter(org=org, role=Membership.Role.LEADER, left_on__isnull=True)
        .select_related("person")
    )
    person_ids = [m.person_id for m in leaders]
    facts = volunteer_selectors.volunteer_facts(person_ids)  # one query however many leaders
    trainings = dict(
        Attendance.objects.filter(
            person_id__in=person_ids,
            activity__platform=Activity.Platform.ORGS,
            activity__org_activity__kind=OrgActivity.Kind.TRAINING,
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    paths = []
    for membership in leaders:
        joined_on, minutes = facts.get(membership.person_id, (None, None))
        paths.append(
            {
                "membership": membership,
                "person": membership.person,
                "volunteer_since": joined_on,
                "hours": round(minutes / 60, 1) if minutes is not None else None,
                "trainings": trainings.get(membership.person_id, 0),
            }
        )
    return paths


def leaders_from_volunteers_count(user) -> int:
    """How many distinct people lead an organisation the user may see and are (or were) its volunteers."""
    from volunteers import selectors as volunteer_selectors

    volunteer_people = volunteer_selectors.volunteer_list_visible_to(user).values("person_id")
    return (
        leaders_of(org_list_visible_to(user))
        .filter(person_id__in=volunteer_people)
        .values("person_id")
        .distinct()
        .count()
    )


def leader_candidates(user, community, limit: int = 10) -> list[dict]:
    """People worth growing into leaders, each with the reason: the volunteers with the most approved hours
    in the community, and the residents who attend the station's activities most often."""
    from volunteers import selectors as volunteer_selectors

    candidates: dict[int, dict] = {}
    volunteers = list(
        volunteer_selectors.volunteer_list_visible_to(user)
        .filter(person__community=community)
        .select_related("person")[:200]
    )
    facts = volunteer_selectors.volunteer_facts([v.person_id for v in volunteers])
    ranked = sorted(
        ((round(facts.get(v.person_id, (None, 0))[1] / 60, 1), v) for v in volunteers),
        key=lambda pair: -pair[0],
    )
    for hours, volunteer in ranked[:limit]:
        if hours:
            candidates[volunteer.person_id] = {
                "person": volunteer.person,
                "reasons": [_("%(hours)s approved volunteer hours") % {"hours": hours}],
                "hours": hours,
                "attended": 0,
            }
    frequent = (
        Attendance.objects.filter(
            person__in=station_selectors.person_list_visible_to(user).filter(community=community)
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=3)
        .order_by("-n")[:limit]
    )
    rows = {row["person_id"]: row["n"] for row in frequent}
    people = Person.objects.in_bulk(list(rows))
    for person_id, n in rows.items():
        entry = candidates.setdefault(
            person_id, {"person": people[person_id], "reasons": [], "hours": 0, "attended": 0}
        )
        entry["attended"] = n
        entry["reasons"].append(_("attended %(n)d activities") % {"n": n})
    leaders = set(
        Membership.objects.filter(
            person_id__in=candidates, role=Membership.Role.LEADER, left_on__isnull=True
        ).values_list("person_id", flat=True)
    )
    return sorted(
        (c for pid, c in candidates.items() if pid not in leaders),
        key=lambda c: (-c["hours"], -c["attended"]),
    )[:limit]


def leader_candidates_by_community(user, limit: int = 5) -> list[dict]:
    """For each community the user may see: its leader candidates with their reasons (the board shows them)."""
    return [
        {"community": community, "candidates": leader_candidates(user, community, limit=limit)}
        for community in station_selectors.community_list_visible_to(user).order_by(
            "station_id", "name", "pk"
        )
    ]


def orgs_of_person(user, person) -> QuerySet[Membership]:
    return (
        membership_list_visible_to(user)
        .filter(person=person)
        .select_related("org")
        .order_by("left_on", "-joined_on")
    )


def active_member_count(org) -> int:
    return org.memberships.filter(left_on__isnull=True).count()
