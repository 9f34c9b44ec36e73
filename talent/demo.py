"""Demo talent data for ``seed_demo``: three full-timers, a dozen part-timers, an exam self-study group of
two-committee members and volunteer leaders with sessions and mock scores, the 2024 and 2025 exams with
results, certificates and registrations, CE hours, supervision sessions and mentoring pairs.

Idempotent: a station that already has talent profiles is left alone.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from station.models import Activity, Person, StaffProfile

from . import services
from .models import (
    ActionItem,
    CEHours,
    CheckIn,
    ExamAttempt,
    ExamLevel,
    ExamSubject,
    ExamYear,
    MentoringPair,
    Rotation,
    StudyGroup,
    StudySession,
    SupervisionSession,
    TalentProfile,
)

# The national calendar as it was (2025 moved to 24–25 May) and next year's as a worker would enter it.
EXAM_YEARS = [
    (2024, date(2024, 3, 4), date(2024, 3, 25), date(2024, 6, 15), date(2024, 6, 16), date(2024, 8, 20)),
    (2025, date(2025, 2, 24), date(2025, 3, 14), date(2025, 5, 24), date(2025, 5, 25), date(2025, 7, 18)),
    (2026, date(2026, 3, 2), date(2026, 3, 20), date(2026, 6, 13), date(2026, 6, 14), date(2026, 8, 21)),
]
SUPERVISION_TOPICS = [
    "个案记录规范",
    "老年人小组工作设计",
    "困境儿童个案评估",
    "社区走访中的伦理困境",
    "兼职社工服务督导",
]


def _exam_years(actor):
    years = {}
    for year, opens, closes, first, last, results in EXAM_YEARS:
        exam = ExamYear.objects.filter(year=year).first()
        if exam is None:
            exam = services.exam_year_save(
                exam_year=ExamYear(
                    year=year, registration_opens=opens, registration_closes=closes,
                    exam_starts=first, exam_ends=last, results_on=results,
                ),
                actor=actor,
            )  # fmt: skip
        years[year] = exam
    return years


@transaction.atomic
def seed_talent(station, rng):
    if TalentProfile.objects.filter(person__community__station=station).exists():
        return []
    staff = {p.role: p.user for p in StaffProfile.objects.filter(station=station).select_related("user")}
    worker = staff.get(StaffProfile.Role.SOCIAL_WORKER)
    tutor = staff.get(StaffProfile.Role.SUPERVISOR) or worker
    if worker is None:
        return []
    services.exam_levels_ensure()
    today = timezone.localdate()
    tz = ZoneInfo(settings.TIME_ZONE)
    years = _exam_years(worker)
    levels = {level.code: level for level in ExamLevel.objects.all()}
    subjects = {s.code: s for s in ExamSubject.objects.all()}
    adults = [
        p
        for p in Person.objects.filter(community__station=station).select_related("community").order_by("pk")
        if 24 <= (p.age_on(today) or 0) <= 55
    ]
    if len(adults) < 27:
        return []
    chosen = rng.sample(adults, 27)
    full_timers, part_timers, learners = chosen[:3], chosen[3:15], chosen[15:27]

    def profile(person, role, background, **extra):
        return services.talent_profile_save(
            profile=TalentProfile(person=person, team_role=role, background=background, **extra), actor=worker
        )

    for person in full_timers:
        profile(
            person, TalentProfile.TeamRole.FULL_TIME, TalentProfile.Background.STAFF,
            employer=station.name, education=TalentProfile.Education.BACHELOR, major="社会工作",
            social_work_major=True, work_started_on=date(2018 + rng.randint(0, 3), 7, 1), is_local=False,
        )  # fmt: skip
    for index, person in enumerate(part_timers):
        since = date(2022 + index % 4, rng.randint(1, 12), 1)
        profile(
            person, TalentProfile.TeamRole.PART_TIME,
            rng.choice([TalentProfile.Background.TWO_COMMITTEES, TalentProfile.Background.VOLUNTEER_LEADER]),
            employer=f"{person.community.name}居委会", education=rng.choice(["junior_college", "bachelor"]),
            work_started_on=date(2019, 3, 1), supported_since=date(2021, 9, 1), part_time_since=since,
        )  # fmt: skip
    for index, person in enumerate(learners):
        profile(
            person, TalentProfile.TeamRole.TRAINEE,
            TalentProfile.Background.TWO_COMMITTEES if index % 2 else TalentProfile.Background.VOLUNTEER_LEADER,
            employer=f"{person.community.name}两委" if index % 2 else "", supported_since=date(2023, 9, 1),
            education=rng.choice(["high_school", "junior_college", "bachelor"]), work_started_on=date(2020, 1, 1),
        )  # fmt: skip

    # The exam self-study group: learners and a few part-timers, tutored by the supervisor.
    group = services.study_group_save(
        group=StudyGroup(
            station=station, name="社工考试自学小组", level=levels["assistant"], tutor=tutor,
            schedule="每周六上午", online_group="社工考试互助群", study_room="社工站二楼自习室",
            started_on=date(2023, 9, 1),
        ),
        actor=worker,
    )  # fmt: skip
    members = learners + part_timers[:4]
    for person in members:
        services.member_add(group=group, person=person, joined_on=date(2023, 9, 1), actor=worker)
    kinds = [StudySession.Kind.TUTORING, StudySession.Kind.QA, StudySession.Kind.MOCK_EXAM]
    for week in range(8, -1, -1):
        day = today - timedelta(days=7 * week + 3)
        kind = kinds[week % 3]
        starts = datetime.combine(day, time(9, 0), tzinfo=tz)
        session = services.study_session_save(
            session=StudySession(group=group, kind=kind),
            activity=Activity(
                title=f"自学小组{StudySession.Kind(kind).label}", starts_at=starts,
                ends_at=starts + timedelta(hours=2), place="社工站二楼自习室",
            ),
            actor=tutor,
        )  # fmt: skip
        mock_subjects = [subjects["assistant_general"], subjects["assistant_practice"]]
        if kind == StudySession.Kind.MOCK_EXAM:
            session.subjects.set(mock_subjects)
        came = {p.pk for p in members if rng.random() < (0.4 if p is members[0] else 0.85)}
        scores = {}
        if kind == StudySession.Kind.MOCK_EXAM:
            for person in members:
                if person.pk in came:
                    for subject in mock_subjects:
                        scores[(person.pk, subject.pk)] = Decimal(rng.randint(38, 88))
        services.session_record(session=session, attended=came, scores=scores, actor=tutor)

    # The 2024 and 2025 exams: part-timers and learners sat the assistant level, two full-timers the next one.
    def sit(person, year, level_code, marks):
        attempt = services.attempt_register(
            person=person, exam_year=years[year], level=levels[level_code], actor=worker,
            registered_on=years[year].registration_opens + timedelta(days=3),
        )  # fmt: skip
        services.scores_record(
            attempt=attempt, scores={subjects[c]: Decimal(m) for c, m in marks.items()}, actor=worker
        )

    for index, person in enumerate(part_timers + learners):
        year = 2024 if index % 2 else 2025
        passing = index % 3 != 0
        general, practice = (
            (rng.randint(60, 82), rng.randint(60, 78)) if passing else (rng.randint(45, 70), 52)
        )
        sit(person, year, "assistant", {"assistant_general": general, "assistant_practice": practice})
    mid = ("intermediate_general", "intermediate_law", "intermediate_practice")
    sit(full_timers[0], 2024, "intermediate", dict(zip(mid, (66, 58, 71), strict=True)))
    sit(full_timers[0], 2025, "intermediate", {"intermediate_law": 64})  # the 2024 passes carry over
    sit(full_timers[1], 2025, "intermediate", dict(zip(mid, (72, 69, 63), strict=True)))

    # Certificates: registration walked through the national system's states, CE hours logged.
    for attempt in ExamAttempt.objects.filter(
        person__in=part_timers + full_timers, result=ExamAttempt.Result.PASSED, exam_year__year=2024
    ).select_related("person", "level"):
        certificate = attempt.person.sw_certificates.get(level=attempt.level)
        certificate.number = f"SW{attempt.exam_year.year}{attempt.person.pk:06d}"
        services.certificate_save(certificate=certificate, actor=worker)
        registration = services.registration_open(
            certificate=certificate, actor=worker, today=date(2024, 9, 10)
        )
        for state in ["pending", "first_approved", "final_approved", "completed", "issued"]:
            registration = services.registration_move(
                registration=registration, to=state, actor=worker, on=date(2024, 10, 15)
            )
        for _ in range(rng.randint(0, 4)):
            services.ce_hours_record(
                entry=CEHours(
                    person=attempt.person, provider="市社会工作者协会", course=rng.choice(["社会工作伦理", "老年社会工作", "社区治理"]),
                    completed_on=date(2025, rng.randint(1, 12), rng.randint(1, 28)), hours=Decimal(rng.choice([6, 8, 12])),
                ),
                actor=worker,
            )  # fmt: skip

    # Supervision: monthly group sessions of the full- and part-timers, a university supervisor every quarter.
    team = full_timers + part_timers
    for month_back in range(6):
        held = (today.replace(day=1) - timedelta(days=28 * month_back + 20)).replace(day=15)
        session = services.supervision_session_save(
            session=SupervisionSession(
                station=station, supervisor_name="西北大学社会工作系 王教授" if month_back % 3 == 0 else "陈督导",
                source=SupervisionSession.Source.UNIVERSITY if month_back % 3 == 0 else SupervisionSession.Source.IN_HOUSE,
                mode=SupervisionSession.Mode.GROUP, held_on=held, hours=Decimal(2),
                topic=SUPERVISION_TOPICS[month_back % len(SUPERVISION_TOPICS)],
            ),
            supervisees=rng.sample(team, 6),
            actor=worker,
        )  # fmt: skip
        services.action_item_save(
            item=ActionItem(
                session=session, description="补齐本月个案记录", owner=rng.choice(part_timers),
                due_on=held + timedelta(days=14), done_on=held + timedelta(days=10) if month_back else None,
            ),
            actor=worker,
        )  # fmt: skip

    # Mentoring (传帮带): each full-timer with a part-timer and a trainee.
    for index, mentor in enumerate(full_timers):
        for mentee in (part_timers[index], learners[index]):
            pair = services.mentoring_pair_save(
                pair=MentoringPair(
                    station=station, mentor=mentor, mentee=mentee, starts_on=date(2025, 3, 1),
                    goals="独立完成入户走访和个案记录",
                ),
                actor=worker,
            )  # fmt: skip
            for month in (4, 6, 9):
                services.check_in_add(
                    check_in=CheckIn(
                        pair=pair, held_on=date(2025, month, 10), notes="一起入户走访，复盘记录"
                    ),
                    actor=worker,
                )

    # Rotation on the job.
    posts = ["个案服务岗", "小组活动岗", "社区走访岗"]
    for index, person in enumerate(part_timers[:6]):
        services.rotation_save(
            rotation=Rotation(
                person=person, kind=Rotation.Kind.POST, post_or_course=posts[index % 3],
                starts_on=date(2025, 4, 1), ends_on=date(2025, 6, 30), hours=Decimal(48),
            ),
            actor=worker,
        )  # fmt: skip
    return []
