"""Filters of the case list and the overdue list (django-filter), with choices limited to the user's scope."""

import django_filters
from django.utils.translation import gettext_lazy as _

from station.roles import display_name
from station.selectors import community_list_visible_to, station_ids_for, station_staff_users

from .models import Case, Risk, Tier, WatchEntry


def _staff_name(user) -> str:
    return display_name(user)


class _ScopedFilterSet(django_filters.FilterSet):
    """Worker and community choices from the user's station only; every label in the user's language."""

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        worker = self.filters["worker"].field
        worker.queryset = station_staff_users(station_ids_for(user)).order_by("first_name", "username")
        worker.label_from_instance = _staff_name
        self.filters["community"].field.queryset = community_list_visible_to(user).order_by("name")


class CaseFilter(_ScopedFilterSet):
    stage = django_filters.ChoiceFilter(label=_("stage"), choices=Case.Stage.choices, empty_label=_("all"))
    worker = django_filters.ModelChoiceFilter(label=_("assigned worker"), queryset=None, empty_label=_("all"))
    community = django_filters.ModelChoiceFilter(
        label=_("community"), field_name="person__community", queryset=None, empty_label=_("all")
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("risk level"), choices=Risk.choices, empty_label=_("all")
    )

    class Meta:
        model = Case
        fields = ["stage", "worker", "community", "risk_level"]


class OverdueFilter(_ScopedFilterSet):
    tier = django_filters.ChoiceFilter(label=_("risk tier"), choices=Tier.choices, empty_label=_("all"))
    worker = django_filters.ModelChoiceFilter(label=_("worker"), queryset=None, empty_label=_("all"))
    community = django_filters.ModelChoiceFilter(
        label=_("community"), field_name="person__community", queryset=None, empty_label=_("all")
    )

    class Meta:
        model = WatchEntry
        fields = ["tier", "worker", "community"]
