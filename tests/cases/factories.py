"""Casework factories, built on the station core's."""

import factory
from django.utils import timezone

from cases.models import Case, Visit, WatchEntry


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    kind = Visit.Kind.PHONE
    visited_on = factory.LazyFunction(timezone.localdate)
    duration_minutes = 15
    findings = "精神状态良好"


class WatchEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WatchEntry

    tier = "high"
    reason = "独居老人"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    station = factory.LazyAttribute(lambda c: c.person.community.station)
    source = Case.Source.VISIT
    problem_areas = factory.LazyFunction(lambda: ["elderly_care"])
    risk_level = "medium"
