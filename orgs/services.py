"""Every write of the incubation platform that has rules. The admin, imports, tasks and the demo call these."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from station.batching import in_chunks
from station.models import Activity, AuditEvent, Rubric, RubricCriterion
from station.roles import Role, is_station_staff, profile_of
from station.rubrics import rubric_copy, scores_check, weighted_total
from station.services import audit_record, audit_record_many
from station.signals import records_written

from .models import (
    AnnualReview,
    AssessmentScore,
    CapacityAssessment,
    CommunityOrg,
    Filing,
    Membership,
    NeedsSurvey,
    OrgActivity,
    Stage,
    StageMove,
)

Status = Filing.Status
# The filing workflow: (from, to) moves allowed, each made by its own service.
FILING_MOVES = {
    (Status.DRAFT, Status.SUBMITTED),
    (Status.SUBMITTED, Status.COMMUNITY_REVIEWED),
    (Status.SUBMITTED, Status.RETURNED),
    (Status.COMMUNITY_REVIEWED, Status.APPROVED),
    (Status.COMMUNITY_REVIEWED, Status.RETURNED),
}
# Who may record the street's decision on a filing.
DECIDERS = {Role.STATION_HEAD, Role.SUPERVISOR}

# A capacity rubric adapted from the civil-affairs grading of social organisations: four areas out of 100.
DEFAULT_CAPACITY_CRITERIA = [
    ("基础条件", "成员、负责人、场地、章程和名册", 20),
    ("内部治理", "议事规则、财务公开、活动记录", 30),
    ("工作绩效", "活动频次、服务人次、项目承接", 30),
    ("社会评价", "居民、两委和驻区单位的评价", 20),
]


def require_staff(actor, station_id):
    if not is_station_staff(actor, station_id):
        raise PermissionDenied(_("Only the station's staff can do this."))


def _changes(**values) -> dict:
    return {k: str(v) if v is not None else "" for k, v in values.items()}


# ---------------------------------------------------------------- stages (data)


@transaction.atomic
def stages_ensure_defaults(*, station) -> list[Stage]:
    """The station's incubation path; a station without one gets the defaults from the settings."""
    stages = list(Stage.objects.filter(station=station).order_by("order"))
    if stages:
        return stages
    for order, (name, items, graduates) in enumerate(settings.ORGS_DEFAULT_STAGES, start=1):
        stage = Stage(
            station=station, name=name, order=order, checklist="\n".join(items), graduates=graduates
        )
        stage.full_clean()
        stage.save()
        stages.append(stage)
    return stages


@transaction.atomic
def stage_save(*, stage: Stage, actor) -> Stage:
    require_staff(actor, stage.station_id)
    creating = stage.pk is None
    stage.full_clean()
    stage.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=stage,
        changes=_changes(name=stage.name, order=stage.order, checklist=stage.checklist),
    )
    return stage


# ---------------------------------------------------------------- organisations and members


def org_tidy(org: CommunityOrg) -> None:
    """An organisation as it is checked and saved: its name trimmed, its growth path from its category."""
    org.name = (org.name or "").strip()
    if not org.led_by and org.category:
        org.led_by = CommunityOrg.default_led_by(org.category)


def _org_changes(org: CommunityOrg) -> dict:
    return _changes(name=org.name, category=org.category, tier=org.tier)


@transaction.atomic
def org_save(*, org: CommunityOrg, actor, communities_served=None) -> CommunityOrg:
    """Create or correct an organisation (its tier dates are set by the filing workflow or here by hand)."""
    require_staff(actor, org.station_id)
    creating = org.pk is None
    org_tidy(org)
    org.full_clean()
    org.save()
    if communities_served is not None:
        org.communities_served.set(communities_served)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=org,
        changes=_org_changes(org),
    )
    return org


