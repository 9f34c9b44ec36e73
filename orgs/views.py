"""The pages of the incubation platform outside the admin: the board and a filed organisation's printable
record. Staff only, scoped through the selectors (out of scope is a 404)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import render

from station.roles import is_station_staff

from . import selectors
from .models import CommunityOrg, Filing


def _require_station_staff(user):
    if not (is_station_staff(user) or getattr(user, "is_superuser", False)):
        raise Http404


@staff_member_required
def board(request):
    _require_station_staff(request.user)
    return render(
        request,
        "orgs/board.html",
        {
            "columns": selectors.board_for(request.user),
            "leaders_from_volunteers": selectors.leaders_from_volunteers_count(request.user),
            "candidates": selectors.leader_candidates_by_community(request.user),
        },
    )


@staff_member_required
def filing_record(request, pk):
    _require_station_staff(request.user)
    org = selectors.org_get_for_user(request.user, pk)
    if org.tier != CommunityOrg.Tier.FILED:
        raise Http404
    filing = (
        org.filings.filter(status=Filing.Status.APPROVED)
        .select_related("submitted_by", "community_reviewed_by", "decided_by")
        .first()
    )
    members = (
        org.memberships.filter(left_on__isnull=True)
        .select_related("person")
        .order_by("role", "joined_on", "pk")
    )
    return render(request, "orgs/filing_record.html", {"org": org, "filing": filing, "members": members})
