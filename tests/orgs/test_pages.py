"""The person page's section, the incubation board and the printable filing record."""

from datetime import date, timedelta

from django.utils import timezone

from orgs import services
from orgs.models import CommunityOrg

from .factories import full_filing, make_org


def test_the_person_page_shows_every_organisation_they_belong_to(as_user, worker, person_a, org_a):
    dance = make_org(worker, person_a.community, name="丰京苑舞蹈队", category="arts")
    services.membership_add(
        org=org_a, person=person_a, role="leader", actor=worker, joined_on=date(2024, 1, 1)
    )
    old = services.membership_add(
        org=dance, person=person_a, role="member", actor=worker, joined_on=date(2023, 1, 1)
    )
    services.membership_end(membership=old, left_on=date(2023, 6, 1), actor=worker)
    page = as_user(worker).get(f"/people/{person_a.pk}/").content.decode()
    assert "社区社会组织" in page
    assert "丰京苑志愿服务队 · 负责人" in page and "丰京苑舞蹈队 · 成员" in page and "已退出" in page


def test_the_board_shows_time_in_stage_what_is_unchecked_and_who_is_stuck(
    as_user, worker, org_a, community_a
):
    services.incubation_start(org=org_a, actor=worker)
    late = make_org(worker, community_a, name="丰京苑议事会", category="consultation")
    services.incubation_start(org=late, actor=worker)
    CommunityOrg.objects.filter(pk=late.pk).update(stage_since=timezone.now() - timedelta(days=120))
    response = as_user(worker).get("/orgs/board/")
    page = response.content.decode()
    assert response.status_code == 200 and "孵化看板" in page
    assert "居民需求调研已记录" in page and "本阶段已 120 天" in page and "停滞" in page


def test_a_cadre_cannot_open_the_board(as_user, cadre_a):
    assert as_user(cadre_a).get("/orgs/board/").status_code == 404


def test_a_filed_organisation_has_a_printable_record(as_user, worker, supervisor, other_worker, org_a):
    assert as_user(worker).get(f"/orgs/{org_a.pk}/filing-record/").status_code == 404  # not filed yet
    filing = full_filing(org_a, worker)
    services.filing_submit(filing=filing, actor=worker)
    services.filing_community_review(filing=filing, opinion="两委同意", actor=worker)
    services.filing_approve(filing=filing, number="GQ-2025-007", filed_on=date(2025, 5, 1), actor=supervisor)
    page = as_user(worker).get(f"/orgs/{org_a.pk}/filing-record/").content.decode()
    assert "GQ-2025-007" in page and "两委同意" in page and "社区社会组织备案表" in page
    assert as_user(other_worker).get(f"/orgs/{org_a.pk}/filing-record/").status_code == 404


def test_the_org_page_shows_where_its_leaders_came_from(as_user, worker, org_a, person_a):
    from volunteers import services as volunteer_services

    volunteer_services.volunteer_register(person=person_a, actor=worker, joined_on=date(2022, 4, 1))
    services.membership_add(org=org_a, person=person_a, role="leader", actor=worker)
    page = as_user(worker).get(f"/admin/orgs/communityorg/{org_a.pk}/change/").content.decode()
    assert "张桂兰" in page and "自 2022" in page


def test_the_org_list_links_to_the_board_for_staff_only(as_user, worker, cadre_a, org_a):
    assert "/orgs/board/" in as_user(worker).get("/admin/orgs/communityorg/").content.decode()
    assert "/orgs/board/" not in as_user(cadre_a).get("/admin/orgs/communityorg/").content.decode()


def test_the_org_page_loads_its_leaders_paths_in_the_same_queries_however_many_leaders(
    as_user, worker, org_a, community_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PersonFactory
    from volunteers import services as volunteer_services

    def add_volunteer_leader():
        person = PersonFactory(community=community_a)
        volunteer = volunteer_services.volunteer_register(
            person=person, actor=worker, joined_on=date(2022, 4, 1)
        )
        record = volunteer_services.service_record_backfill(
            volunteer=volunteer, service_date=date(2025, 5, 3), minutes=90, description="助老", actor=worker
        )
        volunteer_services.service_record_approve(record=record, actor=worker)
        services.membership_add(org=org_a, person=person, role="leader", actor=worker)

    add_volunteer_leader()
    client = as_user(worker)
    url = f"/admin/orgs/communityorg/{org_a.pk}/change/"
    with CaptureQueriesContext(connection) as one_leader:
        client.get(url)
    for _ in range(4):
        add_volunteer_leader()
    # Each extra row of the members inline costs Django's person autocomplete widget one lookup; the leaders'
    # paths cost nothing more.
    with django_assert_max_num_queries(len(one_leader) + 4):
        with CaptureQueriesContext(connection) as five_leaders:
            page = client.get(url).content.decode()
    assert page.count("1.5 小时") == 5
    volunteer_queries = [q["sql"] for q in five_leaders.captured_queries if "volunteers_" in q["sql"]]
    assert len(volunteer_queries) == 1


def test_the_board_lists_leader_candidates_with_their_reason_in_chinese_for_the_workers_station_only(
    as_user, worker, other_worker, station, community_a, org_a
):
    from tests.factories import PersonFactory
    from volunteers import services as volunteer_services

    busy = PersonFactory(community=community_a, name="王热心")
    volunteer = volunteer_services.volunteer_register(person=busy, actor=worker)
    record = volunteer_services.service_record_backfill(
        volunteer=volunteer, service_date=date(2025, 5, 3), minutes=300, description="助老", actor=worker
    )
    volunteer_services.service_record_approve(record=record, actor=worker)
    page = as_user(worker).get("/orgs/board/").content.decode()
    assert "负责人候选人" in page
    assert "王热心" in page and "志愿服务 5.0 小时" in page and f"/people/{busy.pk}/" in page
    other_page = as_user(other_worker).get("/orgs/board/").content.decode()
    assert "负责人候选人" in other_page and "王热心" not in other_page
    # Once they lead a group they are no longer a candidate.
    services.membership_add(org=org_a, person=busy, role="leader", actor=worker)
    assert "志愿服务 5.0 小时" not in as_user(worker).get("/orgs/board/").content.decode()


def test_the_org_page_lists_the_projects_it_runs_each_linked_to_its_page(as_user, worker, station, org_a):
    from projects.models import Project
    from projects.services import project_set_runner
    from tests.projects.factories import ProjectFactory

    won = ProjectFactory(station=station, title="丰京苑助老微项目", origin=Project.Origin.CONTEST)
    project_set_runner(won, org_a)
    won.save()
    ProjectFactory(station=station, title="别人的项目")
    url = f"/admin/orgs/communityorg/{org_a.pk}/change/"
    page = as_user(worker).get(url).content.decode()
    assert "承接或通过公益创投获得的项目" in page
    assert f'<a href="/projects/{won.pk}/">丰京苑助老微项目</a>' in page and "别人的项目" not in page
    assert as_user(worker).get(f"/projects/{won.pk}/").status_code == 200
