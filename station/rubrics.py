"""Rubrics: one model of criteria (maximum, weight) for contests, capacity assessments and project
evaluations. Each app keeps its own score rows; the rules on scores live here, once.

A weighted total is out of 100: each criterion's share of its maximum, weighted, over the sum of the weights.
When each criterion's weight equals its maximum (20, 30, 30, 20), it is simply the sum of the scores.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AuditEvent, Rubric, RubricCriterion

TWO_PLACES = Decimal("0.01")


def _plain(value: Decimal) -> str:
    """30.00 -> "30", 7.50 -> "7.5" (never "3E+1")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def score_problem(criterion: RubricCriterion, value) -> str | None:
    """Why this score cannot be given for this criterion, or None when it can."""
    try:
        score = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return _("%(label)s: the score must be a number.") % {"label": criterion.label}
    if not score.is_finite() or score < 0 or score > criterion.max_score:
        return _("%(label)s: the score must be between 0 and %(max)s.") % {
            "label": criterion.label,
            "max": _plain(criterion.max_score),
        }
    if score != score.quantize(TWO_PLACES):
        return _("%(label)s: at most two decimal places.") % {"label": criterion.label}
    return None


def scores_check(criteria, scores: dict) -> dict[int, Decimal]:
    """Every criterion scored and in range, or a ValidationError naming each problem. ``scores`` maps a
    criterion's id to the score given; the result maps it to the score as a Decimal."""
    problems, clean = [], {}
    for criterion in criteria:
        if scores.get(criterion.pk) in (None, ""):
            problems.append(_("%(label)s: give a score.") % {"label": criterion.label})
            continue
        problem = score_problem(criterion, scores[criterion.pk])
        if problem:
            problems.append(problem)
        else:
            clean[criterion.pk] = Decimal(str(scores[criterion.pk]))
    unknown = set(scores) - {c.pk for c in criteria}
    if unknown:
        problems.append(_("Scores were given for criteria that are not on this rubric."))
    if problems:
        raise ValidationError(problems)
    return clean


def weighted_total(criteria, scores: dict) -> Decimal:
    """The weighted total out of 100, rounded to two places, for scores already checked."""
    weights = sum((c.weight for c in criteria), Decimal(0))
    if not weights:
        return Decimal("0.00")
    total = sum((Decimal(scores[c.pk]) / c.max_score * c.weight for c in criteria), Decimal(0))
    return (total * 100 / weights).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@transaction.atomic
def rubric_copy(*, rubric: Rubric, actor, station=None, name: str = "") -> Rubric:
    """A working copy of a rubric with its criteria, for a contest round or an assessment."""
    from .services import audit_record

    copy = Rubric(
        station=station or rubric.station,
        name=(name or rubric.name)[:100],
        purpose=rubric.purpose,
        description=rubric.description,
        is_template=False,
        copied_from=rubric,
    )
    copy.full_clean()
    copy.save()
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            rubric=copy,
            label=c.label,
            description=c.description,
            max_score=c.max_score,
            weight=c.weight,
            order=c.order,
        )
        for c in rubric.criteria.all()
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=copy, reason=f"copy of #{rubric.pk}")
    return copy


def rubric_save(*, rubric: Rubric, actor) -> Rubric:
    """Add a rubric or correct its name and purpose; a station's rubric belongs to the actor's station, a
    template (no station) is an administrator's."""
    from .selectors import station_ids_for
    from .services import audit_record

    allowed = station_ids_for(actor)
    if allowed is not None and rubric.station_id not in allowed:
        raise PermissionDenied(_("Choose your own station."))
    creating = rubric.pk is None
    rubric.name = (rubric.name or "").strip()
    rubric.full_clean()
    rubric.save()
    action = AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE
    audit_record(actor=actor, action=action, target=rubric, changes={"name": rubric.name})
    return rubric


@transaction.atomic
def criteria_save(*, rubric: Rubric, changed, deleted, actor) -> None:
    """Save the criteria added or corrected on a rubric and remove the deleted ones, all or none, and leave
    one line in the audit trail naming them."""
    from .services import audit_record

    for criterion in changed:
        criterion.rubric = rubric
        criterion.label = (criterion.label or "").strip()
        criterion.full_clean()
        criterion.save()
    removed = [c.label for c in deleted]
    for criterion in deleted:
        criterion.delete()
    if changed or removed:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=rubric,
            changes={"criteria saved": [c.label for c in changed], "criteria removed": removed},
        )
