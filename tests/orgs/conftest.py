import pytest

from .factories import make_org


@pytest.fixture
def org_a(worker, community_a):
    return make_org(worker, community_a)
