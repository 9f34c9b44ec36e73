"""A person's page shows the projects whose activities they attended."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects import services
from station.models import Activity, Attendance

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_person_page_lists_the_projects_they_took_part_in(
    station, community_a, person_a, worker, as_user
):
    project = ProjectFactory(station=station, community=community_a, title="银龄互助计划")
    starts = timezone.now() - timedelta(days=2)
    for _ in range(2):
        link = services.project_activity_record(
            project=project, actor=worker,
            activity=Activity(title="助老", starts_at=starts, ends_at=starts + timedelta(hours=1)),
        )  # fmt: skip
        Attendance.objects.create(activity=link.activity, person=person_a)
    body = as_user(worker).get(f"/people/{person_a.pk}/").content.decode()
    assert "银龄互助计划" in body and "2 次" in body and f"/projects/{project.pk}/" in body


def test_no_section_for_someone_who_took_part_in_nothing_nor_for_a_stranger(
    station, person_a, worker, cadre_a
):
    from projects.sections import project_section

    assert project_section(person_a, worker) is None
    ProjectFactory(station=station)
    assert project_section(person_a, cadre_a) is None
