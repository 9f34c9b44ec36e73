"""Demo organisations for ``seed_demo``: the seed's three groups at different points of the path (one
graduated and filed, one lifting its team, one growing its leaders), members and leaders (some of them
demo volunteers), a needs survey, trainings and activities, assessments and a review.

Idempotent: a station that already has organisations is left alone.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from station.models import Activity, Attendance, Person, StaffProfile

from . import services
from .models import AnnualReview, CommunityOrg, Membership, NeedsSurvey, OrgActivity

ORGS = [
    # name, category, stages to move past the first, venue, rhythm
    ("丰京苑志愿服务队", "volunteer", 6, "丰京苑社区日间照料中心", "每周三次"),
    ("丰京苑居民议事会", "consultation", 4, "丰京苑社区党群服务中心", "每月一次"),
    ("丰京苑秦腔戏曲队", "arts", 2, "丰京苑社区广场", "每周两次"),
]
SURVEYS = [
    ("volunteer", "希望有人组织邻里互助、帮扶独居老人", 46),
    ("consultation", "希望回迁安置、物业问题有地方商量", 38),
    ("arts", "想成立秦腔戏曲队、广场舞队", 61),
    ("sports", "想组织乒乓球、象棋比赛", 17),
]


def _at(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def seed_orgs(station, rng):
    if CommunityOrg.objects.filter(station=station).exists():
        return []
    staff = {p.role: p.user for p in StaffProfile.objects.filter(station=station).select_related("user")}
    worker = staff.get(StaffProfile.Role.SOCIAL_WORKER)
    approver = staff.get(StaffProfile.Role.SUPERVISOR) or staff.get(StaffProfile.Role.STATION_HEAD)
    if worker is None or approver is None:
        return []
    from volunteers import selectors as volunteer_selectors

    community = station.communities.order_by("pk").first()
    today = timezone.localdate()
    services.stages_ensure_defaults(station=station)
    services.capacity_rubric_template()
    volunteer_people = list(
        volunteer_selectors.volunteer_list_visible_to(worker)
        .filter(person__community=community)
        .order_by("pk")
        .values_list("person_id", flat=True)
    )
    residents = [
        p
        for p in Person.objects.filter(community=community).order_by("pk")[:200]
        if (p.age_on(today) or 0) >= 18
    ]
    volunteers = [p for p in residents if p.pk in set(volunteer_people)]
    others = [p for p in residents if p.pk not in set(volunteer_people)]

    orgs = []
    for index, (name, category, moves, venue, rhythm) in enumerate(ORGS):
        founded = today - timedelta(days=720 - index * 200)
        org = services.org_save(
            org=CommunityOrg(
                station=station, community=community, name=name, category=category, founded_on=founded,
                venue=venue, rhythm=rhythm, worker=worker, loose_since=founded,
                party_link="丰京苑社区党支部" if category != "arts" else "",
            ),
            actor=worker,
        )  # fmt: skip
        orgs.append(org)
        leaders = volunteers[index * 2 : index * 2 + 1] or others[index : index + 1]
        pool = [p for p in (volunteers[6:] + others[5:]) if p not in leaders]
        members = rng.sample(pool, min(len(pool), 12 - index * 2))
        for person in leaders:
            services.membership_add(
                org=org, person=person, role=Membership.Role.LEADER, actor=worker, joined_on=founded
            )
        for i, person in enumerate(members):
            role = Membership.Role.BACKBONE if i < 2 else Membership.Role.MEMBER
            services.membership_add(org=org, person=person, role=role, actor=worker, joined_on=founded)

        # The path: started at founding, one move every couple of months, the last one in the past.
        start = _at(founded)
        services.incubation_start(org=org, actor=worker, done="入户与线上问卷调研", at=start)
        step = timedelta(days=(today - founded).days // (moves + 2))
        for n in range(moves):
            org.refresh_from_db()
            services.stage_check(org=org, items=org.stage.checklist_items, actor=worker)
            services.stage_advance(
                org=org, done=f"完成{org.stage.name}阶段工作", actor=worker, at=start + step * (n + 1)
            )
        org.refresh_from_db()

    # The graduated group is filed with the street.
    graduated = orgs[0]
    filing = services.filing_open(org=graduated, actor=worker, materials=["application", "charter", "roster"])
    services.filing_submit(filing=filing, actor=worker)
    services.filing_community_review(filing=filing, opinion="社区两委同意备案", actor=worker)
    services.filing_approve(
        filing=filing,
        number=f"GQJD-{today.year - 1}-001",
        filed_on=today - timedelta(days=200),
        actor=approver,
    )

    for category, wish, asked in SURVEYS:
        started = next((o for o in orgs if o.category == category), None)
        services.survey_record(
            survey=NeedsSurvey(station=station, community=community, category=category, wish=wish,
                               asked_count=asked, surveyed_on=today - timedelta(days=740), org=started),
            actor=worker,
        )  # fmt: skip

    leaders = set(
        Membership.objects.filter(org__in=orgs, role__in=["leader", "backbone"]).values_list(
            "person_id", flat=True
        )
    )
    for months_back, title in ((10, "社区社会组织负责人能力培训"), (4, "活动策划与记录培训")):
        day = today - timedelta(days=30 * months_back)
        training = services.org_activity_save(
            org_activity=OrgActivity(kind=OrgActivity.Kind.TRAINING),
            activity=Activity(station=station, title=title, community=community, starts_at=_at(day),
                              ends_at=_at(day, 11), place="社工站活动室"),
            actor=worker,
        )  # fmt: skip
        Attendance.objects.bulk_create(Attendance(activity=training.activity, person_id=pk) for pk in leaders)

    activity_titles = {
        "volunteer": ["独居老人助餐配送", "楼道清洁日", "重阳节敬老探访"],
        "consultation": ["回迁安置问题议事会", "停车难协商会"],
        "arts": ["秦腔进社区演出"],
    }
    for org in orgs:
        member_ids = list(org.memberships.values_list("person_id", flat=True))
        for n, title in enumerate(activity_titles[org.category]):
            day = today - timedelta(days=20 + 45 * n)
            saved = services.org_activity_save(
                org_activity=OrgActivity(org=org, role=OrgActivity.Role.PROVIDER),
                activity=Activity(station=station, title=title, community=community, starts_at=_at(day, 14),
                                  ends_at=_at(day, 16), place=org.venue, headcount=rng.randint(15, 60)),
                actor=worker,
            )  # fmt: skip
            Attendance.objects.bulk_create(
                Attendance(activity=saved.activity, person_id=pk) for pk in member_ids[:6]
            )
    day = today - timedelta(days=90)
    services.org_activity_save(
        org_activity=OrgActivity(org=orgs[1], role=OrgActivity.Role.PARTICIPANT),
        activity=Activity(station=station, title="街道平安建设宣传", community=community, starts_at=_at(day),
                          ends_at=_at(day, 11), headcount=40),
        actor=worker,
    )  # fmt: skip

    for org, scores in (
        (orgs[0], [(12, 18, 17, 14), (18, 26, 27, 18)]),
        (orgs[1], [(10, 15, 14, 12)]),
        (orgs[2], [(8, 10, 9, 12)]),
    ):
        for n, values in enumerate(scores):
            services.assessment_record(
                org=org, occasion="intake" if n == 0 else "review", actor=worker,
                scores=dict(zip(["基础条件", "内部治理", "工作绩效", "社会评价"], values, strict=True)),
                assessed_on=org.founded_on + timedelta(days=30 + 300 * n),
            )  # fmt: skip
    services.annual_review_record(
        review=AnnualReview(org=orgs[0], year=today.year - 1, committees_satisfaction=96, residents_satisfaction=92,
                            units_satisfaction=90, assessment=orgs[0].assessments.order_by("-assessed_on").first(),
                            result=AnnualReview.Result.PASSED, note="服务常态化，群众认可度高"),
        actor=worker,
    )  # fmt: skip
    return []
