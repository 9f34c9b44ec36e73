"""The case list and the overdue list: counts that match the list, filters, pages instead of a silent cut."""

import re
from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from tests.factories import PersonFactory

from .factories import CaseFactory, WatchEntryFactory


def badges(text) -> str:
    return re.search(r'data-testid="case-counts".*?</div>', text, re.S).group(0)


def listed_numbers(text) -> list[str]:
    return re.findall(r">(GA\d{5})</a>", text)


def test_the_counts_are_of_the_cases_listed_not_the_whole_station(
    case, colleague, supervisor, person_b, as_user
):
    CaseFactory(
        person=person_b, worker=colleague, supervisor=supervisor
    )  # the colleague's, not listed to worker
    from cases.models import Case as CaseModel

    worker = case.worker
    text = as_user(worker).get("/cases/").content.decode()
    assert listed_numbers(text) == [case.number]
    assert "接案 1" in badges(text) and "合计 1" in badges(text)
    assert CaseModel.objects.count() == 2


def test_filtering_by_stage_and_community_narrows_the_list_and_its_counts(
    case, person_b, worker, supervisor, community_b, as_user
):
    other = CaseFactory(person=person_b, worker=worker, supervisor=supervisor)
    Case.objects.filter(pk=other.pk).update(stage="assessment")
    client = as_user(worker)
    text = client.get("/cases/?stage=assessment").content.decode()
    assert listed_numbers(text) == [other.number] and "合计 1" in badges(text)
    text = client.get(f"/cases/?community={community_b.pk}").content.decode()
    assert listed_numbers(text) == [other.number]
    text = client.get("/cases/?risk_level=high").content.decode()
    assert listed_numbers(text) == [] and "合计 0" in badges(text)


def test_a_worker_filter_offers_only_staff_of_the_station(case, worker, other_worker, as_user):
    text = as_user(worker).get("/cases/").content.decode()
    select = re.search(r'<select name="worker".*?</select>', text, re.S).group(0)
    assert f'value="{worker.pk}"' in select and f'value="{other_worker.pk}"' not in select


def test_more_cases_than_a_page_are_paged_not_cut(community_a, worker, supervisor, as_user):
    for _ in range(55):
        CaseFactory(person=PersonFactory(community=community_a), worker=worker, supervisor=supervisor)
    client = as_user(worker)
    first = client.get("/cases/?stage=intake").content.decode()
    second = client.get("/cases/?stage=intake&page=2").content.decode()
    assert len(listed_numbers(first)) == 50 and len(listed_numbers(second)) == 5
    assert "合计 55" in badges(first) and "第 1 页，共 2 页" in first
    assert re.search(r"stage=intake&(amp;)?page=2", first)  # the next page keeps the filter
    assert set(listed_numbers(first)).isdisjoint(listed_numbers(second))


def test_nonsense_filters_and_pages_never_500(case, worker, as_user):
    client = as_user(worker)
    for query in ("stage=nowhere", "worker=abc", "community=1'", "page=abc", "page=999", "risk_level=x"):
        assert client.get(f"/cases/?{query}").status_code == 200, query
        assert client.get(f"/cases/overdue/?{query.replace('risk_level', 'tier')}").status_code == 200, query


def test_a_cadre_filters_the_counts_of_their_community_and_sees_no_case(case, cadre_a, community_a, as_user):
    text = as_user(cadre_a).get(f"/cases/?community={community_a.pk}&stage=intake").content.decode()
    assert "接案 1" in badges(text) and case.number not in text and case.person.name not in text


def test_the_overdue_list_filters_by_tier_and_community(person_a, person_b, worker, community_b, as_user):
    long_ago = timezone.localdate() - timedelta(days=60)
    WatchEntryFactory(person=person_a, worker=worker, tier="high", started_on=long_ago)
    WatchEntryFactory(person=person_b, worker=worker, tier="key", started_on=long_ago)
    client = as_user(worker)

    def people(query):
        text = client.get(f"/cases/overdue/?{query}").content.decode()
        return set(re.findall(r'data-person="(\d+)"', text))

    assert people("") == {str(person_a.pk), str(person_b.pk)}
    assert people("tier=high") == {str(person_a.pk)}
    assert people(f"community={community_b.pk}") == {str(person_b.pk)}
