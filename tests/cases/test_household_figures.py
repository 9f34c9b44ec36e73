"""户 and 户次 from records: home visits by household, distinct households, households new to home visits,
and 低保 households and people at the month's end; none of the distinct or month-end ones is summed."""

from datetime import date

from station import services as station_services
from station.models import Designation, Household
from stats.registry import get_metric, month_period
from tests.factories import PersonFactory

from .factories import VisitFactory


def compute(name, station, year=2026, month=3):
    return get_metric(name).compute(month_period(station, year, month))


def household(community, worker, number, *people):
    home = station_services.household_save(
        household=Household(community=community, number=number, address=f"{number}号"), actor=worker
    )
    for i, person in enumerate(people):
        station_services.household_member_set(
            household=home, person=person, relation="head" if i == 0 else "spouse", actor=worker
        )
    return home


def test_home_visits_in_households_and_household_visits(station, community_a, community_b, worker):
    wang, li = PersonFactory(community=community_a), PersonFactory(community=community_a)
    zhao, alone = PersonFactory(community=community_b), PersonFactory(community=community_a)
    household(community_a, worker, "A1", wang, li)
    household(community_b, worker, "B1", zhao)
    home = "home"
    VisitFactory(person=wang, worker=worker, kind=home, visited_on=date(2026, 2, 10))  # A1 seen before March
    VisitFactory(person=wang, worker=worker, kind=home, visited_on=date(2026, 3, 5))
    VisitFactory(person=li, worker=worker, kind=home, visited_on=date(2026, 3, 5))  # same household, same day
    VisitFactory(person=li, worker=worker, kind=home, visited_on=date(2026, 3, 20))
    VisitFactory(person=zhao, worker=worker, kind=home, visited_on=date(2026, 3, 8))
    VisitFactory(person=zhao, worker=worker, kind="phone", visited_on=date(2026, 3, 9))  # a call: not 户次
    VisitFactory(person=alone, worker=worker, kind=home, visited_on=date(2026, 3, 12))  # no household record
    # 户次: A1 on 5 and 20 March, B1 on 8 March, the unregistered person on 12 March.
    assert compute("cases.household_home_visits", station) == {community_a.pk: 3, community_b.pk: 1}
    assert compute("cases.households_home_visited", station) == {community_a.pk: 2, community_b.pk: 1}
    assert compute("cases.households_first_visited", station) == {community_a.pk: 1, community_b.pk: 1}
    assert compute("cases.home_visits", station) == {community_a.pk: 4, community_b.pk: 1}  # 次, not 户次
    assert compute("cases.households_first_visited", station, month=4) == {}
    distinct = get_metric("cases.households_home_visited")
    assert not distinct.cumulative  # never added up across months
    assert get_metric("cases.household_home_visits").cumulative
    assert get_metric("cases.households_first_visited").cumulative  # a household is new once


def test_low_income_households_and_people_at_the_months_end(station, community_a, worker):
    wang, li, son = (PersonFactory(community=community_a) for _ in range(3))
    alone, ended, later = (PersonFactory(community=community_a) for _ in range(3))
    household(community_a, worker, "A1", wang, li, son)
    for person in (wang, li, alone):
        Designation.objects.create(person=person, kind="low_income", start_date=date(2025, 6, 1))
    Designation.objects.create(person=ended, kind="low_income", start_date=date(2025, 6, 1),
                               end_date=date(2026, 3, 30))  # fmt: skip
    Designation.objects.create(person=later, kind="low_income", start_date=date(2026, 4, 1))
    Designation.objects.create(person=son, kind="disabled", start_date=date(2025, 6, 1))
    # 31 March: A1 (two people), the one living alone: 2 户 / 3 人.
    assert compute("station.low_income_households", station) == {community_a.pk: 2}
    assert compute("station.low_income_people", station) == {community_a.pk: 3}
    assert compute("station.low_income_people", station, month=4) == {community_a.pk: 4}
    for name in ("station.low_income_households", "station.low_income_people"):
        assert not get_metric(name).cumulative  # a state at the month's end


def test_the_person_page_and_the_visit_and_need_lists_show_the_household(
    station, community_a, person_a, worker, head, as_user
):
    spouse = PersonFactory(community=community_a, name="李秀英")
    household(community_a, worker, "FJY-0501", person_a, spouse)
    VisitFactory(person=person_a, worker=worker, kind="home")
    station_services.need_raise(person=spouse, category="daily_care", description="买菜",
                                source="visit", actor=worker)  # fmt: skip
    client = as_user(head)
    page = client.get(f"/people/{person_a.pk}/").content.decode()
    cell = page.split('data-testid="household"', 1)[1].split("</td>", 1)[0]
    assert "FJY-0501" in cell and f'href="/people/{spouse.pk}/"' in cell and "配偶" in cell
    assert "FJY-0501" in client.get("/admin/cases/visit/").content.decode()
    assert "FJY-0501" in client.get("/admin/station/need/").content.decode()
    alone = PersonFactory(community=community_a)
    assert "未登记在任何户中" in client.get(f"/people/{alone.pk}/").content.decode()
