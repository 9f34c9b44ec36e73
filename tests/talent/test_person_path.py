"""The person's page shows their path whole: supported since, part-time since, the study group, the pass."""

from datetime import date

from talent.models import TalentProfile

from .factories import TalentProfileFactory, make_group, sit


def test_the_person_page_shows_the_path_in_order(station, person_a, worker, as_user):
    TalentProfileFactory(
        person=person_a,
        team_role=TalentProfile.TeamRole.PART_TIME,
        supported_since=date(2023, 9, 1),
        part_time_since=date(2025, 3, 1),
    )
    make_group(station, worker, [person_a])
    sit(person_a, 2024, {"assistant_general": 70, "assistant_practice": 66}, worker)
    page = as_user(worker).get(f"/people/{person_a.pk}/").content.decode()
    path = page[page.index('data-testid="talent-path"') :]
    steps = [
        "2023-09-01 开始接受社工站扶持",
        "2024-08-30 通过助理社会工作师考试",
        "2025-01-01 加入社工考试自学小组",
        "2025-03-01 兼职社工",
    ]
    positions = [path.index(step) for step in steps]
    assert positions == sorted(positions)
