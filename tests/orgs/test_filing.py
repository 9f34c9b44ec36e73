"""The filing with the street: draft → submitted → community reviewed → approved, or returned with a reason."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orgs import services
from orgs.models import CommunityOrg, Filing

from .factories import add_members, full_filing


def test_a_filing_cannot_be_submitted_with_its_checklist_incomplete(org_a, worker):
    add_members(org_a, worker, 4)
    filing = services.filing_open(org=org_a, actor=worker, materials=["application"])
    with pytest.raises(ValidationError) as exc:
        services.filing_submit(filing=filing, actor=worker)
    text = " ".join(exc.value.messages)
    assert "章程" in text and "成员名册" in text and "申请表" not in text
    assert "至少需要 10 名成员，目前只有 4 名" in text
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DRAFT


def test_the_minimum_members_is_a_setting(org_a, worker, settings):
    settings.ORGS_FILING_MIN_MEMBERS = 3
    add_members(org_a, worker, 3)
    filing = services.filing_open(org=org_a, actor=worker, materials=["application", "charter", "roster"])
    assert services.filing_submit(filing=filing, actor=worker).status == Filing.Status.SUBMITTED


def test_a_filing_goes_through_the_community_and_the_street(org_a, worker, supervisor):
    filing = full_filing(org_a, worker)
    services.filing_submit(filing=filing, actor=worker)
    services.filing_community_review(filing=filing, opinion="两委同意", actor=worker)
    with pytest.raises(PermissionDenied):  # a worker does not decide for the street
        services.filing_approve(filing=filing, number="GQ-001", filed_on=date(2025, 3, 1), actor=worker)
    services.filing_approve(filing=filing, number="GQ-001", filed_on=date(2025, 3, 1), actor=supervisor)
    org_a.refresh_from_db()
    assert org_a.tier == CommunityOrg.Tier.FILED
    assert (org_a.filing_number, org_a.filed_on) == ("GQ-001", date(2025, 3, 1))


def test_the_submitter_cannot_approve(org_a, supervisor, worker):
    filing = full_filing(org_a, worker)
    services.filing_submit(filing=filing, actor=supervisor)
    services.filing_community_review(filing=filing, opinion="同意", actor=worker)
    with pytest.raises(PermissionDenied):
        services.filing_approve(filing=filing, number="1", filed_on=date(2025, 1, 1), actor=supervisor)


def test_a_returned_filing_keeps_its_reason(org_a, worker, supervisor):
    filing = full_filing(org_a, worker)
    services.filing_submit(filing=filing, actor=worker)
    with pytest.raises(ValidationError):
        services.filing_return(filing=filing, reason="  ", actor=supervisor)
    services.filing_return(filing=filing, reason="章程缺少议事规则", actor=supervisor)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.RETURNED
    assert filing.return_reason == "章程缺少议事规则"
    # The worker opens a new one; the returned filing and its reason stay.
    again = services.filing_open(org=org_a, actor=worker, materials=["application", "charter", "roster"])
    services.filing_submit(filing=again, actor=worker)
    filing.refresh_from_db()
    assert filing.return_reason == "章程缺少议事规则"
    with pytest.raises(ValidationError):  # a returned filing does not move again
        services.filing_submit(filing=filing, actor=worker)


def test_steps_cannot_be_skipped(org_a, worker, supervisor):
    filing = full_filing(org_a, worker)
    with pytest.raises(ValidationError):
        services.filing_approve(filing=filing, number="1", filed_on=date(2025, 1, 1), actor=supervisor)
    with pytest.raises(ValidationError):
        services.filing_community_review(filing=filing, opinion="同意", actor=worker)


def test_one_filing_under_way_at_a_time(org_a, worker):
    full_filing(org_a, worker)
    with pytest.raises(ValidationError):
        services.filing_open(org=org_a, actor=worker)


def test_a_worker_of_another_station_cannot_file(org_a, other_worker):
    with pytest.raises(PermissionDenied):
        services.filing_open(org=org_a, actor=other_worker)
