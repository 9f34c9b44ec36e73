"""Factories and helpers of the incubation platform's tests, on top of tests/factories.py."""

from datetime import date

from orgs import services
from orgs.models import CommunityOrg, Membership
from tests.factories import PersonFactory


def make_org(worker, community, name="丰京苑志愿服务队", category="volunteer", **kwargs):
    org = CommunityOrg(station=community.station, community=community, name=name, category=category, **kwargs)
    return services.org_save(org=org, actor=worker)


def add_members(org, worker, count, role=Membership.Role.MEMBER):
    people = PersonFactory.create_batch(count, community=org.community)
    return [
        services.membership_add(org=org, person=p, role=role, actor=worker, joined_on=date(2024, 3, 1))
        for p in people
    ]


def full_filing(org, worker):
    add_members(org, worker, 10)
    return services.filing_open(org=org, actor=worker, materials=["application", "charter", "roster"])
