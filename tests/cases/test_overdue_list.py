"""The overdue list: the last visit of any kind beside the last that counts, the tier's rule in words, and
links to the person and to the quick visit page with the person chosen."""

from datetime import timedelta

from django.utils import timezone

from cases import plan

from .factories import VisitFactory, WatchEntryFactory


def test_phone_visits_show_for_a_key_person_who_is_overdue_for_a_home_visit(person_a, worker, as_user):
    today = timezone.localdate()
    WatchEntryFactory(person=person_a, worker=worker, tier="key", started_on=today - timedelta(days=120))
    calls = [today - timedelta(days=d) for d in (100, 70, 40, 10)]
    for day in calls:
        VisitFactory(person=person_a, worker=worker, kind="phone", visited_on=day)
    text = as_user(worker).get("/cases/overdue/").content.decode()
    row = text.split(f'data-person="{person_a.pk}"', 1)[1].split("</li>", 1)[0]
    last = calls[-1]
    assert f"上次探访 {last.year}年{last.month}月{last.day}日" in row
    assert "上次计入周期的探访 —" in row
    assert "重点：每30天入户探访一次；电话探访不计" in row
    assert f'href="/people/{person_a.pk}/"' in row
    assert f'href="/cases/visit/new/?person={person_a.pk}"' in row


def test_the_rule_is_written_from_the_tiers_settings(settings, person_a, worker, as_user):
    settings.CASES_VISIT_CYCLES = {
        **settings.CASES_VISIT_CYCLES,
        "key": {"days": 45, "kinds": ["home"]},
        "high": {"days": 5, "kinds": ["phone", "home"]},
    }
    assert plan.tier_rule("key") == "重点：每45天入户探访一次；电话探访不计"
    assert plan.tier_rule("high") == "高风险：每5天探访一次（电话探访、入户探访均可）"
    WatchEntryFactory(person=person_a, worker=worker, tier="key", started_on=timezone.localdate())
    rules = as_user(worker).get("/cases/overdue/").content.decode().split('data-testid="tier-rules"')[1]
    assert "重点：每45天入户探访一次" in rules.split("</ul>")[0]


def test_the_links_open_the_person_and_the_quick_visit_with_the_person_chosen(
    person_a, other_person, worker, other_worker, as_user
):
    client = as_user(worker)
    page = client.get(f"/cases/visit/new/?person={person_a.pk}")
    assert page.status_code == 200
    assert f'data-testid="person">{person_a.name}' in page.content.decode()
    assert client.get(f"/people/{person_a.pk}/").status_code == 200
    # Someone of another station: both links are a 404, not a page about them.
    assert client.get(f"/cases/visit/new/?person={other_person.pk}").status_code == 404
    assert client.get(f"/people/{other_person.pk}/").status_code == 404
    assert client.get("/cases/visit/new/?person=abc").status_code == 404


def test_the_dashboard_panel_links_the_overdue_names(station, person_a, worker, head):
    from django.template.loader import render_to_string

    from cases.dashboard import overdue_visits_panel

    WatchEntryFactory(person=person_a, worker=worker, tier="high",
                      started_on=timezone.localdate() - timedelta(days=30))  # fmt: skip

    class Scope:
        community = None

    Scope.station = station
    panel = overdue_visits_panel(Scope, head)
    html = render_to_string(panel["template"], {"ctx": panel["context"]})
    assert f'href="/people/{person_a.pk}/"' in html
    assert f'href="/cases/visit/new/?person={person_a.pk}"' in html
