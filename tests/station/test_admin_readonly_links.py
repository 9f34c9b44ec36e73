"""A read-only admin page links a related record only when its reader may open it (Django ticket #33171)."""

import pytest

from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(station, community_a, worker):
    return ActivityFactory(station=station, community=community_a, organiser=worker, title="重阳敬老活动")


def test_cadre_reads_activity_without_links_to_station_or_staff_accounts(as_user, cadre_a, activity):
    page = as_user(cadre_a).get(f"/admin/station/activity/{activity.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/admin/station/station/" not in html and "/admin/auth/user/" not in html
    assert activity.station.name in html  # still named, just not a link to a 403
    assert f"/admin/station/community/{activity.community_id}/change/" in html  # a community they may read
    assert as_user(cadre_a).get(f"/admin/station/station/{activity.station_id}/change/").status_code == 403
