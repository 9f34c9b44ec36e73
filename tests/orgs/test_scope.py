"""Who sees which organisation."""

from orgs import selectors

from .factories import make_org


def test_a_cadre_of_another_community_gets_404(as_user, cadre_a, worker, community_b, org_a):
    org_b = make_org(worker, community_b, name="韩南村舞蹈队", category="arts")
    client = as_user(cadre_a)
    assert client.get(f"/admin/orgs/communityorg/{org_a.pk}/change/").status_code == 200
    assert client.get(f"/admin/orgs/communityorg/{org_b.pk}/change/").status_code == 404
    assert list(selectors.org_list_visible_to(cadre_a)) == [org_a]


def test_org_get_for_user_404s_out_of_scope(org_a, other_worker, worker):
    import pytest
    from django.http import Http404

    assert selectors.org_get_for_user(worker, org_a.pk) == org_a
    with pytest.raises(Http404):
        selectors.org_get_for_user(other_worker, org_a.pk)


def test_district_viewers_read_figures_only(org_a, district_viewer):
    assert not selectors.org_list_visible_to(district_viewer).exists()


def test_a_cadre_reads_but_cannot_change(as_user, cadre_a, org_a):
    response = as_user(cadre_a).post(f"/admin/orgs/communityorg/{org_a.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
