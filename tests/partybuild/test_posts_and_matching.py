"""Service posts: places never negative (service, form and database), holders within the places, hours once a
day; matching ranks members by skills, community, availability and how busy they are, and says why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partybuild import matching, services
from partybuild.models import PostHolder, PostHours, ServicePost
from station.models import Need
from station.services import need_raise
from tests.factories import PersonFactory

from .factories import ServicePostFactory, make_active_member, make_member


@pytest.fixture
def post(community_a):
    return ServicePostFactory(
        community=community_a,
        title="法律咨询岗",
        skills_needed="法律咨询,调解",
        schedule="周六上午",
        places=2,
    )


def test_a_post_with_negative_places_is_refused_with_a_clear_message_and_nothing_saved(community_a, worker):
    post = ServicePost(
        station=community_a.station, community=community_a, title="巡逻岗", category="patrol", places=-1,
        published_from=timezone.localdate(),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.service_post_save(post=post, actor=worker)
    assert caught.value.message_dict["places"] == ["岗位名额不能为负数。"]
    assert ServicePost.objects.count() == 0


def test_the_database_refuses_negative_places_too(post):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePost.objects.filter(pk=post.pk).update(places=-3)
    post.refresh_from_db()
    assert post.places == 2


def test_the_admin_form_shows_negative_places_as_a_form_error(community_a, worker, as_user):
    response = as_user(worker).post(
        "/admin/partybuild/servicepost/add/",
        {
            "station": community_a.station_id, "community": community_a.pk, "title": "巡逻岗",
            "category": "patrol", "places": "-2", "published_from": str(timezone.localdate()),
            "holders-TOTAL_FORMS": "0", "holders-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "岗位名额不能为负数。" in response.content.decode()
    assert ServicePost.objects.count() == 0


def test_holders_never_outnumber_the_places(post, community_a, worker):
    members = [make_member(PersonFactory(community=community_a), worker) for _ in range(3)]
    services.post_assign(post=post, member=members[0], actor=worker)
    services.post_assign(post=post, member=members[1], actor=worker)
    with pytest.raises(ValidationError, match="名额已满"):
        services.post_assign(post=post, member=members[2], actor=worker)
    assert PostHolder.objects.filter(post=post, status="holding").count() == 2
    with pytest.raises(ValidationError, match="名额不能少于"):
        post.places = 1
        services.service_post_save(post=post, actor=worker)


def test_an_application_is_accepted_by_a_worker_and_hours_are_recorded_once_a_day(post, person_a, worker):
    member = make_member(person_a, worker)
    holder = services.post_apply(post=post, member=member, actor=worker)
    assert holder.status == "applied"
    with pytest.raises(ValidationError):
        services.post_hours_record(holder=holder, served_on=timezone.localdate(), hours=2, actor=worker)
    holder = services.post_holder_accept(holder=holder, actor=worker)
    today = timezone.localdate()
    services.post_hours_record(holder=holder, served_on=today, hours="2.5", actor=worker)
    services.post_hours_record(holder=holder, served_on=today, hours="3", actor=worker, note="更正")
    assert list(PostHours.objects.values_list("hours", flat=True)) == [Decimal("3.0")]
    for bad in ("0", "-1", "25"):
        with pytest.raises(ValidationError, match="小时数"):
            services.post_hours_record(holder=holder, served_on=today, hours=bad, actor=worker)
    with pytest.raises(ValidationError, match="未来"):
        services.post_hours_record(holder=holder, served_on=today + timedelta(days=1), hours=1, actor=worker)


def test_matching_ranks_by_skills_and_community_and_explains_itself(post, community_a, community_b, worker):
    lawyer_here = make_active_member(
        PersonFactory(community=community_a, name="王律师"),
        worker,
        skills="法律咨询、调解",
        availability="周六上午",
    )
    lawyer_away = make_active_member(
        PersonFactory(community=community_b, name="赵律师"), worker, skills="法律咨询"
    )
    neighbour = make_active_member(PersonFactory(community=community_a, name="钱邻居"), worker, skills="摄影")
    make_active_member(PersonFactory(community=community_b, name="孙无关"), worker, skills="摄影")

    ranked = matching.match_for_post(post, worker)

    assert [m.member for m in ranked] == [lawyer_here, lawyer_away, neighbour]
    assert ranked[0].reason == "技能：法律咨询、调解；同住丰京苑社区；时间：周六上午；本季度已服务0次"
    assert ranked[1].reason == "技能：法律咨询；本季度已服务0次"
    assert ranked[2].reason == "同住丰京苑社区；本季度已服务0次"


def test_a_member_busy_this_quarter_ranks_below_an_equal_one_who_is_not(post, community_a, worker):
    busy = make_active_member(PersonFactory(community=community_a, name="甲"), worker, skills="法律咨询")
    free = make_active_member(PersonFactory(community=community_a, name="乙"), worker, skills="法律咨询")
    other = ServicePostFactory(community=community_a, places=5)
    holder = services.post_assign(post=other, member=busy, actor=worker)
    services.post_hours_record(holder=holder, served_on=timezone.localdate(), hours=2, actor=worker)

    ranked = matching.match_for_post(post, worker)

    assert [m.member for m in ranked] == [free, busy]
    assert ranked[1].reason.endswith("本季度已服务1次")


def test_matching_for_a_need_uses_the_need_category_and_leaves_out_lapsed_members(
    community_a, person_a, worker
):
    need = need_raise(
        person=person_a,
        category=Need.Category.LEGAL,
        description="遗产纠纷咨询",
        source="visit",
        actor=worker,
    )
    lawyer = make_active_member(PersonFactory(community=community_a, name="律师"), worker, skills="法律咨询")
    lapsed = make_active_member(
        PersonFactory(community=community_a, name="失效"), worker, skills="法律咨询",
        on=timezone.localdate() - timedelta(days=400),
    )  # fmt: skip
    services.reports_lapse_due()
    ranked = matching.match_for_need(need, worker)
    assert [m.member for m in ranked] == [lawyer]
    assert lapsed not in [m.member for m in ranked]
    assert ranked[0].reason.startswith("技能：法律咨询；同住丰京苑社区")


def test_the_worker_assigns_from_the_match_page_and_the_reason_is_kept(post, community_a, worker, as_user):
    member = make_active_member(
        PersonFactory(community=community_a, name="王律师"), worker, skills="法律咨询"
    )
    client = as_user(worker)
    page = client.get(f"/admin/partybuild/servicepost/{post.pk}/match/").content.decode()
    assert "王律师" in page and "技能：法律咨询" in page
    client.post(f"/admin/partybuild/servicepost/{post.pk}/match/", {"member": member.pk})
    holder = PostHolder.objects.get()
    assert (holder.member, holder.status, holder.how) == (member, "holding", "assigned")
    assert holder.match_reason.startswith("技能：法律咨询")


def test_matching_reads_with_a_bounded_number_of_queries(
    post, community_a, worker, django_assert_max_num_queries
):
    for i in range(12):
        make_active_member(
            PersonFactory(community=community_a), worker, skills="法律咨询" if i % 2 else "摄影"
        )
    with django_assert_max_num_queries(8):
        ranked = matching.match_for_post(post, worker)
    assert len(ranked) == 12
