"""The incubation path: moves only to the next stage, each authored and dated; 退出 from any stage."""

import pytest
from django.core.exceptions import ValidationError

from orgs import services
from orgs.models import CommunityOrg, Stage, StageMove


def _tick_and_advance(org, worker):
    org.refresh_from_db()
    services.stage_check(org=org, items=org.stage.checklist_items, actor=worker)
    return services.stage_advance(org=org, done="做了该做的", actor=worker)


def test_stage_moves_go_in_order_only(org_a, worker):
    services.incubation_start(org=org_a, actor=worker, done="入户调研")
    org_a.refresh_from_db()
    assert org_a.stage.name == "需求调研"
    third = Stage.objects.get(station=org_a.station, order=3)
    services.stage_check(org=org_a, items=org_a.stage.checklist_items, actor=worker)
    with pytest.raises(ValidationError):
        services.stage_advance(org=org_a, done="跳过", actor=worker, to_stage=third)
    move = _tick_and_advance(org_a, worker)
    assert (move.from_stage.name, move.to_stage.name, move.moved_by) == ("需求调研", "主动挖掘", worker)
    assert move.done == "做了该做的" and move.moved_at is not None


def test_the_checklist_must_be_done_before_moving_on(org_a, worker):
    services.incubation_start(org=org_a, actor=worker)
    with pytest.raises(ValidationError) as exc:
        services.stage_advance(org=org_a, done="x", actor=worker)
    assert "居民需求调研已记录" in " ".join(exc.value.messages)


def test_the_whole_path_ends_in_graduation(org_a, worker):
    services.incubation_start(org=org_a, actor=worker)
    for _ in range(6):
        _tick_and_advance(org_a, worker)
    org_a.refresh_from_db()
    assert org_a.incubation == CommunityOrg.Incubation.GRADUATED and org_a.stage.name == "出壳"
    with pytest.raises(ValidationError):
        services.stage_advance(org=org_a, done="x", actor=worker)


@pytest.mark.parametrize("moves", [0, 2, 5])
def test_exit_is_possible_from_any_stage_with_a_reason(org_a, worker, moves):
    services.incubation_start(org=org_a, actor=worker)
    for _ in range(moves):
        _tick_and_advance(org_a, worker)
    with pytest.raises(ValidationError):
        services.incubation_exit(org=org_a, reason="", actor=worker)
    move = services.incubation_exit(org=org_a, reason="骨干外出务工", actor=worker)
    org_a.refresh_from_db()
    assert org_a.incubation == CommunityOrg.Incubation.EXITED and org_a.exit_reason == "骨干外出务工"
    assert move.kind == StageMove.Kind.EXIT and move.from_stage.order == moves + 1
    with pytest.raises(ValidationError):
        services.stage_advance(org=org_a, done="x", actor=worker)


def test_stage_names_are_data_the_station_edits(org_a, worker, station):
    for order, name in enumerate(["入驻", "孵化", "评估", "出壳"], start=1):
        Stage.objects.create(station=station, name=name, order=order, graduates=name == "出壳")
    services.incubation_start(org=org_a, actor=worker)
    org_a.refresh_from_db()
    assert org_a.stage.name == "入驻"
    services.stage_advance(org=org_a, done="签约入驻", actor=worker)
    org_a.refresh_from_db()
    assert org_a.stage.name == "孵化"


def test_the_default_led_by_follows_the_category(worker, community_a):
    from .factories import make_org

    assert make_org(worker, community_a, name="议事会", category="consultation").led_by == "station"
    assert make_org(worker, community_a, name="广场舞队", category="arts").led_by == "self"