def org_check_many(*, orgs: list[CommunityOrg], actor) -> None:
    """The rules ``org_create_many`` applies to a batch of new organisations beyond each one's own
    ``full_clean``, without writing (an import's check runs them on every batch): the actor is staff of each
    one's station, and no two organisations of a station share a name, in the batch or with one saved before."""
    for station_id in sorted({org.station_id for org in orgs}):
        require_staff(actor, station_id)
    names = {}
    for org in orgs:
        org_tidy(org)
        if names.setdefault((org.station_id, org.name), org) is not org:
            raise ValidationError(
                {"name": _("Two organisations of this batch are named “%(name)s”.") % {"name": org.name}}
            )
    for chunk in in_chunks(sorted({name for _station, name in names})):
        saved = CommunityOrg.objects.filter(station_id__in={s for s, _name in names}, name__in=chunk)
        for key in saved.values_list("station_id", "name").order_by("pk"):
            if key in names:
                message = _("The station already has an organisation named “%(name)s”.")
                raise ValidationError({"name": message % {"name": key[1]}})


@transaction.atomic
def org_create_many(*, orgs: list[CommunityOrg], actor) -> list[CommunityOrg]:
    """Create many organisations at once (an imported file), each already checked with ``full_clean``: the
    rules and audit rows of ``org_save`` creating one, in a few queries for the whole batch."""
    org_check_many(orgs=orgs, actor=actor)
    CommunityOrg.objects.bulk_create(orgs)
    audit_record_many(actor=actor, action=AuditEvent.Action.CREATE, targets=orgs, changes=_org_changes)
    records_written.send(sender=CommunityOrg, instances=orgs)
    return orgs


def _membership_changes(membership: Membership) -> dict:
    return _changes(
        member=membership.person.name, role=membership.role, joined_on=membership.joined_on,
        left_on=membership.left_on,
    )  # fmt: skip


class _OnItsOrg:
    """A membership as its audit row names it: on its organisation (the ``_meta``, ``pk`` and text that
    ``audit_record_many`` reads of a target are the organisation's)."""

    _meta = CommunityOrg._meta

    def __init__(self, membership: Membership):
        self.membership, self.pk = membership, membership.org_id

    def __str__(self):
        return str(self.membership.org)


def _already_a_member(membership: Membership) -> ValidationError:
    names = {"name": membership.person.name, "org": membership.org.name}
    return ValidationError({"person": _("%(name)s is already a member of %(org)s.") % names})


def membership_check_many(*, memberships: list[Membership], actor) -> None:
    """The rules ``membership_create_many`` applies to a batch of new memberships beyond each one's own
    ``full_clean``, without writing (an import's check runs them on every batch): the actor is staff of each
    organisation's station, each person lives in that station, and nobody is a current member of one
    organisation twice, in the batch or with a membership saved before."""
    for station_id in sorted({m.org.station_id for m in memberships}):
        require_staff(actor, station_id)
    current = {}
    for membership in memberships:
        person = membership.person
        if person.community.station_id != membership.org.station_id:
            raise ValidationError({"person": _("%(name)s lives in another station.") % {"name": person.name}})
        key = (membership.org_id, membership.person_id)
        if membership.left_on is None and current.setdefault(key, membership) is not membership:
            raise _already_a_member(membership)
    org_ids = {org_id for org_id, _person in current}
    for chunk in in_chunks(sorted({person_id for _org, person_id in current})):
        saved = Membership.objects.filter(left_on__isnull=True, org_id__in=org_ids, person_id__in=chunk)
        for key in saved.values_list("org_id", "person_id").order_by("pk"):
            if key in current:
                raise _already_a_member(current[key])


def _memberships_write(memberships: list[Membership], actor) -> list[Membership]:
    Membership.objects.bulk_create(memberships)
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        targets=[_OnItsOrg(m) for m in memberships],
        changes=lambda target: _membership_changes(target.membership),
    )
    records_written.send(sender=Membership, instances=memberships)
    return memberships


@transaction.atomic
def membership_add(*, org: CommunityOrg, person, role: str, actor, joined_on=None) -> Membership:
    membership = Membership(org=org, person=person, role=role, joined_on=joined_on or timezone.localdate())
    membership_check_many(memberships=[membership], actor=actor)
    membership.full_clean(validate_constraints=False)
    return _memberships_write([membership], actor)[0]


