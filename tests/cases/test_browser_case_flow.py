"""A worker signs in through the login form, opens a case from the list, adds a goal and submits the plan; the
supervisor signs in, opens the case and approves it (Chromium, 1366 px wide)."""

import os

import pytest

from cases.models import Case

from ..helpers import chromium_browser
from .factories import CaseFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PASSWORD = "Pass-word-2026"


@pytest.fixture
def desktop():
    yield from chromium_browser()


def sign_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/admin/login/**")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_worker_submits_a_plan_and_the_supervisor_approves_it(
    live_server, desktop, person_a, worker, supervisor
):
    for user, name in ((worker, "李社工"), (supervisor, "王督导")):
        user.first_name = name
        user.set_password(PASSWORD)
        user.save()
    case = CaseFactory(person=person_a, worker=worker, supervisor=supervisor, stage=Case.Stage.PLAN,
                       assessment="独居，行动不便", plan_summary="每周上门一次，链接康复资源")  # fmt: skip

    context, page = sign_in(desktop, live_server, worker)
    page.click("a:has-text('个案')")
    row = page.locator(f"tr[data-case='{case.pk}']")
    assert person_a.name in row.inner_text() and "李社工" in row.inner_text()
    row.locator("a").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    page.fill("input[name=description]", "每周两次康复训练")
    page.click("button:has-text('添加目标')")
    page.wait_for_selector("text=每周两次康复训练")
    page.click("button:has-text('提交')")
    page.wait_for_selector("[data-testid=waiting]")
    assert case.approvals.get().submitted_by == worker
    assert "李社工" in page.locator("[data-testid=pending-approval]").inner_text()  # a name, not a login
    context.close()

    context, page = sign_in(desktop, live_server, supervisor)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    decide = page.locator("[data-testid=decide]")
    decide.locator("textarea").fill("同意，按计划执行")
    decide.locator("button:has-text('批准')").click()
    page.wait_for_selector("text=已审批通过")
    context.close()
    case.refresh_from_db()
    approval = case.approvals.get()
    assert (approval.decision, approval.decided_by, case.pending_gate) == ("approved", supervisor, "")
