"""Garbage posted to casework pages and admin actions gets a clear answer, never a 500, and changes nothing."""

from django.utils import timezone


def test_a_month_outside_the_calendar_on_the_coverage_page_is_refused_not_a_crash(worker, as_user):
    page = as_user(worker).get("/cases/coverage/?month=0000-01")
    assert page.status_code == 200
    assert f'name="month" value="{timezone.localdate():%Y-%m}"' in page.content.decode()
    assert "请选择" in page.content.decode()
