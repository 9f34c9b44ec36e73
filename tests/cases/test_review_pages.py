"""What a worker meets on a phone: the quick-entry page and the case file's forms."""

import re
from datetime import date

from django.utils import timezone

from cases.models import Case


def date_input_value(html, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    found = re.search(r'value="([^"]*)"', tag)
    return found.group(1) if found else ""


def test_the_quick_entry_date_is_filled_with_today_in_a_form_the_date_picker_reads(person_a, worker, as_user):
    html = as_user(worker).get(f"/cases/visit/new/?person={person_a.pk}").content.decode()
    assert date_input_value(html, "visited_on") == timezone.localdate().isoformat()


def test_the_case_file_shows_the_follow_up_date_so_saving_the_form_keeps_it(case, worker, as_user):
    Case.objects.filter(pk=case.pk).update(next_follow_up_on=date(2026, 12, 1))
    html = as_user(worker).get(f"/cases/{case.pk}/").content.decode()
    assert date_input_value(html, "next_follow_up_on") == "2026-12-01"


def test_a_double_tapped_save_records_one_visit_and_its_needs_once(person_a, worker, as_user):
    from cases.models import Visit
    from station.models import Need

    form = {"person": person_a.pk, "kind": "home", "visited_on": timezone.localdate().isoformat(),
            "duration_minutes": "30", "findings": "腿伤未愈", "risk": "medium",
            "needs-TOTAL_FORMS": "1", "needs-INITIAL_FORMS": "0", "needs-0-category": "health",
            "needs-0-description": "需要陪诊", "needs-0-urgency": "high"}  # fmt: skip
    client = as_user(worker)
    assert client.post("/cases/visit/new/", form).status_code == 302
    assert client.post("/cases/visit/new/", form).status_code == 302
    assert Visit.objects.count() == 1 and Need.objects.count() == 1
