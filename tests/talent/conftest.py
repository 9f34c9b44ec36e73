"""The national exam's levels and subjects are data (a data migration); a transactional test elsewhere in the
suite empties the tables, so every test here puts them back first."""

import pytest


@pytest.fixture(autouse=True)
def _exam_levels(request):
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    request.getfixturevalue("db")
    from talent.services import exam_levels_ensure

    exam_levels_ensure()
