"""What each metric is: only counts are added up across months. A state at the month's end is the state at the
range's end; distinct people are counted over the range from the records. Walks every registered metric of
every app through the dashboard cards, the report workbook's columns and the charts' data."""

from datetime import date

import pytest

from stats import registry
from stats import report as reports
from stats import selectors as figures
from stats.models import StatValue

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.fixture
def twelve_each_month(station, community_a):
    """Every metric reads 12 in January and 12 in February, for the station and for community A; no records."""
    station.opened_on = JAN
    station.save()
    rows = []
    for m in registry.all_metrics():
        for month in (JAN, FEB):
            for community in (None, community_a):
                rows.append(
                    StatValue(station=station, community=community, month=month, metric=m.name, value=12)
                )
    StatValue.objects.bulk_create(rows)
    return station


def expected(metric):
    """Over January and February: 24 only for a count."""
    return {"count": 24, "state": 12}.get(metric.kind)


def test_every_metric_declares_a_known_kind():
    kinds = {m.name: m.kind for m in registry.all_metrics()}
    assert set(kinds.values()) <= set(registry.KINDS)
    assert kinds["cases.open_cases"] == "state"
    assert kinds["station.registered.tenant"] == "state"
    assert kinds["cases.groups"] == "distinct"
    assert kinds["volunteers.active_volunteers"] == "distinct"
    assert kinds["cases.phone_visits"] == "count"
    summed = [m.name for m in registry.all_metrics() if m.cumulative and m.kind != "count"]
    assert summed == []


def _never_summed(metric, value):
    want = expected(metric)
    if want is None:  # distinct: counted from the (absent) records, or blank; never 24
        assert value != 24, metric.name
        assert value in (0, None), (metric.name, value)
    else:
        assert value == want, (metric.name, value)


def test_dashboard_cards_never_add_up_a_state_or_distinct_people(twelve_each_month, community_a):
    metrics = registry.all_metrics()
    for community in (None, community_a):
        scope = figures.Scope(station=twelve_each_month, community=community, month=FEB)
        for card in figures.cards(scope, metrics, figures.summary(scope)):
            assert card["month"] == 12, card["metric"].name
            _never_summed(card["metric"], card["ytd"])
            _never_summed(card["metric"], card["cumulative"])


def test_report_columns_never_add_up_a_state_or_distinct_people(twelve_each_month, community_a):
    tables = reports.report_tables(twelve_each_month, JAN, FEB)
    position = [c.pk for c in tables["communities"]].index(community_a.pk)
    for row in tables["rows"]:
        metric = row["metric"]
        assert row["months"] == [12, 12], metric.name
        for value in (row["total"], row["ytd"], row["cumulative"], row["communities"][position]):
            _never_summed(metric, value)


def test_the_workbook_never_adds_up_a_state_or_distinct_people(twelve_each_month):
    wb = reports.build_workbook(twelve_each_month, JAN, FEB)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[2]][-3:] == ["区间合计", "本年累计", "开站以来累计"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(registry.all_metrics())
    for m, row in zip(figures.ordered_metrics(), rows, strict=True):
        assert row[1] == str(m.label)
        for value in row[-3:]:
            _never_summed(m, value)


def test_chart_data_never_adds_up_a_state_or_distinct_people(twelve_each_month, community_a):
    metrics = registry.all_metrics()
    names = [m.name for m in metrics]
    scope = figures.Scope(station=twelve_each_month, community=None, month=FEB)
    assert all(values == [12, 12] for values in figures.series(scope, names, [JAN, FEB]).values())
    compared = figures.by_community(twelve_each_month, names, JAN, FEB)
    for m in metrics:
        _never_summed(m, compared[m.name].get(community_a.pk))
        _never_summed(m, compared[m.name].get(None))


def test_the_dashboard_page_never_adds_up_a_state_or_distinct_people(twelve_each_month, head, as_user):
    text = as_user(head).get(f"/dashboard/station/{twelve_each_month.pk}/?month=2026-02").content.decode()
    table = text.split('data-testid="all-indicators"', 1)[1].split("</table>", 1)[0]
    for m in registry.all_metrics():
        row = table.split(f'<tr data-metric="{m.name}">', 1)[1].split("</tr>", 1)[0]
        cells = [cell.split("<", 1)[0] for cell in row.split('<td class="text-end"')[1:]]
        month, ytd, since = (c.split(">", 1)[-1] for c in (cells[0], cells[-2], cells[-1]))
        assert month == "12", m.name
        want = {"count": "24", "state": "12"}.get(m.kind, "—")
        assert (ytd, since) == (want, want), m.name
    for card in text.split('data-testid="card" data-metric="')[1:]:
        name = card.split('"', 1)[0]
        if registry.get_metric(name).kind != "count":
            assert "<strong>24</strong>" not in card.split("</section>", 1)[0][:1500], name
