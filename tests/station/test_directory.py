"""The shared directories: households, partner units and rubrics, used by every platform."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from station import rubrics, services
from station.models import Household, HouseholdMember, PartnerUnit, Rubric, RubricCriterion

from ..factories import PersonFactory


@pytest.fixture
def household(community_a, worker):
    return services.household_save(
        household=Household(community=community_a, address="丰京苑3号楼2单元501", number="FJY-0501"),
        actor=worker,
    )


def test_a_household_has_one_head_and_members_of_its_own_community(household, person_a, person_b, worker):
    services.household_member_set(household=household, person=person_a, relation="head", actor=worker)
    spouse = PersonFactory(community=person_a.community, name="张建军")
    with pytest.raises(ValidationError, match="张桂兰"):
        services.household_member_set(household=household, person=spouse, relation="head", actor=worker)
    services.household_member_set(household=household, person=spouse, relation="spouse", actor=worker)
    with pytest.raises(ValidationError, match="另一个社区|another community"):
        services.household_member_set(household=household, person=person_b, relation="child", actor=worker)
    assert sorted(household.memberships.values_list("relation", flat=True)) == ["head", "spouse"]


def test_a_person_moves_household_rather_than_belonging_to_two(household, community_a, person_a, worker):
    services.household_member_set(household=household, person=person_a, relation="head", actor=worker)
    other = services.household_save(
        household=Household(community=community_a, address="丰京苑5号楼"), actor=worker
    )
    services.household_member_set(household=other, person=person_a, relation="head", actor=worker)
    assert HouseholdMember.objects.get(person=person_a).household == other
    assert not household.memberships.exists()


def test_a_cadre_of_another_community_gets_404_on_a_household(
    household, community_b, station, cadre_a, as_user
):
    from ..factories import make_staff

    cadre_b = make_staff("cadre", station=station, communities=[community_b], username="cadre_b")
    assert as_user(cadre_b).get(f"/admin/station/household/{household.pk}/change/").status_code == 404
    # ...while the cadre of its own community reads it.
    assert as_user(cadre_a).get(f"/admin/station/household/{household.pk}/change/").status_code == 200


def test_partner_units_are_one_list_per_station_and_scoped(
    station, other_station, worker, other_worker, as_user
):
    unit = services.partner_unit_save(
        unit=PartnerUnit(station=station, name="沣东新城人民医院", kind="hospital", resident_unit=True),
        actor=worker,
    )
    with pytest.raises(ValidationError):
        services.partner_unit_save(unit=PartnerUnit(station=station, name="沣东新城人民医院"), actor=worker)
    assert as_user(other_worker).get(f"/admin/station/partnerunit/{unit.pk}/change/").status_code == 404
    assert as_user(worker).get(f"/admin/station/partnerunit/{unit.pk}/change/").status_code == 200


@pytest.fixture
def rubric(station):
    rubric = Rubric.objects.create(station=station, name="能力评估", purpose="capacity")
    for order, (label, maximum, weight) in enumerate(
        [("基础条件", 20, 1), ("内部治理", 30, 1), ("工作绩效", 30, 2), ("社会评价", 20, 1)]
    ):
        RubricCriterion.objects.create(
            rubric=rubric, label=label, max_score=maximum, weight=weight, order=order
        )
    return rubric


def test_a_score_above_the_maximum_or_below_zero_is_refused(rubric):
    criteria = list(rubric.criteria.all())
    with pytest.raises(ValidationError) as caught:
        rubrics.scores_check(criteria, {criteria[0].pk: 21, criteria[1].pk: -1, criteria[2].pk: "x"})
    text = " ".join(caught.value.messages)
    assert "0到20之间" in text  # the maximum as a worker writes it, not 2E+1
    assert "基础条件" in text and "内部治理" in text and "工作绩效" in text and "社会评价" in text


def test_the_weighted_total_is_out_of_a_hundred(rubric):
    criteria = list(rubric.criteria.all())
    full = rubrics.scores_check(criteria, {c.pk: c.max_score for c in criteria})
    assert rubrics.weighted_total(criteria, full) == Decimal("100.00")
    # 10/20, 15/30, 30/30 (weight 2), 10/20 over weights 5: (0.5 + 0.5 + 2 + 0.5) / 5 = 70.
    half = rubrics.scores_check(criteria, dict(zip([c.pk for c in criteria], [10, 15, 30, 10], strict=True)))
    assert rubrics.weighted_total(criteria, half) == Decimal("70.00")


def test_a_copy_keeps_its_criteria_when_the_template_changes(rubric, worker):
    copy = rubrics.rubric_copy(rubric=rubric, actor=worker, name="2026年度评估")
    rubric.criteria.filter(label="社会评价").update(max_score=40)
    assert copy.copied_from == rubric and not copy.is_template
    assert copy.criteria.get(label="社会评价").max_score == 20
    assert copy.criteria.count() == 4


def _household_form(community, rows):
    data = {
        "community": community.pk,
        "number": "FJY-0601",
        "address": "丰京苑6号楼",
        "note": "",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": "0",
    }
    for i, (person, relation) in enumerate(rows):
        data[f"memberships-{i}-person"] = person.pk
        data[f"memberships-{i}-relation"] = relation
    return data


def test_two_heads_or_a_neighbour_of_another_community_are_form_errors_in_the_admin(
    community_a, person_a, person_b, worker, as_user
):
    spouse = PersonFactory(community=community_a, name="张建军")
    client = as_user(worker)
    two_heads = client.post(
        "/admin/station/household/add/", _household_form(community_a, [(person_a, "head"), (spouse, "head")])
    )
    assert two_heads.status_code == 200 and "一户只有一位户主" in two_heads.content.decode()
    elsewhere = client.post(
        "/admin/station/household/add/", _household_form(community_a, [(person_b, "child")])
    )
    assert elsewhere.status_code == 200 and "另一个社区" in elsewhere.content.decode()
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()
    fine = client.post(
        "/admin/station/household/add/",
        _household_form(community_a, [(person_a, "head"), (spouse, "spouse")]),
    )
    assert fine.status_code == 302
    assert sorted(HouseholdMember.objects.values_list("relation", flat=True)) == ["head", "spouse"]


def test_a_rubric_and_its_criteria_saved_in_the_admin_leave_one_line_in_the_audit_trail(
    station, head, as_user
):
    from station.models import AuditEvent

    form = {
        "station": station.pk,
        "name": "项目评估",
        "purpose": "evaluation",
        "description": "",
        "is_template": "",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-order": "1",
        "criteria-0-label": "需求回应",
        "criteria-0-max_score": "40",
        "criteria-0-weight": "40",
        "criteria-1-order": "2",
        "criteria-1-label": "执行质量",
        "criteria-1-max_score": "60",
        "criteria-1-weight": "60",
    }
    response = as_user(head).post("/admin/station/rubric/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rubric = Rubric.objects.get(name="项目评估")
    assert [c.label for c in rubric.criteria.all()] == ["需求回应", "执行质量"]
    trail = AuditEvent.objects.filter(target_id=str(rubric.pk), action=AuditEvent.Action.UPDATE).get()
    assert trail.changes["criteria saved"] == ["需求回应", "执行质量"]

    # A criterion with no maximum is a form error on the page, and nothing of the change is saved.
    bad = {**form, "name": "项目评估（二）", "criteria-1-max_score": "0"}
    response = as_user(head).post("/admin/station/rubric/add/", bad)
    assert response.status_code == 200
    assert not Rubric.objects.filter(name="项目评估（二）").exists()
