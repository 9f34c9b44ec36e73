"""The talent platform's Excel imports (exam candidates, exam results, continuing-education hours) are batched:
a file ten times longer costs no more queries, the batch services refuse bad input in Chinese and write
nothing, and one bad row among good ones saves nothing and is named by its Excel row."""

import io
import re
from datetime import date

import pytest
import tablib
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from import_export.formats.base_formats import XLSX

from station.models import AuditEvent, Person
from talent import services
from talent.models import CEHours, Certificate, ExamAttempt, SubjectScore, TalentProfile
from talent.resources import CandidateResource, CEHoursResource, ExamResultResource

from .factories import ExamYearFactory, level, subject

CANDIDATE_HEADERS = ["姓名", "手机号", "考试年度", "级别", "报名日期"]
RESULT_HEADERS = ["姓名", "手机号", "考试年度", "科目", "分数"]
CE_HEADERS = ["姓名", "手机号", "培训机构", "课程", "完成日期", "学时"]


def _people(community, n, prefix):
    people = [Person(name=f"{prefix}{i:03d}", phone=f"138{i:08d}", community=community) for i in range(n)]
    people = Person.objects.bulk_create(people)
    TalentProfile.objects.bulk_create(
        [TalentProfile(person=p, team_role="trainee", supported_since=date(2020, 1, 1)) for p in people[::2]]
    )
    return people


def _candidates(people):
    return [[p.name, p.phone, 2024, "助理社会工作师", "2024-03-05"] for p in people]


def _results(people):
    """Two subjects each; every other candidate passes both (a certificate), the others one."""
    return [
        [p.name, p.phone, 2024, name, 75 if i % 2 == 0 or name.startswith("社会工作综合") else 50]
        for i, p in enumerate(people)
        for name in ("社会工作综合能力（初级）", "社会工作实务（初级）")
    ]


def _ce(people):
    return [[p.name, p.phone, "市社工协会", "社会工作伦理", "2025-03-01", 6] for p in people]


