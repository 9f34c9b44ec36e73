"""Fixtures the party-building tests share: the unit and the branch the import files name."""

import pytest

from .factories import PartnerUnitFactory, PartyOrgFactory


@pytest.fixture
def unit(station):
    return PartnerUnitFactory(station=station, name="区人民医院")


@pytest.fixture
def branch(station):
    return PartyOrgFactory(station=station, name="区人民医院党支部")
