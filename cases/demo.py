"""Demo casework for ``seed_demo``: a watch list, three months of visits, cases at every stage, groups, needs.

Scaled on the seed's monthly report (148 phone visits, 43 home visits, 9 cases, 58 group sessions).
Idempotent: a station that already has visits is left alone.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from station import services as station_services
from station.models import Designation, Person, StaffProfile

from . import selectors, services
from .models import Case, Group, Visit, WatchEntry

TIERS = {
    Designation.Kind.EXTREME_POVERTY: "high",
    Designation.Kind.LIVING_ALONE_ELDERLY: "high",
    Designation.Kind.DISABLED: "key",
    Designation.Kind.LOW_INCOME: "ordinary",
    Designation.Kind.LEFT_BEHIND_CHILD: "key",
}
FINDINGS = ["精神状态良好", "血压偏高，已提醒按时服药", "家中整洁，饮食正常", "腿脚不便，行动需要搀扶",
            "情绪低落，需要陪伴", "子女近期未回家探望", "屋内电线老化", "独自在家，邻里照应较好"]  # fmt: skip
NEEDS = [("daily_care", "需要助餐服务"), ("health", "需要陪同就医"), ("housing", "屋顶漏雨需维修"),
         ("psychological", "希望有人定期聊天"), ("income", "咨询临时救助申请"), ("child", "孩子作业无人辅导")]  # fmt: skip


def _staff(station, role):
    return [p.user for p in StaffProfile.objects.filter(station=station, role=role).select_related("user")]


@transaction.atomic
def seed_casework(station, rng):
    if Visit.objects.filter(person__community__station=station).exists():
        return []
    workers = _staff(station, StaffProfile.Role.SOCIAL_WORKER)
    supervisors = _staff(station, StaffProfile.Role.SUPERVISOR) or _staff(
        station, StaffProfile.Role.STATION_HEAD
    )
    if not workers or not supervisors:
        return []
    today = timezone.localdate()
    designations = (
        Designation.objects.filter(
            person__community__station=station, kind__in=list(TIERS), end_date__isnull=True
        )
        .select_related("person")
        .order_by("person_id", "kind")
    )
    watched = {}
    for d in designations:
        watched.setdefault(d.person, (TIERS[d.kind], d.get_kind_display()))
    for person, (tier, reason) in watched.items():
        WatchEntry.objects.create(
            person=person, tier=tier, reason=reason, worker=rng.choice(workers),
            started_on=today - timedelta(days=rng.randint(100, 400)),
        )  # fmt: skip

    people = list(Person.objects.filter(community__station=station).order_by("pk"))
    targets = list(watched) or people
    visits = []
    for back in range(90):
        day = today - timedelta(days=back)
        for _ in range(rng.randint(3, 7)):
            person = rng.choice(targets if rng.random() < 0.8 else people)
            kind = "home" if rng.random() < 0.23 else "phone"
            visits.append(
                Visit(
                    person=person,
                    kind=kind,
                    worker=rng.choice(workers),
                    visited_on=day,
                    duration_minutes=rng.randint(30, 90) if kind == "home" else rng.randint(5, 20),
                    findings=rng.choice(FINDINGS),
                    risk=rng.choices(["none", "low", "medium", "high"], [6, 3, 2, 1])[0],
                )  # fmt: skip
            )
    Visit.objects.bulk_create(visits)

    for category, text in NEEDS * 3:
        person = rng.choice(targets)
        need = station_services.need_raise(person=person, category=category, description=text, source="visit",
                                   actor=rng.choice(workers))  # fmt: skip
        roll = rng.random()
        if roll < 0.6:
            taker = rng.choice(workers)
            need = station_services.need_take(need=need, taker=taker, actor=taker)
            if roll < 0.35:
                station_services.need_meet(need=need, outcome="已链接社区资源解决", actor=taker)

    head = supervisors[0]
    stages = [
        "intake",
        "assessment",
        "plan",
        "intervention",
        "intervention",
        "review",
        "closed",
        "closed",
        "plan",
    ]
    for i, stage in enumerate(stages):
        person = targets[i % len(targets)]
        worker = workers[i % len(workers)]
        if selectors.person_open_cases(person).exists():
            continue
        case = services.case_open(
            person=person, worker=worker, supervisor=head, source=rng.choice(["visit", "referral", "walk_in"]),
            problem_areas=rng.sample(["elderly_care", "health", "family", "poverty", "mental"], 2),
            risk_level=rng.choice(["low", "medium", "high"]), actor=worker,
            opened_on=today - timedelta(days=rng.randint(10, 120)),
        )  # fmt: skip
        _walk(case, stage, worker, head)

    tz = ZoneInfo(settings.TIME_ZONE)
    for title, kind in (("独居老人互助小组", "mutual_aid"), ("青少年成长小组", "growth")):
        members = rng.sample(people, min(10, len(people)))
        group = services.group_save(
            group=Group(station=station, community=members[0].community, title=title, kind=kind,
                        worker=workers[0], planned_sessions=8, goals="增进邻里互助，减少孤独感",
                        started_on=today - timedelta(days=60)),
            actor=workers[0], members=members,
        )  # fmt: skip
        for n in range(6):
            start = datetime.combine(today - timedelta(days=56 - 10 * n), time(14, 30), tzinfo=tz)
            services.group_session_record(
                group=group, actor=workers[0], starts_at=start, ends_at=start + timedelta(hours=2),
                attendees=rng.sample(members, rng.randint(5, len(members))), headcount=rng.randint(0, 4),
                place="丰京苑社区活动室",
            )  # fmt: skip
    return []


def _walk(case: Case, stage: str, worker, supervisor):
    order = ["intake", "assessment", "plan", "intervention", "review", "closed"]
    for step in order[1 : order.index(stage) + 1]:
        if step == "assessment":
            services.case_advance(case=case, to_stage="assessment", actor=worker)
        elif step == "plan":
            services.case_update(case=case, actor=worker, assessment="独居，子女在外地，社会支持薄弱")
            services.case_submit(case=case, actor=worker)
            services.case_approve(case=case, actor=supervisor, comment="同意")
        elif step == "intervention":
            services.case_update(case=case, actor=worker, plan_summary="链接助餐、邻里结对、每周探访")
            services.case_add_goal(case=case, actor=worker, description="每天有人问候")
            services.case_submit(case=case, actor=worker)
            services.case_approve(case=case, actor=supervisor)
            services.case_add_session(case=case, actor=worker, content="入户陪伴，梳理需求")
            services.case_update(
                case=case, actor=worker, next_follow_up_on=timezone.localdate() + timedelta(days=7)
            )
        elif step == "review":
            services.case_advance(case=case, to_stage="review", actor=worker)
        elif step == "closed":
            services.case_update(
                case=case, actor=worker, closing_summary="支持网络已建立", outcome="goals_met"
            )
            services.case_submit(case=case, actor=worker)
            services.case_approve(case=case, actor=supervisor)
