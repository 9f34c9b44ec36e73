"""A file too big for the web request (IMPORT_BACKGROUND_ROWS) is checked and imported by a worker: its page
shows the progress and then the same row-numbered result, the confirm imports it exactly once, someone else's
job is a 404, and a broker that does not answer never fails the upload."""

import re
import time
from datetime import timedelta

import openpyxl
import pytest
from django.db import connections
from django.utils import timezone

from cases.models import Visit
from station.import_jobs import Progress
from station.models import ImportJob
from station.tasks import import_job_import, import_jobs_sweep
from tests.helpers import require_broker, require_postgresql

from .test_broker_down import silent_broker  # noqa: F401 - a fixture
from .test_import_files import VISIT_HEADERS, post_import, xlsx

URL = "/admin/cases/visit/import/"


@pytest.fixture(autouse=True)
def _background_above_five_rows(settings):
    settings.IMPORT_BACKGROUND_ROWS = 5


def _visits(person, n):
    day = timezone.localdate() - timedelta(days=3)
    return xlsx(
        VISIT_HEADERS,
        [[person.name, "", "电话探访", str(day), 10, f"第{i}次", "无风险", ""] for i in range(n)],
    )


def _strangers(n):
    return xlsx(
        VISIT_HEADERS, [[f"无此人{i}", "", "电话探访", "2026-03-02", 10, "", "", ""] for i in range(n)]
    )


def _upload(client, content, capture):
    with capture(execute=True):
        response = post_import(client, URL, content)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_a_file_at_the_threshold_is_still_checked_in_the_request(person_a, worker, as_user):
    body = post_import(as_user(worker), URL, _visits(person_a, 5)).content.decode()
    assert "确认导入" in body
    assert not ImportJob.objects.exists()


