"""Demo party building for ``seed_demo``: 丰京苑社区's party committee and branches with 113 members, a few
dozen reporting, three resident units with their branches and practice bases, service posts with holders and
hours, two-way courses, two months of themed party days, needs taken and met by members, last quarter's
sheets.

Idempotent: a station that already has the community's party committee is left alone. Fast: people and
members are written in bulk; the rules that matter (reports, posts, needs) go through the services.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from station.models import Activity, Attendance, Need, PartnerUnit, Person, StaffProfile
from station.periods import previous_quarter
from station.services import need_raise

from . import services
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
    ServicePost,
    UnitReport,
)

MEMBERS = 113
REPORTING = 36
UNITS = [
    ("沣东新城管委会机关", PartnerUnit.Kind.GOVERNMENT, "机关党支部", "党员干部下沉社区、政策宣讲"),
    ("高桥中心小学", PartnerUnit.Kind.SCHOOL, "高桥中心小学党支部", "四点半课堂、家庭教育讲座"),
    ("沣东人民医院", PartnerUnit.Kind.HOSPITAL, "沣东人民医院党支部", "义诊、健康讲座、慢病随访"),
]
SKILLS = ["法律咨询", "调解", "医疗护理", "健康讲座", "辅导功课", "水电维修", "理发", "书法", "摄影",
          "心理辅导", "政策宣讲", "驾驶", "文艺演出", "电脑维修", "助老助餐"]  # fmt: skip
POSTS = [
    ("法律咨询岗", "legal", "法律咨询,调解", "每周六上午", 3),
    ("楼栋平安巡逻岗", "patrol", "驾驶", "每晚19点", 6),
    ("健康义诊岗", "health", "医疗护理,健康讲座", "每月第一个周日", 4),
    ("四点半课堂辅导岗", "assistance", "辅导功课,心理辅导", "工作日下午", 4),
    ("邻里调解岗", "governance", "调解,法律咨询", "周末", 2),
    ("文化活动岗", "culture", "文艺演出,书法,摄影", "周末", 3),
]
AVAILABILITY = ["周六上午", "周末", "工作日下午", "每晚19点", "每月第一个周日", ""]
NEEDS = [
    (Need.Category.HOUSING, "卫生间水管漏水，需上门维修"),
    (Need.Category.LEGAL, "赡养费纠纷，想咨询法律意见"),
    (Need.Category.HEALTH, "腿脚不便，需要上门量血压"),
    (Need.Category.CHILD, "孩子放学后无人辅导作业"),
    (Need.Category.DAILY_CARE, "独居老人希望有人每周陪同买菜"),
    (Need.Category.PSYCHOLOGICAL, "老伴去世后情绪低落，希望有人聊天"),
    (Need.Category.HOUSING, "楼道灯坏了，需要更换"),
    (Need.Category.OTHER, "微心愿：想要一台收音机"),
]


def _aware(day, at):
    return datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def seed_partybuild(station, rng):
    community = station.communities.order_by("pk").first()
    if community is None or PartyOrg.objects.filter(station=station, name=f"{community.name}党委").exists():
        return []
    profile = StaffProfile.objects.filter(station=station, role=StaffProfile.Role.SOCIAL_WORKER).first()
    if profile is None:
        return []
    actor = profile.user
    today = timezone.localdate()

    committee = services.party_org_save(
        org=PartyOrg(station=station, name=f"{community.name}党委", kind=PartyOrg.Kind.COMMITTEE,
                     owner=PartyOrg.Owner.COMMUNITY, community=community, secretary="韩书记"),
        actor=actor,
    )  # fmt: skip
    branches = [
        services.party_org_save(
            org=PartyOrg(
                station=station,
                name=f"{community.name}第{n}党支部",
                kind=PartyOrg.Kind.BRANCH,
                owner=PartyOrg.Owner.COMMUNITY,
                community=community,
                parent=committee,
            ),
            actor=actor,
        )  # fmt: skip
        for n in ("一", "二", "三")
    ]
    units, unit_branches = [], []
    for name, kind, branch_name, offers in UNITS:
        unit, _ = PartnerUnit.objects.get_or_create(
            station=station,
            name=name,
            defaults={"kind": kind, "resident_unit": True, "contact_person": "党务专干"},
        )
        units.append(unit)
        branch = services.party_org_save(
            org=PartyOrg(station=station, name=branch_name, kind=PartyOrg.Kind.BRANCH,
                         owner=PartyOrg.Owner.RESIDENT_UNIT, unit=unit),
            actor=actor,
        )  # fmt: skip
        unit_branches.append(branch)
        services.practice_base_save(
            base=PracticeBase(station=station, unit=unit, party_org=branch, name=f"{name}党建实践基地",
                              agreement_from=today - timedelta(days=400), agreement_to=today + timedelta(days=700),
                              offers=offers, contact_person="党务专干", phone="029-8888000"),
            actor=actor,
        )  # fmt: skip
        services.unit_report_save(
            report=UnitReport(unit=unit, party_org=branch, community=community,
                              signed_on=today - timedelta(days=300), receipt_on=today - timedelta(days=295),
                              needs_sheet="希望社区提供志愿服务岗位", resources_sheet=offers, contact_person="党务专干"),
            actor=actor,
        )  # fmt: skip

    # People: adults of the community first, then of the station's other villages and communities (members
    # serving in the community need not live there). No new people: the demo's residents are the core's;
    # with the default 300 residents there are 113 members, with fewer every adult is one.
    taken = set(PartyMember.objects.values_list("person_id", flat=True))
    candidates = Person.objects.filter(community__station=station).order_by("pk")
    adults = [p for p in candidates if p.pk not in taken and (p.age_on(today) or 0) >= 20]
    adults.sort(key=lambda p: (p.community_id != community.pk, p.pk))
    people = adults[:MEMBERS]
    links = [PartyMember.Link.COMMUNITY] * 5 + [PartyMember.Link.RETIRED] * 3 + [
        PartyMember.Link.ON_DUTY, PartyMember.Link.SENT_DOWN, PartyMember.Link.FLOATING]  # fmt: skip
    members = []
    for index, person in enumerate(people):
        link = rng.choice(links)
        unit_index = index % 3 if link in (PartyMember.Link.ON_DUTY, PartyMember.Link.SENT_DOWN) else None
        members.append(
            PartyMember(
                person=person,
                link=link,
                org=unit_branches[unit_index] if unit_index is not None else branches[index % 3],
                work_unit=units[unit_index] if unit_index is not None else None,
                skills=",".join(rng.sample(SKILLS, rng.randint(1, 3))),
                availability=rng.choice(AVAILABILITY),
                preferences=rng.choice(["助老", "助学", "调解", "环境整治", ""]),
                joined_on=today - timedelta(days=rng.randint(30, 900)),
            )
        )
    PartyMember.objects.bulk_create(members)
    members = list(
        PartyMember.objects.filter(person__community__station=station).select_related("person__community")
    )
    rng.shuffle(members)

    # Reports, written in bulk in their final states (the services' table is tested; the demo needs speed):
    # most reporting members active (a few due within a month), some waiting, two past the deadline.
    reporting = members[:REPORTING]
    months = settings.PARTYBUILD_REREPORT_MONTHS
    reports = []
    for index, member in enumerate(reporting):
        report = MemberReport(member=member, community=community, submitted_on=today - timedelta(days=200))
        if index < REPORTING - 3:
            report.status, report.accepted_on = MemberReport.Status.ACCEPTED, today - timedelta(days=199)
        if index < REPORTING - 6:
            if index < 2:
                days = 200  # past the deadline: the lapse below catches them
            elif index < 6:
                days = 180 - rng.randint(5, 25)  # the deadline is within a month
            else:
                days = rng.randint(10, 150)
            report.status = MemberReport.Status.ACTIVE
            report.active_from = report.last_reported_on = today - timedelta(days=days)
            report.deadline = services.add_months(report.active_from, months)
        reports.append(report)
    MemberReport.objects.bulk_create(reports)
    services.reports_lapse_due(today=today)
    active_ids = set(
        MemberReport.objects.filter(status=MemberReport.Status.ACTIVE, community=community).values_list(
            "member_id", flat=True
        )
    )
    active = [m for m in reporting if m.pk in active_ids]

    # Posts through the service; holders, hours, party days and courses in bulk (demo data, fast on any
    # database; the services that write them one by one are tested on their own).
    posts = []
    for index, (title, category, skills, schedule, places) in enumerate(POSTS):
        posts.append(
            services.service_post_save(
                post=ServicePost(station=station, community=community, title=title, category=category,
                                 skills_needed=skills, schedule=schedule, places=places,
                                 offered_by_org=committee if index % 2 else None,
                                 offered_by_unit=units[index % 3] if index % 2 == 0 else None,
                                 published_from=today - timedelta(days=90)),
                actor=actor,
            )
        )  # fmt: skip
    holders = [
        PostHolder(post=posts[index % len(posts)], member=member, how=PostHolder.How.ASSIGNED,
                   status=PostHolder.Status.HOLDING, started_on=today - timedelta(days=60), match_reason="社工安排")
        for index, member in enumerate(active[:12])
    ]  # fmt: skip
    PostHolder.objects.bulk_create(holders)
    holders = list(PostHolder.objects.filter(post__in=posts).select_related("post"))
    PostHours.objects.bulk_create(
        [
            PostHours(holder=holder, served_on=today - timedelta(days=back), hours=Decimal(rng.choice(["1.5", "2", "3"])),
                      note=holder.post.title, recorded_by=actor)
            for holder in holders
            for back in rng.sample(range(1, 59), 3)
        ]
    )  # fmt: skip

    # Two months of themed party days, one for each community branch and two for the units.
    bases = {base.unit_id: base for base in PracticeBase.objects.filter(station=station)}
    month_start = today.replace(day=1)
    planned = []
    for first in ((month_start - timedelta(days=1)).replace(day=1), month_start):
        for index, org in enumerate([*branches, *unit_branches[:2]]):
            day = first + timedelta(days=min(2 + 3 * index, 27))
            if day > today:
                day = first
            starts = _aware(day, time(9, 0))
            activity = Activity(station=station, platform=Activity.Platform.PARTYBUILD,
                                kind=PartyActivity.Kind.PARTY_DAY, community=community, title=f"{org.name}主题党日",
                                starts_at=starts, ends_at=starts + timedelta(hours=3), organiser=actor,
                                place=f"{community.name}党群服务中心", headcount=rng.randint(5, 20))  # fmt: skip
            planned.append((activity, org, bases.get(org.unit_id) if org.unit_id else None))
    activities = Activity.objects.bulk_create([a for a, _org, _base in planned])
    days = PartyActivity.objects.bulk_create(
        [
            PartyActivity(activity=activity, kind=PartyActivity.Kind.PARTY_DAY, base=base,
                          summary="重温入党誓词，入户走访困难群众")
            for activity, (_a, _org, base) in zip(activities, planned, strict=True)
        ]
    )  # fmt: skip
    PartyActivity.orgs.through.objects.bulk_create(
        [PartyActivity.orgs.through(partyactivity_id=d.pk, partyorg_id=org.pk) for d, (_a, org, _b) in zip(days, planned, strict=True)]
    )  # fmt: skip
    Attendance.objects.bulk_create(
        [Attendance(activity=a, person=m.person) for a in activities for m in rng.sample(members, 12)]
    )

    # Two-way courses, each with three sessions.
    sessions = []
    for title, audience, teacher in (
        ("党员社工课：走访与倾听", Course.Audience.MEMBERS, "李社工"),
        ("社工党员课：基层党建理论", Course.Audience.SOCIAL_WORKERS, "街道党工委"),
    ):
        course = services.course_save(
            course=Course(station=station, title=title, audience=audience, teacher=teacher), actor=actor
        )
        for n, (back, length) in enumerate(((50, "half_day"), (30, "hours"), (10, "full_day"))):
            day = today - timedelta(days=back)
            starts = _aware(day, time(9, 0))
            ends = starts + timedelta(hours={"half_day": 3, "hours": 2, "full_day": 8}[length])
            sessions.append(
                CourseSession(course=course, starts_at=starts, ends_at=ends, length=length, teacher=teacher,
                              topic=f"第{n + 1}讲", held_on=day, study_hours=services.study_hours_for(length, starts, ends))
            )  # fmt: skip
    sessions = CourseSession.objects.bulk_create(sessions)
    CourseAttendance.objects.bulk_create(
        [
            CourseAttendance(session=session, person=m.person)
            for session in sessions
            if session.course.audience == Course.Audience.MEMBERS
            for m in rng.sample(members, 15)
        ]
    )

    # Needs: members take and meet most; the rest stay on the wish wall.
    member_people = {m.person_id for m in members}
    residents = [p for p in candidates if p.pk not in member_people]
    residents.sort(key=lambda p: (p.community_id != community.pk, p.pk))
    for index, (category, description) in enumerate(NEEDS):
        if not residents or not active:
            break
        need = need_raise(person=residents[index % len(residents)], category=category, description=description,
                          source=Need.Source.CADRE, actor=actor)  # fmt: skip
        if index < 5:
            member = active[index % len(active)]
            services.need_take_by_member(need=need, member=member, actor=actor)
            if index < 4:
                services.need_meet_by_member(need=need, outcome=f"{member.person.name}上门解决", actor=actor)

    year, quarter = previous_quarter(today)
    services.quarterly_sheets_make(station=station, year=year, quarter=quarter)
    return []