@transaction.atomic
def membership_create_many(*, memberships: list[Membership], actor) -> list[Membership]:
    """Add many members at once (an imported roster), each already checked with ``full_clean``: the rules and
    audit rows of ``membership_add``, in a few queries for the whole batch."""
    membership_check_many(memberships=memberships, actor=actor)
    return _memberships_write(memberships, actor)


@transaction.atomic
def membership_save(*, membership: Membership, actor) -> Membership:
    """Correct a membership (role, dates), or record the day the member left."""
    require_staff(actor, membership.org.station_id)
    creating = membership.pk is None
    if creating and membership.person.community.station_id != membership.org.station_id:
        raise ValidationError(
            {"person": _("%(name)s lives in another station.") % {"name": membership.person.name}}
        )
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=membership.org,
        changes=_membership_changes(membership),
    )
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, left_on, actor) -> Membership:
    membership.left_on = left_on
    return membership_save(membership=membership, actor=actor)


# ---------------------------------------------------------------- the filing with the street (备案)


def _lock_filing(filing: Filing) -> Filing:
    return Filing.objects.select_for_update().select_related("org").get(pk=filing.pk)


def _filing_move(filing: Filing, to: str):
    if (filing.status, to) not in FILING_MOVES:
        raise ValidationError(
            _("A filing that is %(now)s cannot become %(to)s.")
            % {"now": filing.get_status_display(), "to": Status(to).label}
        )
    filing.status = to


@transaction.atomic
def filing_open(*, org: CommunityOrg, actor, materials=()) -> Filing:
    require_staff(actor, org.station_id)
    if org.tier != CommunityOrg.Tier.LOOSE:
        raise ValidationError(
            _("Only a loose group is filed with the street; this one is %(tier)s.")
            % {"tier": org.get_tier_display()}
        )
    if Filing.objects.filter(
        org=org, status__in=[Status.DRAFT, Status.SUBMITTED, Status.COMMUNITY_REVIEWED]
    ).exists():
        raise ValidationError(_("This organisation already has a filing under way."))
    filing = Filing(org=org, materials=_materials(materials), created_by=actor)
    filing.full_clean()
    filing.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=filing, changes={"materials": filing.materials}
    )
    return filing


def _materials(materials) -> list[str]:
    known = settings.ORGS_FILING_MATERIALS
    unknown = [m for m in materials if m not in known]
    if unknown:
        raise ValidationError(_("Unknown materials: %(items)s") % {"items": "、".join(unknown)})
    return [key for key in known if key in set(materials)]


@transaction.atomic
def filing_set_materials(*, filing: Filing, materials, actor) -> Filing:
    filing = _lock_filing(filing)
    require_staff(actor, filing.org.station_id)
    if filing.status != Status.DRAFT:
        raise ValidationError(_("Only a draft filing's materials can change."))
    filing.materials = _materials(materials)
    filing.save(update_fields=["materials"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=filing, changes={"materials": filing.materials}
    )
    return filing


def filing_problems(filing: Filing) -> list[str]:
    """What stops a filing from being submitted: missing materials, too few members."""
    problems = [_("Missing from the file: %(item)s.") % {"item": label} for label in filing.missing_materials]
    members = Membership.objects.filter(org_id=filing.org_id, left_on__isnull=True).count()
    minimum = settings.ORGS_FILING_MIN_MEMBERS
    if members < minimum:
        problems.append(
            _("A filed organisation needs at least %(min)d members; it has %(n)d.")
            % {"min": minimum, "n": members}
        )
    return problems


@transaction.atomic
def filing_submit(*, filing: Filing, actor) -> Filing:
    """Submit a draft filing for the community's review, once its checklist is complete."""
    filing = _lock_filing(filing)
    require_staff(actor, filing.org.station_id)
    problems = filing_problems(filing)
    if problems:
        raise ValidationError(problems)
    _filing_move(filing, Status.SUBMITTED)
    filing.submitted_by, filing.submitted_at = actor, timezone.now()
    filing.members_at_submission = Membership.objects.filter(
        org_id=filing.org_id, left_on__isnull=True
    ).count()
    filing.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=filing, changes={"status": filing.status}
    )
    return filing