CASES = {
    "candidates": (CandidateResource, CANDIDATE_HEADERS, _candidates, ExamAttempt),
    "results": (ExamResultResource, RESULT_HEADERS, _results, SubjectScore),
    "ce_hours": (CEHoursResource, CE_HEADERS, _ce, CEHours),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_a_file_ten_times_longer_costs_no_more_queries_to_check_and_import(kind, station, community_a, head):
    resource_class, headers, rows_of, model = CASES[kind]
    ExamYearFactory(year=2024)
    counts = {}
    for n, prefix in ((4, "小"), (40, "大")):
        data = tablib.Dataset(*rows_of(_people(community_a, n, prefix)), headers=headers)
        before = model.objects.count()
        for dry_run in (True, False):
            with CaptureQueriesContext(connection) as queries:
                result = resource_class(station=station, user=head).import_data(data, dry_run=dry_run)
            assert not result.has_errors() and not result.invalid_rows, result.invalid_rows[:3]
            counts[n, dry_run] = len(queries)
        assert model.objects.count() - before == len(data)
    assert counts[40, True] <= counts[4, True] + 2, counts
    assert counts[40, False] <= counts[4, False] + 2, counts


def test_an_imported_results_file_passes_and_certifies_as_the_form_would(station, community_a, head):
    ExamYearFactory(year=2024)
    people = _people(community_a, 4, "考生")
    data = tablib.Dataset(*_results(people), headers=RESULT_HEADERS)
    result = ExamResultResource(station=station, user=head).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.invalid_rows
    results = dict(ExamAttempt.objects.values_list("person__name", "result"))
    assert results == {"考生000": "passed", "考生001": "not_yet", "考生002": "passed", "考生003": "not_yet"}
    assert set(Certificate.objects.values_list("person__name", flat=True)) == {"考生000", "考生002"}
    # 考生000 has a talent profile (every other one has): her pass counts her as a local social worker.
    counted = dict(TalentProfile.objects.values_list("person__name", "local_counted_on"))
    assert counted == {"考生000": date(2024, 8, 30), "考生002": date(2024, 8, 30)}
    audited = AuditEvent.objects.filter(target_type="talent.ExamAttempt", action=AuditEvent.Action.UPDATE)
    assert audited.filter(changes__has_key="assistant_general").count() == 4  # one per attempt, its scores


def test_a_second_results_file_replaces_a_score_and_moves_the_result(station, person_a, head):
    ExamYearFactory(year=2024)
    rows = [[person_a.name, person_a.phone, 2024, "社会工作综合能力（初级）", 75],
            [person_a.name, person_a.phone, 2024, "社会工作实务（初级）", 50]]  # fmt: skip
    ExamResultResource(station=station, user=head).import_data(tablib.Dataset(*rows, headers=RESULT_HEADERS))
    assert ExamAttempt.objects.get().result == ExamAttempt.Result.NOT_YET
    rows[1][4] = 61
    result = ExamResultResource(station=station, user=head).import_data(
        tablib.Dataset(rows[1], headers=RESULT_HEADERS)
    )
    assert not result.invalid_rows
    assert SubjectScore.objects.count() == 2 and ExamAttempt.objects.count() == 1
    assert ExamAttempt.objects.get().result == ExamAttempt.Result.PASSED
    assert Certificate.objects.get().year_passed == 2024


def test_a_candidate_already_registered_stays_as_they_are(station, person_a, head, worker):
    exam = ExamYearFactory(year=2024)
    attempt = services.attempt_register(
        person=person_a, exam_year=exam, level=level("assistant"), actor=worker
    )
    data = tablib.Dataset(*_candidates([person_a]), headers=CANDIDATE_HEADERS)
    result = CandidateResource(station=station, user=head).import_data(data, dry_run=False)
    assert not result.invalid_rows
    assert list(ExamAttempt.objects.values_list("pk", "registered_on")) == [(attempt.pk, None)]


# All rows or none, the bad one named by its Excel row (the headings are row 1).


@pytest.mark.parametrize(
    ("kind", "bad_cell", "bad_value", "message"),
    [
        ("candidates", 3, "特级社工师", "不是以下之一"),
        ("results", 4, 101, "0 到 100"),
        ("ce_hours", 5, 0, "学时必须大于 0"),
    ],
)
def test_one_bad_row_among_good_ones_saves_nothing_and_is_named(
    kind, bad_cell, bad_value, message, station, community_a, head
):
    resource_class, headers, rows_of, model = CASES[kind]
    ExamYearFactory(year=2024)
    rows = rows_of(_people(community_a, 5, "考生"))
    rows[3][bad_cell] = bad_value
    result = resource_class(station=station, user=head).import_data(
        tablib.Dataset(*rows, headers=headers), dry_run=False
    )
    assert [row.number for row in result.invalid_rows] == [5]
    assert message in str(result.invalid_rows[0].error_dict)
    assert not model.objects.exists() and not ExamAttempt.objects.exists()
    assert not AuditEvent.objects.filter(target_type__startswith="talent.").exists()


@pytest.mark.parametrize("kind", list(CASES))
def test_a_row_repeating_an_earlier_one_is_refused_naming_it(kind, station, community_a, head):
    resource_class, headers, rows_of, model = CASES[kind]
    ExamYearFactory(year=2024)
    rows = rows_of(_people(community_a, 3, "考生"))
    rows.append(list(rows[1]))
    result = resource_class(station=station, user=head).import_data(
        tablib.Dataset(*rows, headers=headers), dry_run=False
    )
    assert [row.number for row in result.invalid_rows] == [len(rows) + 1]
    assert "此行与文件第3行重复" in str(result.invalid_rows[0].error_dict)
    assert not model.objects.exists()


def test_the_results_file_goes_through_the_admin_check_and_confirm(worker, community_a, as_user):
    ExamYearFactory(year=2024)
    rows = _results(_people(community_a, 3, "考生"))
    formats = admin.site._registry[ExamAttempt].get_import_formats()
    upload = io.BytesIO(XLSX().export_data(tablib.Dataset(*rows, headers=RESULT_HEADERS)))
    upload.name = "results.xlsx"
    client = as_user(worker)
    check = client.post(
        "/admin/talent/examattempt/import/",
        {
            "import_file": upload,
            "format": str(next(i for i, f in enumerate(formats) if issubclass(f, XLSX))),
            "resource": "1",  # the results, after the candidates
        },
    )
    body = check.content.decode()
    assert 'name="import_file_name"' in body and not SubjectScore.objects.exists()
    fields = dict(
        re.findall(r'name="(import_file_name|original_file_name|format|resource)" value="([^"]*)"', body)
    )
    done = client.post("/admin/talent/examattempt/process_import/", fields)
    assert done.status_code == 302
    assert SubjectScore.objects.count() == 6


# The batch services themselves: bad input is refused in Chinese and nothing is written.


def test_the_batch_services_refuse_someone_of_another_station(other_person, worker):
    exam = ExamYearFactory(year=2024)
    entry = CEHours(
        person=other_person, provider="市社工协会", course="伦理", completed_on=date(2025, 3, 1), hours=6
    )
    attempt = ExamAttempt(person=other_person, exam_year=exam, level=level("assistant"))
    score = SubjectScore(attempt=attempt, subject=subject("assistant_general"), score=70)
    with translation.override("zh-hans"):
        for call in (
            lambda: services.ce_hours_record_many(entries=[entry], actor=worker),
            lambda: services.attempts_register_many(attempts=[attempt], actor=worker),
            lambda: services.scores_record_many(scores=[score], actor=worker),
        ):
            with pytest.raises(PermissionDenied, match="该记录不属于您的社工站"):
                call()
    assert (
        not CEHours.objects.exists()
        and not ExamAttempt.objects.exists()
        and not SubjectScore.objects.exists()
    )
    assert not AuditEvent.objects.filter(target_type__startswith="talent.").exists()


def test_scores_of_another_level_or_twice_the_same_are_refused(person_a, worker):
    exam = ExamYearFactory(year=2024)

    def score(code, value, level_code="assistant"):
        attempt = ExamAttempt(person=person_a, exam_year=exam, level=level(level_code))
        return SubjectScore(attempt=attempt, subject=subject(code), score=value)

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError, match="该科目属于另一个级别"):
            services.scores_record_many(scores=[score("intermediate_law", 70)], actor=worker)
        twice = [score("assistant_general", 70), score("assistant_general", 80)]
        with pytest.raises(
            ValidationError, match=f"{person_a.name}在2024年度有两条“社会工作综合能力（初级）”成绩"
        ):
            services.scores_check_many(scores=twice, actor=worker)
        with pytest.raises(ValidationError, match="有两条“社会工作综合能力（初级）”成绩"):
            services.scores_record_many(scores=twice, actor=worker)
    assert not ExamAttempt.objects.exists() and not SubjectScore.objects.exists()


