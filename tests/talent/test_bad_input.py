"""Bad input is a clear message and nothing changes: a score of 101, an exam before its registration window,
a bad Excel row."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from tablib import Dataset

from talent import services
from talent.models import CEHours, ExamAttempt, ExamYear, SubjectScore
from talent.resources import CEHoursResource, ExamResultResource

from .factories import ExamYearFactory, level, sit, subject


def test_a_score_of_101_is_refused_by_the_service_and_nothing_is_saved(person_a, worker):
    attempt = sit(person_a, 2024, {"assistant_general": 50}, worker)
    with pytest.raises(ValidationError):
        services.scores_record(
            attempt=attempt,
            scores={subject("assistant_general"): 70, subject("assistant_practice"): 101},
            actor=worker,
        )
    assert SubjectScore.objects.get(subject__code="assistant_general").score == 50


def test_a_score_of_101_is_refused_by_the_database(person_a, worker):
    attempt = sit(person_a, 2024, {"assistant_general": 50}, worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectScore.objects.filter(attempt=attempt).update(score=Decimal(101))


def test_a_score_of_101_is_a_form_error_in_the_admin(person_a, worker, as_user):
    exam = ExamYearFactory(year=2024)
    response = as_user(worker).post(
        "/admin/talent/examattempt/add/",
        {
            "person": person_a.pk,
            "exam_year": exam.pk,
            "level": level("assistant").pk,
            "score_assistant_general": "101",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page and "100" in page
    assert not ExamAttempt.objects.exists()


def test_an_exam_before_its_registration_window_is_a_form_error(worker, as_user):
    response = as_user(worker).post(
        "/admin/talent/examyear/add/",
        {
            "year": 2027,
            "registration_opens": "2027-03-01",
            "registration_closes": "2027-03-20",
            "exam_starts": "2027-02-14",
            "exam_ends": "2027-02-15",
            "pass_mark": "60",
        },
    )
    assert response.status_code == 200
    assert "考试必须在报名期之后" in response.content.decode()
    assert not ExamYear.objects.filter(year=2027).exists()


def test_an_exam_before_its_registration_window_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExamYear.objects.create(
            year=2027,
            registration_opens=date(2027, 3, 1),
            registration_closes=date(2027, 3, 20),
            exam_starts=date(2027, 3, 10),
            exam_ends=date(2027, 3, 11),
        )


def _results(rows):
    data = Dataset(headers=["姓名", "手机号", "考试年度", "科目", "分数"])
    for row in rows:
        data.append(row)
    return data


def test_a_bad_results_row_saves_nothing_and_names_its_excel_row(station, person_a, person_b, head):
    ExamYearFactory(year=2024)
    data = _results(
        [
            [person_a.name, person_a.phone, 2024, "社会工作综合能力（初级）", 75],
            [person_b.name, person_b.phone, 2024, "社会工作实务（初级）", 101],
            ["无此人", "13900000000", 2024, "社会工作实务（初级）", 60],
            [person_b.name, person_b.phone, 2019, "社会工作实务（初级）", 60],
        ]
    )
    result = ExamResultResource(station=station, user=head).import_data(data, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3, 4, 5]
    messages = str([row.error_dict for row in result.invalid_rows])
    assert "0 到 100" in messages and "无此人" in messages and "2019" in messages
    assert not SubjectScore.objects.exists() and not ExamAttempt.objects.exists()


def test_a_good_results_file_records_scores_and_the_pass(station, person_a, head):
    ExamYearFactory(year=2024)
    data = _results(
        [
            [person_a.name, person_a.phone, 2024, "社会工作综合能力（初级）", 75],
            [person_a.name, person_a.phone, 2024, "社会工作实务（初级）", "66.5"],
        ]
    )
    result = ExamResultResource(station=station, user=head).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert ExamAttempt.objects.get(person=person_a).result == ExamAttempt.Result.PASSED


def test_a_bad_ce_hours_row_saves_nothing(station, person_a, head):
    data = Dataset(headers=["姓名", "手机号", "培训机构", "课程", "完成日期", "学时"])
    data.append([person_a.name, person_a.phone, "市社工协会", "伦理", "2025-03-01", 6])
    data.append([person_a.name, person_a.phone, "市社工协会", "督导", "not a day", 6])
    data.append([person_a.name, person_a.phone, "市社工协会", "督导", "2025-03-02", -3])
    result = CEHoursResource(station=station, user=head).import_data(data, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3, 4]
    assert not CEHours.objects.exists()


def test_the_import_pages_open_in_chinese(worker, as_user):
    page = as_user(worker).get("/admin/talent/cehours/import/").content.decode()
    assert "导入" in page