@transaction.atomic
def filing_community_review(*, filing: Filing, opinion: str, actor) -> Filing:
    """Record the community's first review (its opinion, as the two committees gave it)."""
    filing = _lock_filing(filing)
    require_staff(actor, filing.org.station_id)
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"community_opinion": _("Write down the community's opinion.")})
    _filing_move(filing, Status.COMMUNITY_REVIEWED)
    filing.community_opinion = opinion
    filing.community_reviewed_by, filing.community_reviewed_at = actor, timezone.now()
    filing.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=filing, changes={"status": filing.status}
    )
    return filing


def _require_decider(filing: Filing, actor):
    profile = profile_of(actor)
    allowed = getattr(actor, "is_superuser", False) or (
        profile is not None and profile.role in DECIDERS and profile.station_id == filing.org.station_id
    )
    if not allowed:
        raise PermissionDenied(_("Only the station head or a supervisor records the street's decision."))
    if filing.submitted_by_id == actor.pk:
        raise PermissionDenied(_("A filing cannot be approved by the person who submitted it."))


@transaction.atomic
def filing_approve(*, filing: Filing, number: str, filed_on, actor) -> Filing:
    """The street approves: the organisation becomes filed, with the number and date."""
    filing = _lock_filing(filing)
    _require_decider(filing, actor)
    number = (number or "").strip()
    if not number or not filed_on:
        raise ValidationError(_("Give the filing number and the date of the street's approval."))
    _filing_move(filing, Status.APPROVED)
    filing.filing_number, filing.filed_on = number, filed_on
    filing.decided_by, filing.decided_at = actor, timezone.now()
    filing.full_clean()
    filing.save()
    org = CommunityOrg.objects.select_for_update().get(pk=filing.org_id)
    org.tier, org.filing_number, org.filed_on = CommunityOrg.Tier.FILED, number, filed_on
    org.full_clean()
    org.save(update_fields=["tier", "filing_number", "filed_on"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=filing,
        changes=_changes(status=filing.status, number=number, filed_on=filed_on),
    )  # fmt: skip
    return filing


@transaction.atomic
def filing_return(*, filing: Filing, reason: str, actor) -> Filing:
    """The community or the street returns the filing, saying why; it keeps the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"return_reason": _("Say why the filing is returned.")})
    filing = _lock_filing(filing)
    require_staff(actor, filing.org.station_id)
    _filing_move(filing, Status.RETURNED)
    filing.return_reason = reason[:500]
    filing.decided_by, filing.decided_at = actor, timezone.now()
    filing.full_clean()
    filing.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=filing,
        reason=reason,
        changes={"status": filing.status},
    )
    return filing


# ---------------------------------------------------------------- the incubation path


def _lock_org(org: CommunityOrg) -> CommunityOrg:
    return CommunityOrg.objects.select_for_update().get(pk=org.pk)  # the stage is read after the lock


@transaction.atomic
def incubation_start(
    *, org: CommunityOrg, actor, done: str = "", stage: Stage | None = None, at=None
) -> StageMove:
    """Take an organisation into incubation at the first stage of its station's path (or the one given)."""
    org = _lock_org(org)
    require_staff(actor, org.station_id)
    if org.incubation == CommunityOrg.Incubation.IN_PROGRESS:
        raise ValidationError(_("%(org)s is already in incubation.") % {"org": org.name})
    stages = stages_ensure_defaults(station=org.station)
    stage = stage or stages[0]
    if stage.station_id != org.station_id:
        raise ValidationError(_("This stage belongs to another station."))
    return _enter(org, stage, actor, kind=StageMove.Kind.START, done=done, from_stage=None, checked=[], at=at)


def _enter(org, stage, actor, *, kind, done, from_stage, checked, at=None) -> StageMove:
    at = at or timezone.now()
    move = StageMove(
        org=org, kind=kind, from_stage=from_stage, to_stage=stage, done=(done or "").strip(), checked=checked,
        moved_by=actor, moved_at=at,
    )  # fmt: skip
    move.full_clean()
    move.save()
    org.stage, org.stage_since, org.stage_checked = stage, at, []
    if stage.graduates:
        org.incubation = CommunityOrg.Incubation.GRADUATED
        org.incubation_ended_on = timezone.localdate(at)
    else:
        org.incubation = CommunityOrg.Incubation.IN_PROGRESS
        org.incubation_ended_on = None
    org.exit_reason = ""
    org.full_clean()
    org.save(
        update_fields=[
            "stage",
            "stage_since",
            "stage_checked",
            "incubation",
            "incubation_ended_on",
            "exit_reason",
        ]
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=org,
        changes=_changes(stage=stage.name, move=kind, done=move.done),
    )  # fmt: skip
    return move


@transaction.atomic
def stage_check(*, org: CommunityOrg, items, actor) -> CommunityOrg:
    """Tick checklist items of the current stage as done (replacing the ticked set)."""
    org = _lock_org(org)
    require_staff(actor, org.station_id)
    if org.incubation != CommunityOrg.Incubation.IN_PROGRESS:
        raise ValidationError(_("%(org)s is not in incubation.") % {"org": org.name})
    allowed = org.stage.checklist_items
    unknown = [i for i in items if i not in allowed]
    if unknown:
        raise ValidationError(_("Not on this stage's checklist: %(items)s") % {"items": "、".join(unknown)})
    org.stage_checked = [i for i in allowed if i in set(items)]
    org.save(update_fields=["stage_checked"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=org, changes={"checked": org.stage_checked}
    )
    return org


@transaction.atomic
def stage_advance(
    *, org: CommunityOrg, done: str, actor, to_stage: Stage | None = None, at=None
) -> StageMove:
    """Move to the next stage only, once the checklist is done, saying what was done."""
    org = _lock_org(org)
    require_staff(actor, org.station_id)
    if org.incubation != CommunityOrg.Incubation.IN_PROGRESS:
        raise ValidationError(_("%(org)s is not in incubation.") % {"org": org.name})
    following = (
        Stage.objects.filter(station_id=org.station_id, order__gt=org.stage.order).order_by("order").first()
    )
    if following is None:
        raise ValidationError(_("%(stage)s is the last stage.") % {"stage": org.stage.name})
    if to_stage is not None and to_stage.pk != following.pk:
        raise ValidationError(
            _("From %(now)s the only move is to %(next)s.") % {"now": org.stage.name, "next": following.name}
        )
    if org.unchecked_items:
        raise ValidationError(
            _("Still to do in %(stage)s: %(items)s")
            % {"stage": org.stage.name, "items": "、".join(org.unchecked_items)}
        )
    if not (done or "").strip():
        raise ValidationError({"done": _("Say what was done in this stage.")})
    return _enter(
        org, following, actor, kind=StageMove.Kind.ADVANCE, done=done, from_stage=org.stage,
        checked=list(org.stage_checked), at=at,
    )  # fmt: skip


@transaction.atomic
def incubation_exit(*, org: CommunityOrg, reason: str, actor) -> StageMove:
    """退出: an organisation leaves incubation from any stage, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the organisation leaves incubation.")})
    org = _lock_org(org)
    require_staff(actor, org.station_id)
    if org.incubation != CommunityOrg.Incubation.IN_PROGRESS:
        raise ValidationError(_("%(org)s is not in incubation.") % {"org": org.name})
    move = StageMove(
        org=org, kind=StageMove.Kind.EXIT, from_stage=org.stage, reason=reason[:300], moved_by=actor
    )
    move.full_clean()
    move.save()
    org.incubation = CommunityOrg.Incubation.EXITED
    org.exit_reason = reason[:300]
    org.incubation_ended_on = timezone.localdate()
    org.save(update_fields=["incubation", "exit_reason", "incubation_ended_on"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=org, reason=reason, changes={"move": "exit"}
    )
    return move


# ---------------------------------------------------------------- needs survey and activities


@transaction.atomic
def survey_record(*, survey: NeedsSurvey, actor) -> NeedsSurvey:
    require_staff(actor, survey.station_id)
    if survey.community_id and survey.community.station_id != survey.station_id:
        raise ValidationError({"community": _("This community belongs to another station.")})
    if survey.recorded_by_id is None:
        survey.recorded_by = actor
    creating = survey.pk is None
    survey.full_clean()
    survey.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE, target=survey,
        changes=_changes(wish=survey.wish, asked=survey.asked_count),
    )  # fmt: skip
    return survey


@transaction.atomic
def org_activity_save(*, org_activity: OrgActivity, activity: Activity, actor) -> OrgActivity:
    """Create or update an organisation's activity or a training, on the station's ledger (platform "orgs")."""
    require_staff(actor, activity.station_id)
    if org_activity.org_id and org_activity.org.station_id != activity.station_id:
        raise ValidationError({"org": _("This organisation belongs to another station.")})
    activity.platform = Activity.Platform.ORGS
    if org_activity.kind == OrgActivity.Kind.TRAINING and not activity.kind:
        activity.kind = "training"
    if activity.pk is None and getattr(actor, "is_authenticated", False):
        activity.organiser = actor
    activity.full_clean()
    activity.save()
    org_activity.activity = activity
    org_activity.full_clean()
    org_activity.save()
    return org_activity


def activity_day_start(day):
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


# ---------------------------------------------------------------- capacity assessment (能力评估)


@transaction.atomic
def capacity_rubric_template() -> Rubric:
    """The shared capacity rubric (four areas, out of 100); made once if missing."""
    rubric = (
        Rubric.objects.filter(
            station__isnull=True,
            purpose=Rubric.Purpose.CAPACITY,
            is_template=True,
            name=settings.ORGS_CAPACITY_RUBRIC,
        )
        .order_by("pk")
        .first()
    )
    if rubric is not None:
        return rubric
    rubric = Rubric(
        name=settings.ORGS_CAPACITY_RUBRIC,
        purpose=Rubric.Purpose.CAPACITY,
        description="参照民政社会组织等级评估，按社区社会组织实际调整",
        is_template=True,
    )
    rubric.full_clean()
    rubric.save()
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            rubric=rubric, label=label, description=text, max_score=maximum, weight=maximum, order=i
        )
        for i, (label, text, maximum) in enumerate(DEFAULT_CAPACITY_CRITERIA, start=1)
    )
    return rubric


def _working_copy(template: Rubric, station, actor) -> Rubric:
    """The station's working copy of a capacity template: made once, so later edits leave past scores alone."""
    copy = (
        Rubric.objects.filter(copied_from=template, station=station, is_template=False)
        .order_by("-pk")
        .first()
    )
    return copy or rubric_copy(rubric=template, actor=actor, station=station)


@transaction.atomic
def assessment_record(
    *, org: CommunityOrg, scores: dict, occasion: str, actor, rubric: Rubric | None = None, assessed_on=None,
    note: str = "",
) -> CapacityAssessment:  # fmt: skip
    """Score an organisation against a capacity rubric; every score in range or nothing is saved.

    ``scores`` maps the criterion labels (or ids) of the rubric to the score given."""
    require_staff(actor, org.station_id)
    template = rubric or capacity_rubric_template()
    if template.purpose != Rubric.Purpose.CAPACITY:
        raise ValidationError(_("Choose a capacity assessment rubric."))
    working = template if not template.is_template else _working_copy(template, org.station, actor)
    criteria = list(working.criteria.all())
    by_label = {c.label: c.pk for c in criteria}
    keyed = {by_label.get(k, k) if isinstance(k, str) else k: v for k, v in scores.items()}
    clean = scores_check(criteria, keyed)
    assessment = CapacityAssessment(
        org=org, rubric=working, occasion=occasion, assessed_on=assessed_on or timezone.localdate(),
        assessed_by=actor, total=weighted_total(criteria, clean), note=note,
    )  # fmt: skip
    assessment.full_clean()
    assessment.save()
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, criterion_id=pk, score=value) for pk, value in clean.items()
    )
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=assessment,
        changes={"total": str(assessment.total), "scores": {str(k): str(v) for k, v in clean.items()}},
    )  # fmt: skip
    return assessment