def test_the_batch_services_write_what_the_one_record_services_write(person_a, person_b, worker):
    exam = ExamYearFactory(year=2024)
    entries = [
        CEHours(person=p, provider="市社工协会", course="伦理", completed_on=date(2025, 3, 1), hours=6)
        for p in (person_a, person_b)
    ]
    services.ce_hours_record_many(entries=entries, actor=worker)
    audit = AuditEvent.objects.filter(target_type="talent.CEHours").order_by("pk")
    assert [(e.target_id, e.changes, e.action) for e in audit] == [
        (str(entry.pk), {"hours": "6", "course": "伦理"}, AuditEvent.Action.CREATE) for entry in entries
    ]
    twice = [ExamAttempt(person=person_a, exam_year=exam, level=level("assistant")) for _ in range(2)]
    services.attempts_register_many(attempts=twice, actor=worker)
    assert twice[0].pk == twice[1].pk == ExamAttempt.objects.get().pk
    created = AuditEvent.objects.get(target_type="talent.ExamAttempt")
    assert created.changes == {"level": "assistant", "year": "2024"}


def test_a_ce_hours_file_imported_twice_does_not_count_its_hours_twice(station, community_a, head):
    people = _people(community_a, 3, "继")
    data = tablib.Dataset(*_ce(people), headers=CE_HEADERS)
    assert not CEHoursResource(station=station, user=head).import_data(data, dry_run=False).has_errors()
    with translation.override("zh-hans"):
        again = CEHoursResource(station=station, user=head).import_data(data, dry_run=True)
    assert again.has_errors()
    assert "于2025-03-01完成的课程“社会工作伦理”已经登记过" in str(again.base_errors[0].error)
    assert CEHours.objects.count() == 3


def test_the_ce_hours_services_refuse_the_same_course_twice_whoever_calls_them(person_a, worker):
    def entry():
        return CEHours(
            person=person_a, provider="市社工协会", course="伦理", completed_on=date(2025, 3, 1), hours=6
        )

    with translation.override("zh-hans"):
        with pytest.raises(ValidationError, match="课程“伦理”已经登记过"):
            services.ce_hours_record_many(entries=[entry(), entry()], actor=worker)
        assert not CEHours.objects.exists()
        saved = services.ce_hours_record(entry=entry(), actor=worker)
        with pytest.raises(ValidationError, match="课程“伦理”已经登记过"):
            services.ce_hours_record(entry=entry(), actor=worker)
        saved.hours = 8  # editing the recorded one is not a second entry
        services.ce_hours_record(entry=saved, actor=worker)
    assert list(CEHours.objects.values_list("hours", flat=True)) == [8]
