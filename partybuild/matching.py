"""Supply and demand (供需对接): a ranked list of members who fit a post or a need, with the reason in words.

Score: 3 for each skill in common, 2 for living in the same community, 1 when the availability mentions a
word of the post's schedule, minus 1 for each service already given this quarter (so the work is spread).
Ties go to the member with fewer services, then by name. Reads only: the worker assigns from the list.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.models import Activity, Attendance, Need
from station.periods import Period, quarter_bounds, quarter_of

from . import selectors
from .models import MemberReport, PartyMember, PostHours, ServicePost, skill_tokens

# The skills a need of each category calls for (a shared core skills vocabulary is the follow-up).
NEED_SKILLS = {
    Need.Category.DAILY_CARE: "助老,助餐,生活照料,家政",
    Need.Category.HEALTH: "健康医疗,医疗,护理,医疗护理",
    Need.Category.INCOME: "就业指导,政策咨询",
    Need.Category.HOUSING: "维修,水电维修,家电维修",
    Need.Category.CHILD: "辅导功课,教育,心理辅导",
    Need.Category.PSYCHOLOGICAL: "心理辅导,心理咨询,陪伴",
    Need.Category.LEGAL: "法律咨询,法律,调解",
    Need.Category.EMPLOYMENT: "就业指导,技能培训",
    Need.Category.OTHER: "",
}


@dataclass
class Match:
    member: PartyMember
    score: int
    skills: list[str]
    same_community: bool
    available: bool
    busy: int
    reason: str


def _busy_this_quarter(member_ids, person_ids) -> tuple[dict, dict]:
    """Services each member gave this quarter: days on posts, needs taken, party days attended."""
    first, end = quarter_bounds(*quarter_of(timezone.localdate()))

    period = Period(station=None, first_day=first, end_day=end)
    busy = dict(
        PostHours.objects.filter(holder__member_id__in=member_ids, served_on__gte=first, served_on__lt=end)
        .values("holder__member_id")
        .annotate(v=Count("pk"))
        .values_list("holder__member_id", "v")
    )
    needs = (
        Need.objects.filter(
            taker_type=selectors.member_content_type(),
            taker_id__in=member_ids,
            taken_at__gte=period.start,
            taken_at__lt=period.end,
        )
        .values("taker_id")
        .annotate(v=Count("pk"))
        .values_list("taker_id", "v")
    )
    for member_id, n in needs:
        busy[member_id] = busy.get(member_id, 0) + n
    by_person = dict(
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
    return busy, by_person


def rank(
    *, wanted: set[str], community, schedule: str, user, station_id, limit: int | None = None
) -> list[Match]:
    members = list(
        selectors.member_list_visible_to(user)
        .filter(person__community__station_id=station_id)
        .select_related("person__community")
        .order_by("person__name", "pk")
    )
    lapsed = set(
        MemberReport.objects.filter(status=MemberReport.Status.LAPSED).values_list("member_id", flat=True)
    ) - set(MemberReport.objects.filter(status__in=MemberReport.CURRENT).values_list("member_id", flat=True))
    members = [m for m in members if m.pk not in lapsed]  # lapsed members report anew before serving
    busy, by_person = _busy_this_quarter([m.pk for m in members], [m.person_id for m in members])
    schedule_words = skill_tokens(schedule)
    matches = []
    with translation.override(settings.LANGUAGE_CODE):
        for member in members:
            common = sorted(token for token in member.skill_set if token in wanted)
            same = community is not None and member.person.community_id == community.pk
            available = bool(schedule_words & skill_tokens(member.availability))
            n = busy.get(member.pk, 0) + by_person.get(member.person_id, 0)
            score = 3 * len(common) + 2 * same + available - n
            if not common and not same:
                continue  # neither skills nor neighbourhood: not a fit
            words = []
            if common:
                words.append(_("skills: %(skills)s") % {"skills": "、".join(common)})
            if same:
                words.append(_("lives in %(community)s") % {"community": community.name})
            if available:
                words.append(_("available: %(when)s") % {"when": member.availability})
            words.append(_("served %(n)d times this quarter") % {"n": n})
            matches.append(Match(member, score, common, same, available, n, "；".join(words)))
    matches.sort(key=lambda m: (-m.score, m.busy, m.member.person.name, m.member.pk))
    return matches[:limit] if limit else matches


def match_for_post(post: ServicePost, user, limit: int | None = None) -> list[Match]:
    taken = set(post.holders.filter(status__in=["applied", "holding"]).values_list("member_id", flat=True))
    matches = rank(
        wanted=post.skill_set,
        community=post.community,
        schedule=post.schedule,
        user=user,
        station_id=post.station_id,
        limit=None,
    )
    matches = [m for m in matches if m.member.pk not in taken]
    return matches[:limit] if limit else matches


def match_for_need(need: Need, user, limit: int | None = None) -> list[Match]:
    wanted = skill_tokens(NEED_SKILLS.get(need.category, "")) | skill_tokens(str(need.get_category_display()))
    return rank(
        wanted=wanted,
        community=need.person.community,
        schedule="",
        user=user,
        station_id=need.person.community.station_id,
        limit=limit,
    )