# ---------------------------------------------------------------- annual review (年度评议)


def activities_in_year(org: CommunityOrg, year: int) -> int:
    from datetime import date

    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return OrgActivity.objects.filter(
        org=org, role=OrgActivity.Role.PROVIDER, activity__starts_at__gte=start, activity__starts_at__lt=end
    ).count()


@transaction.atomic
def annual_review_record(*, review: AnnualReview, actor) -> AnnualReview:
    """A worker records the year's review; the year's activities are counted from the ledger."""
    org = _lock_org(review.org)
    require_staff(actor, org.station_id)
    if review.assessment_id and review.assessment.org_id != org.pk:
        raise ValidationError({"assessment": _("This assessment is of another organisation.")})
    if review.pk is None and AnnualReview.objects.filter(org=org, year=review.year).exists():
        raise ValidationError(
            {"year": _("%(org)s already has a review for %(year)d.") % {"org": org.name, "year": review.year}}
        )
    review.recorded_by = actor
    review.activities_count = activities_in_year(org, review.year)
    review.full_clean()
    review.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, target=review,
        changes=_changes(year=review.year, result=review.result),
    )  # fmt: skip
    return review


# ---------------------------------------------------------------- reminders (run by orgs.tasks)


def _recipients(org: CommunityOrg):
    from station.selectors import station_staff_users

    if org.worker_id and org.worker.is_active:
        return [org.worker]
    return list(station_staff_users([org.station_id], roles=(Role.STATION_HEAD,)))


