"""Demo charity projects for ``seed_demo``: eight projects introduced in the station's first year and one
designed in-house, partners with money and goods, milestones, an evaluation and tranches, and a contest with
three judges (one of whom declares a conflict). Idempotent: a station that has projects is left alone."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from station.models import Activity, Attendance, PartnerUnit, Person, Rubric, RubricCriterion, StaffProfile

from . import services
from .models import (
    Application,
    Assignment,
    BudgetLine,
    Contest,
    Entry,
    Evaluation,
    Milestone,
    Outcome,
    PrizeTier,
    Project,
    Resource,
    Tranche,
)

DEMO_PASSWORD = "demo-pass-2026"
PARTNERS = [
    ("西安市慈善会", "foundation"),
    ("陕西青年公益基金会", "foundation"),
    ("沣东新城爱心企业联合会", "enterprise"),
    ("丰京苑便民超市", "merchant"),
    ("鄠邑区阳光社会工作服务中心", "social_org"),
    ("西安益路同行社会工作服务中心", "social_org"),
]
INTRODUCED = [
    ("银龄互助·独居老人关爱计划", "elderly", 4),
    ("四点半课堂", "children", 5),
    ("助残康复到家", "disability", 4),
    ("困难家庭微心愿", "poverty", 5),
    ("楼栋自治议事会", "governance", 4),
    ("安置社区邻里节", "governance", 5),
    ("长者助餐点共建", "elderly", 4),
    ("流动儿童暑期成长营", "children", 5),
]
EVALUATION_CRITERIA = [("需求回应", 25), ("执行进度", 25), ("资金使用", 25), ("服务成效", 25)]
CONTEST_CRITERIA = [
    ("需求分析", 20),
    ("方案可行性", 30),
    ("预算合理性", 20),
    ("团队能力", 15),
    ("可持续性", 15),
]
APPLICATIONS = [
    ("乐龄书画社进楼栋", "丰京苑书画兴趣小组", "王秀芳", "elderly", 28000),
    ("韩南村环境共治", "韩南村村民环保队", "李建国", "governance", 22000),
    ("宝妈互助托育角", "丰京苑宝妈互助会", "刘婷", "children", 26000),
    ("残障青年就业小站", "沣东新城爱心企业联合会", "赵强", "disability", 30000),
    ("邻里共享工具间", "安置小区楼长协会", "陈志刚", "governance", 12000),
]
JUDGES = [("pingwei1", "张教授", "西北大学社会学系"), ("pingwei2", "李督导", "区社工协会"),
          ("pingwei3", "周主任", "沣东新城爱心企业联合会")]  # fmt: skip


def _staff(station, role):
    profile = StaffProfile.objects.filter(station=station, role=role).select_related("user").first()
    return profile.user if profile else None


def _rubric(station, name, purpose, criteria):
    rubric = Rubric.objects.filter(station=station, name=name, purpose=purpose, is_template=True).first()
    if rubric is None:
        rubric = Rubric.objects.create(station=station, name=name, purpose=purpose, is_template=True)
        RubricCriterion.objects.bulk_create(
            RubricCriterion(rubric=rubric, label=label, max_score=Decimal(top), order=i)
            for i, (label, top) in enumerate(criteria)
        )
    return rubric


def _activity(project, title, day, actor, people, headcount=0, kind="service", reach=0):
    tz = ZoneInfo(settings.TIME_ZONE)
    starts = datetime.combine(day, time(9, 30), tzinfo=tz)
    link = services.project_activity_record(
        project=project,
        activity=Activity(
            title=title, starts_at=starts, ends_at=starts + timedelta(hours=2), headcount=headcount
        ),
        actor=actor,
        kind=kind,
        reach=reach,
    )
    Attendance.objects.bulk_create(Attendance(activity=link.activity, person=p) for p in people)
    return link


@transaction.atomic
def seed_projects(station, rng):
    logins = [(JUDGES[0][0], "评委 judge (/projects/judge/)")]
    if Project.objects.filter(station=station).exists():
        return logins
    head = _staff(station, StaffProfile.Role.STATION_HEAD)
    worker = _staff(station, StaffProfile.Role.SOCIAL_WORKER) or head
    if head is None:
        return []
    today = timezone.localdate()
    communities = list(station.communities.order_by("pk"))
    people = list(Person.objects.filter(community__station=station).order_by("pk")[:60])
    partners = {}
    for name, kind in PARTNERS:
        partners[name], _created = PartnerUnit.objects.get_or_create(
            station=station, name=name, defaults={"kind": kind, "resident_unit": kind == "merchant"}
        )
    charity, youth, companies, shop, sunshine, yilu = (partners[n] for n, _k in PARTNERS)

    projects = []
    for index, (title, category, months) in enumerate(INTRODUCED):
        introduced = today - timedelta(days=330 - 35 * index)
        project = services.project_save(
            project=Project(
                station=station, title=title, origin=Project.Origin.INTRODUCED, category=category,
                introduced_from=sunshine if index % 2 == 0 else yilu, introduced_on=introduced,
                runner_partner=sunshine if index % 2 == 0 else yilu, lead_worker=worker,
                target_groups="社区居民", starts_on=introduced, ends_on=introduced + timedelta(days=30 * months + 180),
                report_rhythm=Project.Rhythm.QUARTERLY, problem="回应群众困难清单中的需求。",
            ),
            actor=worker, communities=[communities[index % len(communities)]] if communities else [],
        )  # fmt: skip
        services.project_move(project=project, to=Project.Status.APPROVED, actor=head)
        services.project_move(project=project, to=Project.Status.RUNNING, actor=worker)
        projects.append(project)
    in_house = services.project_save(
        project=Project(
            station=station, title="丰京苑“五社联动”邻里守望", origin=Project.Origin.IN_HOUSE, category="governance",
            runner_name="丰京苑社区社会组织联合会",
            lead_worker=worker, starts_on=today - timedelta(days=40), ends_on=today + timedelta(days=320),
            report_rhythm=Project.Rhythm.MONTHLY, target_groups="独居老人、困难家庭",
        ),
        actor=worker, communities=communities[:2],  # one project serving two communities
    )  # fmt: skip
    services.project_move(project=in_house, to=Project.Status.APPROVED, actor=head)
    services.project_move(project=in_house, to=Project.Status.RUNNING, actor=worker)
    projects.append(in_house)

    for index, project in enumerate(projects):
        start = project.starts_on
        Milestone.objects.create(
            project=project, title="启动报告", due_on=start + timedelta(days=30), reported_on=start + timedelta(days=28),
            report="项目已启动，完成需求调研。",
        )  # fmt: skip
        Milestone.objects.create(project=project, title="中期报告", due_on=start + timedelta(days=120))
        BudgetLine.objects.create(
            project=project, item="活动物资", planned=Decimal(12000), spent=Decimal(5200 + index * 300)
        )
        BudgetLine.objects.create(
            project=project, item="人员补贴", planned=Decimal(8000), spent=Decimal(3000)
        )
        services.resource_record(
            resource=Resource(
                station=station, kind=Resource.Kind.MONEY, partner=charity if index % 2 else youth, on=start,
                project=project, amount=Decimal(20000 + 5000 * (index % 3)),
            ),
            actor=worker,
        )  # fmt: skip
        if index % 3 == 0:
            services.resource_record(
                resource=Resource(
                    station=station, kind=Resource.Kind.GOODS, partner=shop, on=start + timedelta(days=10),
                    project=project, description="米面油礼包", quantity=Decimal(50), amount=Decimal(4000),
                ),
                actor=worker,
            )  # fmt: skip
        Outcome.objects.create(
            project=project,
            label="服务人次",
            measure=Outcome.Measure.PERSON_TIMES,
            unit="人次",
            target=Decimal(200),
        )
        Outcome.objects.create(
            project=project, label="服务对象", measure=Outcome.Measure.PEOPLE, unit="人", target=Decimal(30)
        )
        Outcome.objects.create(
            project=project, label="满意度", measure=Outcome.Measure.TYPED, unit="%", target=Decimal(90),
            achieved_typed=Decimal(93),
        )  # fmt: skip
        if people:
            for n in range(2):
                day = min(start + timedelta(days=20 + 30 * n), today - timedelta(days=1))
                _activity(project, f"{project.title}·第{n + 1}次活动", day, worker, rng.sample(people, min(12, len(people))),
                          headcount=rng.randint(5, 20))  # fmt: skip
        _activity(project, f"{project.title}·公益宣传", min(start + timedelta(days=15), today), worker, [],
                  kind="publicity", reach=rng.randint(80, 300))  # fmt: skip
    # The in-house project's first report is late: it shows on the page and is flagged to the station head.
    Milestone.objects.filter(project=in_house, title="启动报告").update(
        due_on=today - timedelta(days=20), reported_on=None, report=""
    )

    # An evaluation and tranches on the first project: the first tranche released, the second waiting.
    first = projects[0]
    evaluation_rubric = _rubric(station, "项目评估通用指标", Rubric.Purpose.EVALUATION, EVALUATION_CRITERIA)
    criteria = list(evaluation_rubric.criteria.all())
    services.evaluation_record(
        project=first, stage=Evaluation.Stage.INITIATION, rubric=evaluation_rubric,
        scores={c.pk: Decimal(20 + i) for i, c in enumerate(criteria)}, actor=head,
        evaluated_on=first.starts_on + timedelta(days=5), comment="立项论证充分。",
    )  # fmt: skip
    t1 = services.tranche_plan(
        tranche=Tranche(
            project=first, number=1, amount=Decimal(15000), after_stage=Evaluation.Stage.INITIATION
        ),
        actor=worker,
    )
    services.tranche_plan(
        tranche=Tranche(project=first, number=2, amount=Decimal(10000), after_stage=Evaluation.Stage.MIDTERM),
        actor=worker,
    )
    services.tranche_request(tranche=t1, actor=worker)
    services.tranche_release(tranche=t1, actor=head)

    _seed_contest(station, head, worker, communities, rng, today)
    return logins


def _seed_contest(station, head, worker, communities, rng, today):
    from django.contrib.auth import get_user_model

    rubric = _rubric(station, "公益创投评审指标", Rubric.Purpose.CONTEST, CONTEST_CRITERIA)
    contest = Contest.objects.create(
        station=station, title=f"{today.year}年社区公益创投大赛", budget=Decimal(100000), drop_extremes=True
    )
    first = services.contest_round_add(
        contest=contest, name="初审", actor=worker, rubric=rubric, deadline=today + timedelta(days=10)
    )
    services.contest_round_add(contest=contest, name="路演决赛", actor=worker, rubric=rubric)
    for order, (name, places, amount) in enumerate(
        [("一等奖", 1, 30000), ("二等奖", 2, 20000), ("三等奖", 2, 10000)]
    ):
        PrizeTier.objects.create(
            contest=contest, order=order + 1, name=name, places=places, amount=Decimal(amount)
        )
    User = get_user_model()
    judges = []
    from .models import Judge

    for username, name, affiliation in JUDGES:
        existing = Judge.objects.filter(user__username=username).first()
        if existing is None and User.objects.filter(username=username).exists():
            username = f"{username}-{station.pk}"
        judges.append(
            existing
            or services.judge_create(
                station=station, name=name, username=username, password=DEMO_PASSWORD, actor=worker,
                affiliation=affiliation,
            )
        )  # fmt: skip
    company = PartnerUnit.objects.filter(station=station, name="沣东新城爱心企业联合会").first()
    applications = []
    for index, (title, applicant, leader, category, asked) in enumerate(APPLICATIONS):
        application = Application(
            contest=contest, title=title, applicant_name=applicant, leader_name=leader, category=category,
            community=communities[index % len(communities)] if communities else None,
            proposal=f"{title}：回应社区需求，动员居民参与。", budget_asked=Decimal(asked), current_round=first,
        )  # fmt: skip
        if applicant == "沣东新城爱心企业联合会" and company is not None:
            application.applicant_partner = company
        applications.append(services.application_submit(application=application, actor=worker))
    entries = list(Entry.objects.filter(round=first).order_by("pk"))
    for judge_index, judge in enumerate(judges):
        for entry_index, entry in enumerate(entries):
            assignment = services.assignment_create(judge=judge, entry=entry, actor=worker)
            conflict, note = Assignment.Conflict.NONE, ""
            if judge_index == 2 and entry.application.applicant_partner_id:
                conflict, note = Assignment.Conflict.HARD, "本人在该申报单位任职"
            elif judge_index == 1 and entry_index == 0:
                conflict, note = Assignment.Conflict.SOFT, "曾为该小组做过培训"
            services.conflict_declare(assignment=assignment, conflict=conflict, note=note, actor=judge.user)
            if conflict == Assignment.Conflict.HARD or (judge_index == 2 and entry_index == len(entries) - 1):
                continue  # recused; and one scorecard still waiting for the third judge
            criteria = list(entry.round.rubric.criteria.all())
            base = (
                Decimal("0.60")
                + Decimal(entry_index % 4) * Decimal("0.08")
                + Decimal(judge_index) * Decimal("0.03")
            )
            scores = {c.pk: (c.max_score * base).quantize(Decimal("1")) for c in criteria}
            services.scorecard_submit(assignment=assignment, scores=scores, actor=judge.user)
    ranked = services.round_rank(contest_round=first, actor=worker)
    for entry in ranked[:3]:
        services.entry_decide(entry=entry, result=Entry.Result.ADVANCED, actor=head, note="进入路演")
    for entry in ranked[3:4]:
        services.entry_decide(entry=entry, result=Entry.Result.OUT, actor=head, note="方案需完善")
