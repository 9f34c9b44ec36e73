"""The talent platform's importers for bench/imports_bench.py: exam candidates, exam results and
continuing-education hours, on the exam attempts' and the CE hours' admin pages.

The core seed's residents are the candidates (居民000000.., phones 139xxxxxxxx). The results file is half a
file's rows in people, two assistant-level subjects each, with every fourth person passing both (a
certificate each); one resident in ten has a talent profile, so a pass may count them as a local social
worker.
"""

from datetime import date, timedelta

from bench.imports_bench import Importer

YEAR = 2025


def _exam_year():
    from talent.models import ExamYear

    ExamYear.objects.get_or_create(
        year=YEAR,
        defaults={
            "registration_opens": date(YEAR, 3, 1),
            "registration_closes": date(YEAR, 3, 20),
            "exam_starts": date(YEAR, 6, 14),
            "exam_ends": date(YEAR, 6, 15),
            "results_on": date(YEAR, 8, 30),
        },
    )


def seed_exam(rows, worker):
    """The exam year of the files, the national levels (the data migration's), and talent profiles."""
    from station.models import Person
    from talent.models import TalentProfile
    from talent.services import exam_levels_ensure

    exam_levels_ensure()
    _exam_year()
    if not TalentProfile.objects.exists():
        people = Person.objects.order_by("pk")[: max(rows // 10, 1)]
        TalentProfile.objects.bulk_create(
            [
                TalentProfile(
                    person=p, team_role=TalentProfile.TeamRole.TRAINEE, supported_since=date(2024, 1, 1)
                )
                for p in people
            ],
            batch_size=2000,
        )
    return None


def seed_nothing(rows, worker):
    return None


def _resident(i):
    return [f"居民{i:06d}", f"139{i:08d}"]


def candidates_workbook(rows):
    headers = ["姓名", "手机号", "考试年度", "级别", "报名日期"]
    return headers, [
        [*_resident(i), YEAR, "助理社会工作师", f"{YEAR}-03-{i % 20 + 1:02d}"] for i in range(rows)
    ]


def results_workbook(rows):
    headers = ["姓名", "手机号", "考试年度", "科目", "分数"]
    subjects = ["社会工作综合能力（初级）", "社会工作实务（初级）"]
    return headers, [
        [*_resident(i // 2), YEAR, subjects[i % 2], 72 if (i // 2) % 4 == 0 else 55 + i % 2 * 10]
        for i in range(rows)
    ]


def ce_workbook(rows):
    headers = ["姓名", "手机号", "培训机构", "课程", "完成日期", "学时"]
    day = date(2026, 1, 5)
    return headers, [
        [*_resident(i), "市社工协会", f"社会工作伦理{i % 7}", str(day + timedelta(days=i % 28)), 6]
        for i in range(rows)
    ]


def _scores():
    from talent.models import SubjectScore

    return SubjectScore.objects.count()


IMPORTERS = {
    "candidates": Importer(("talent", "examattempt"), seed_exam, candidates_workbook, resource=0),
    "exam_results": Importer(
        ("talent", "examattempt"), seed_exam, results_workbook, resource=1, saved=_scores
    ),
    "ce_hours": Importer(("talent", "cehours"), seed_nothing, ce_workbook),
}
