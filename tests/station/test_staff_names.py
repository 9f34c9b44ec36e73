"""Staff are shown by their names, not their logins: in admin lists and filters, on case pages, in the
export page's column names."""

import pytest

from station.roles import display_name
from tests.cases.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(worker, supervisor):
    worker.first_name, supervisor.first_name = "李社工", "王督导"
    worker.save()
    supervisor.save()
    return worker, supervisor


def test_display_name_is_the_name_or_else_the_login(worker):
    assert display_name(worker) == "worker" and str(worker) == "worker"
    worker.first_name = "李社工"
    assert display_name(worker) == "李社工" and str(worker) == "李社工"
    assert display_name(None) == ""


def test_admin_case_list_and_case_page_show_names_not_logins(named, person_a, as_user, head):
    worker, supervisor = named
    case = CaseFactory(person=person_a, worker=worker, supervisor=supervisor)
    listing = as_user(head).get("/admin/cases/case/").content.decode()
    assert "李社工" in listing and "王督导" in listing
    assert ">worker<" not in listing and ">supervisor<" not in listing
    page = as_user(worker).get(f"/cases/{case.pk}/").content.decode()
    assert "李社工" in page and "王督导" in page


def test_the_export_page_names_columns_in_chinese(as_user, head):
    page = as_user(head).get("/admin/volunteers/ledgerentry/export/").content.decode()
    assert "积分" in page
    for english in ("Created By", "Points", "Kind"):
        assert english not in page