def test_a_bad_file_above_the_threshold_shows_its_errors_by_row_and_saves_nothing(
    worker, as_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.IMPORT_PAGE_ROWS = 3
    client = as_user(worker)
    page = _upload(client, _strangers(8), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert page == f"/admin/cases/visit/import/job/{job.pk}/"
    assert (job.state, job.rows_done, job.rows_total) == ("done", 8, 8)
    body = client.get(page).content.decode()
    assert "检查发现错误" in body and "确认导入" not in body and "http-equiv" not in body
    assert "找不到居民“无此人2”" in body and "无此人3" not in body  # the first three rows: 2, 3, 4
    assert re.search(r"<td>2</td>\s*<td class=\"errors\">", body)
    assert "有 8 行存在错误，下面只显示前 3 行" in body
    link = re.search(r'href="(/admin/cases/visit/import/job/\d+/report/)"', body).group(1)
    report = openpyxl.load_workbook(__import__("io").BytesIO(client.get(link).content)).active
    assert [line[0] for line in report.iter_rows(min_row=2, values_only=True)] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert not Visit.objects.exists()
    assert bytes(ImportJob.objects.get().file) == b""  # a file with errors is not kept


def test_a_good_file_is_imported_once_after_the_confirm_even_when_delivered_twice(
    person_a, worker, as_user, django_capture_on_commit_callbacks
):
    client = as_user(worker)
    page = _upload(client, _visits(person_a, 8), django_capture_on_commit_callbacks)
    body = client.get(page).content.decode()
    assert "检查未发现错误：新增8条" in body and "确认导入" in body
    assert not Visit.objects.exists()
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{page}confirm/")
        client.post(f"{page}confirm/")  # a double tap
    assert response["Location"] == page
    assert "导入完成：新增8条" in client.get(page).content.decode()
    assert Visit.objects.count() == 8
    assert import_job_import(job.pk) is False  # the task delivered again
    assert Visit.objects.count() == 8
    job.refresh_from_db()
    assert (job.phase, job.state, job.rows_done) == ("import", "done", 8)
    assert bytes(job.file) == b""


def test_rows_no_longer_valid_at_the_confirm_fail_the_job_in_chinese_and_save_nothing(
    person_a, worker, as_user, django_capture_on_commit_callbacks
):
    client = as_user(worker)
    page = _upload(client, _visits(person_a, 8), django_capture_on_commit_callbacks)
    person_a.delete()  # the records changed between the check and the confirm
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{page}confirm/")
    body = client.get(page).content.decode()
    assert "没有导入任何记录" in body and "找不到居民“张桂兰”" in body
    assert not Visit.objects.exists()
    assert ImportJob.objects.get().state == "failed"


def test_a_big_file_the_worker_must_refuse_fails_its_job_with_the_reason_in_chinese(
    person_a, worker, as_user, django_capture_on_commit_callbacks
):
    day = str(timezone.localdate() - timedelta(days=3))
    rows = [[person_a.name, "", "电话探访", day, 10, "", "无风险", ""] for _ in range(7)]
    rows.append([person_a.name, "", "电话探访", day, "=5+5", "", "无风险", ""])  # no computed value
    client = as_user(worker)
    page = _upload(client, xlsx(VISIT_HEADERS, rows), django_capture_on_commit_callbacks)
    assert "1 个单元格是公式且没有计算结果" in client.get(page).content.decode()
    assert ImportJob.objects.get().state == "failed"
    assert not Visit.objects.exists()


def test_someone_elses_job_is_a_404(
    person_a, worker, head, other_worker, as_user, django_capture_on_commit_callbacks, django_user_model
):
    page = _upload(as_user(worker), _visits(person_a, 8), django_capture_on_commit_callbacks)
    for user in (head, other_worker):
        client = as_user(user)
        assert client.get(page).status_code == 404
        assert client.post(f"{page}confirm/").status_code == 404
        assert client.get(f"{page}report/").status_code == 404
    assert not Visit.objects.exists()
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-123")
    assert as_user(root).get(page).status_code == 200
    assert as_user(worker).get(page.replace("cases/visit", "station/need")).status_code == 404


@pytest.mark.usefixtures("silent_broker")
def test_an_upload_while_the_broker_hangs_is_queued_and_sent_again_by_the_sweep(
    person_a, worker, as_user, django_capture_on_commit_callbacks
):
    from config.celery import app

    client = as_user(worker)
    started = time.monotonic()
    page = _upload(client, _visits(person_a, 8), django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 20  # well inside gunicorn's 30 s
    body = client.get(page).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in body and "<progress" in body
    job = ImportJob.objects.get()
    assert job.state == "queued"
    ImportJob.objects.update(queued_at=timezone.now() - timedelta(minutes=11))
    app.conf.task_always_eager = True
    assert import_jobs_sweep() == 1
    job.refresh_from_db()
    assert (job.state, job.rows_done) == ("done", 8) and job.can_confirm


def test_the_sweep_deletes_jobs_after_their_keeping_days(worker, settings):
    kept = ImportJob.objects.create(
        user=worker, model_label="cases.visit", file_name="a.xlsx", language="zh-hans"
    )
    old = ImportJob.objects.create(
        user=worker,
        model_label="cases.visit",
        file_name="b.xlsx",
        language="zh-hans",
        state="done",
        created_at=timezone.now() - timedelta(days=settings.IMPORT_JOB_KEEP_DAYS + 1),
    )
    import_jobs_sweep()
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert old.pk != kept.pk


@pytest.mark.django_db(transaction=True)
def test_the_progress_is_seen_by_other_processes_while_the_check_runs(
    station, community_a, worker, as_user, settings, monkeypatch
):
    """The check runs inside a transaction it rolls back; the rows done are written beside it."""
    require_postgresql()
    from tests.factories import PersonFactory

    person = PersonFactory(community=community_a, name="张桂兰")
    settings.IMPORT_PROGRESS_EVERY = 3
    seen, write = [], Progress.write
    outside = connections.create_connection("default")

    def write_and_look(self, done):
        write(self, done)
        with outside.cursor() as cursor:
            cursor.execute("SELECT rows_done FROM station_importjob WHERE id = %s", [self.job_id])
            seen.append(cursor.fetchone()[0])

    monkeypatch.setattr(Progress, "write", write_and_look)
    try:
        response = post_import(as_user(worker), URL, _visits(person, 10))
    finally:
        outside.close()
    assert response.status_code == 302
    assert seen == [3, 6, 9]
    assert ImportJob.objects.get().rows_done == 10


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_imports_a_big_file(station, community_a, worker, as_user):
    require_broker()
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from tests.factories import PersonFactory

    person = PersonFactory(community=community_a, name="张桂兰")
    client = as_user(worker)

    def wait_for(phase):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job = ImportJob.objects.get()
            if job.phase == phase and job.state in ("done", "failed"):
                return job
            time.sleep(0.2)
        raise AssertionError(f"the {phase} did not finish: {job.state}")

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            page = post_import(client, URL, _visits(person, 12))["Location"]
            assert wait_for("check").can_confirm
            client.post(f"{page}confirm/")
            assert wait_for("import").state == "done"
    finally:
        app.conf.task_always_eager = True
    assert "导入完成：新增12条" in client.get(page).content.decode()
    assert Visit.objects.count() == 12
