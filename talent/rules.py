"""The national exam's rules and the station's definitions, each written once.

Pure functions on plain values, so the tests can state every case; services and selectors feed them rows.
"""

from datetime import date

from django.utils.translation import gettext_lazy

from .models import ExamLevel

Level = ExamLevel.Code


def level_pass_year(
    level: str, subjects: list[str], passed: dict[str, set[int]], reviews: set[int]
) -> int | None:
    """The exam year in which a candidate passed ``level``, or None. THE rule for "passed the level".

    ``subjects`` are the level's subject codes; ``passed`` maps a subject code to the exam years in which it
    was passed (a score at or above that year's pass mark); ``reviews`` are the years a review panel passed
    the candidate (senior level only).

    - assistant (助理社会工作师): both subjects passed in one and the same exam year;
    - intermediate (社会工作师): all three passed within two consecutive exam years: a subject passed in year
      N still counts in N+1 and expires after it;
    - senior (高级社会工作师): the practice subject passed, then the review panel passed, in that year.
    """
    if not subjects:
        return None
    years = sorted(set().union(*passed.values())) if passed else []
    for year in years:
        if level == Level.ASSISTANT:
            ok = all(year in passed.get(code, ()) for code in subjects)
        elif level == Level.INTERMEDIATE:
            ok = year in set().union(*(passed.get(c, set()) for c in subjects)) and all(
                passed.get(code, set()) & {year - 1, year} for code in subjects
            )
        elif level == Level.SENIOR:
            ok = all(year in passed.get(code, ()) for code in subjects) and year in reviews
        else:
            ok = False
        if ok:
            return year
    return None


def experience_years(work_started_on: date | None, exam_year: int) -> int:
    """Whole years of social-work experience, counted to 31 December of the year before the exam."""
    if work_started_on is None:
        return 0
    end = date(exam_year - 1, 12, 31)
    if work_started_on > end:
        return 0
    years = (
        end.year
        - work_started_on.year
        - ((end.month, end.day) < (work_started_on.month, work_started_on.day))
    )
    return max(years, 0)


# Years of experience each education needs for a level (a hint only, never a refusal).
ELIGIBILITY_YEARS = {
    Level.ASSISTANT: {"high_school": 4, "junior_college": 0, "bachelor": 0, "master": 0},
    Level.INTERMEDIATE: {"high_school": None, "junior_college": 6, "bachelor": 4, "master": 2},
    Level.SENIOR: {"high_school": None, "junior_college": None, "bachelor": 5, "master": 5},
}
SOCIAL_WORK_MAJOR_YEARS = {Level.ASSISTANT: 0, Level.INTERMEDIATE: 3, Level.SENIOR: 5}


def eligibility_hint(
    level: str, education: str, social_work_major: bool, years: int
) -> tuple[bool, int | None]:
    """(probably eligible, years needed) for a level from education and experience. Never used to refuse."""
    needed = ELIGIBILITY_YEARS.get(level, {}).get(education)
    if social_work_major and education in ("junior_college", "bachelor", "master"):
        major = SOCIAL_WORK_MAJOR_YEARS.get(level)
        needed = major if needed is None else min(needed, major)
    if needed is None:
        return False, None
    return years >= needed, needed


def local_social_worker_on(
    *, is_local: bool, supported_since: date | None, pass_dates: list[date], part_time_since: date | None
) -> date | None:
    """THE definition of a local social worker cultivated (本土社工), and the day it first became true.

    A person from the station's communities who, while the station supported them (on or after
    ``supported_since``), passed the national exam (any level, on its results day) or became a part-time
    social worker. None when it is not true (yet).
    """
    if not is_local or supported_since is None:
        return None
    events = [d for d in [*pass_dates, part_time_since] if d is not None and d >= supported_since]
    return min(events) if events else None


LOCAL_DEFINITION = gettext_lazy(
    "A person from the station's communities who passed the national social work exam or became a part-time "
    "social worker while the station supported them. Counted once, in the month it first became true."
)


# The national exam's levels and subjects (the data migration writes the same; ``exam_levels_ensure`` puts
# back any that are missing, e.g. in a database emptied by a transactional test).
NATIONAL_LEVELS = [
    (
        "assistant",
        "助理社会工作师",
        1,
        [("assistant_general", "社会工作综合能力（初级）"), ("assistant_practice", "社会工作实务（初级）")],
    ),
    (
        "intermediate",
        "社会工作师",
        2,
        [
            ("intermediate_general", "社会工作综合能力（中级）"),
            ("intermediate_law", "社会工作法规与政策"),
            ("intermediate_practice", "社会工作实务（中级）"),
        ],
    ),
    ("senior", "高级社会工作师", 3, [("senior_practice", "社会工作实务（高级）")]),
]
