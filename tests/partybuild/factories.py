"""Factories of the party-building platform, on top of tests/factories.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from partybuild import services
from partybuild.models import Course, PartyMember, PartyOrg, PracticeBase, ServicePost
from station.models import PartnerUnit
from tests.factories import StationFactory


class PartnerUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerUnit

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"驻区单位{n}")
    kind = PartnerUnit.Kind.GOVERNMENT
    resident_unit = True


class PartyOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrg

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"第{n}党支部")
    kind = PartyOrg.Kind.BRANCH
    owner = PartyOrg.Owner.COMMUNITY


class ServicePostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePost

    station = factory.LazyAttribute(lambda p: p.community.station)
    title = factory.Sequence(lambda n: f"服务岗位{n}")
    category = "legal"
    places = 3
    published_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))


class PracticeBaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeBase

    station = factory.SubFactory(StationFactory)
    unit = factory.SubFactory(PartnerUnitFactory, station=factory.SelfAttribute("..station"))
    name = factory.Sequence(lambda n: f"实践基地{n}")
    agreement_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    station = factory.SubFactory(StationFactory)
    title = factory.Sequence(lambda n: f"课程{n}")
    audience = Course.Audience.MEMBERS


def make_member(person, actor, link=PartyMember.Link.ON_DUTY, **kwargs) -> PartyMember:
    return services.member_register(person=person, link=link, actor=actor, **kwargs)


def make_active_member(person, actor, on=None, **kwargs) -> PartyMember:
    member = make_member(person, actor, **kwargs)
    report = services.member_report_submit(person=person, actor=actor, submitted_on=on)
    services.member_report_accept(report=report, actor=actor, on=on)
    services.member_report_activate(report=report, actor=actor, on=on)
    return member