def stuck_in_stage_remind(*, now=None) -> int:
    """Flag each organisation longer than the setting in its stage to its worker, once per stay in a stage."""
    from django.urls import reverse
    from django.utils import translation

    from station.services import notification_create

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ORGS_STUCK_AFTER_DAYS)
    stuck = CommunityOrg.objects.filter(
        incubation=CommunityOrg.Incubation.IN_PROGRESS, stage_since__lt=cutoff
    ).select_related("stage", "worker")
    made = 0
    for org in stuck:
        days = (now - org.stage_since).days
        with translation.override(settings.LANGUAGE_CODE):
            title = _("%(org)s has been in %(stage)s for %(days)d days") % {
                "org": org.name, "stage": org.stage.name, "days": days,
            }  # fmt: skip
            body = _("Still to do: %(items)s") % {"items": "、".join(org.unchecked_items) or "—"}
        since = timezone.localdate(org.stage_since).isoformat()
        for user in _recipients(org):
            if notification_create(
                recipient=user,
                key=f"orgs-stuck-{org.pk}-{org.stage_id}-{since}-{user.pk}",
                title=title,
                body=body,
                url=reverse("admin:orgs_communityorg_change", args=[org.pk]),
            ):
                made += 1
    return made


def annual_review_due_remind(*, today=None) -> int:
    """From the review month on, remind the worker of each organisation without this year's review, once."""
    from django.urls import reverse
    from django.utils import translation

    from station.services import notification_create

    today = today or timezone.localdate()
    if today.month < settings.ORGS_REVIEW_MONTH:
        return 0
    due = (
        CommunityOrg.objects.exclude(incubation=CommunityOrg.Incubation.EXITED)
        .exclude(annual_reviews__year=today.year)
        .filter(created_at__year__lt=today.year + 1)
        .select_related("worker")
    )
    made = 0
    for org in due:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Annual review of %(org)s for %(year)d is due") % {"org": org.name, "year": today.year}
        for user in _recipients(org):
            if notification_create(
                recipient=user,
                key=f"orgs-review-due-{org.pk}-{today.year}-{user.pk}",
                title=title,
                url=reverse("admin:orgs_annualreview_add") + f"?org={org.pk}&year={today.year}",
            ):
                made += 1
    return made
