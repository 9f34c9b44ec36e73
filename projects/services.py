"""Every write on the charity project platform that has rules. Admin, pages, imports and tasks call these."""

from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from station.batching import in_chunks
from station.models import Activity, Attendance, AuditEvent, PartnerUnit, Person, Rubric
from station.rubrics import rubric_copy, scores_check, weighted_total
from station.selectors import person_list_visible_to
from station.services import audit_record, audit_record_many
from station.signals import records_written

from . import permissions, scoring
from .models import (
    Application,
    Assignment,
    BudgetLine,
    Contest,
    ContestRound,
    Entry,
    Evaluation,
    EvaluationScore,
    Judge,
    Milestone,
    Outcome,
    Project,
    ProjectActivity,
    Resource,
    ScoreRow,
    Tranche,
)

Status = Project.Status

# The status machine: (from, to) moves allowed; terminating is allowed from any open status, with a reason.
TRANSITIONS = {
    (Status.DRAFT, Status.APPROVED),
    (Status.APPROVED, Status.RUNNING),
    (Status.RUNNING, Status.CLOSING),
    (Status.CLOSING, Status.RUNNING),
    (Status.CLOSING, Status.CLOSED),
}
TERMINABLE = {Status.DRAFT, Status.APPROVED, Status.RUNNING, Status.CLOSING}
# Moves that need the station head or a supervisor.
DECIDED_MOVES = {(Status.DRAFT, Status.APPROVED), (Status.CLOSING, Status.CLOSED)}


def _require_staff(actor, station_id):
    reason = permissions.can_manage_projects(actor, station_id)
    if reason:
        raise PermissionDenied(reason)


def _audit(actor, target, changes, action=AuditEvent.Action.UPDATE, reason=""):
    audit_record(actor=actor, action=action, target=target, changes=changes, reason=reason)


# ---------------------------------------------------------------- projects


def runner_reference(obj) -> dict:
    """The fields that name who runs a project (or who applies to a contest): a partner unit by foreign key,
    anything else (a community organisation, a residents' group) by content type, id and a name snapshot."""
    if isinstance(obj, PartnerUnit):
        return {"partner": obj, "type": None, "id": None, "name": obj.name[:100]}
    return {
        "partner": None,
        "type": ContentType.objects.get_for_model(obj),
        "id": obj.pk,
        "name": str(obj)[:100],
    }


def project_set_runner(project: Project, runner) -> None:
    ref = runner_reference(runner)
    project.runner_partner, project.runner_type = ref["partner"], ref["type"]
    project.runner_id, project.runner_name = ref["id"], ref["name"]


@transaction.atomic
def project_save(*, project: Project, actor, needs=None, communities=None) -> Project:
    """Create or correct a project (its status moves only through ``project_move``); ``communities``, when
    given, are the communities it serves (all of the project's station)."""
    _require_staff(actor, project.station_id)
    creating = project.pk is None
    if not creating:
        before = Project.objects.select_for_update().get(pk=project.pk)
        if before.status != project.status:
            raise ValidationError({"status": _("Change the status with the status actions.")})
        if before.station_id != project.station_id:
            raise ValidationError({"station": _("A project cannot move to another station.")})
    else:
        project.status = Status.DRAFT
    if communities is not None:
        communities = list(communities)
    _project_clean(project, communities)
    project.save()
    if needs is not None:
        project.needs.set(needs)
    if communities is not None:
        project.communities.set(communities)
    _audit(
        actor,
        project,
        {
            "title": project.title,
            "origin": project.origin,
            "status": project.status,
            "communities": sorted(c.pk for c in project.communities.all()),
        },
        AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
    )
    return project


@transaction.atomic
def project_move(
    *, project: Project, to: str, actor, reason: str = "", amount_recovered: Decimal | None = None
) -> Project:
    """Move a project along draft → approved → running → closing → closed, or terminate it with a reason
    (and what was recovered of the money paid out)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_staff(actor, project.station_id)
    current = project.status
    if to == Status.TERMINATED:
        if current not in TERMINABLE:
            raise ValidationError(
                _("A %(s)s project cannot be terminated.") % {"s": project.get_status_display()}
            )
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"termination_reason": _("Say why the project is terminated.")})
        if amount_recovered is not None and amount_recovered < 0:
            raise ValidationError({"amount_recovered": _("The amount recovered cannot be negative.")})
        project.termination_reason = reason
        project.amount_recovered = amount_recovered if amount_recovered is not None else Decimal("0")
    elif (current, to) not in TRANSITIONS:
        raise ValidationError(
            _("A project cannot go from %(a)s to %(b)s.")
            % {"a": project.get_status_display(), "b": Status(to).label if to in Status.values else to}
        )
    if (current, to) in DECIDED_MOVES:
        problem = permissions.can_approve_project(actor, project)
        if problem:
            raise PermissionDenied(problem)
    project.status = to
    project.status_changed_on = timezone.localdate()
    project.full_clean()
    project.save()
    _audit(actor, project, {"status": [current, to]}, reason=reason)
    return project


def _project_activity_fields(activity: Activity, project: Project, kind: str, actor) -> None:
    """A project's activity in the station's service ledger: its platform, station, kind and organiser."""
    activity.platform = Activity.Platform.PROJECTS
    activity.station_id = project.station_id
    activity.kind = "project_publicity" if kind == ProjectActivity.Kind.PUBLICITY else "project_service"
    if activity.organiser_id is None and getattr(actor, "is_authenticated", False):
        activity.organiser = actor


@transaction.atomic
def project_activity_record(
    *, project: Project, activity: Activity, actor, kind: str = ProjectActivity.Kind.SERVICE, reach: int = 0
) -> ProjectActivity:
    """Record an activity or a publicity event of the project in the station's service ledger."""
    _require_staff(actor, project.station_id)
    _project_activity_fields(activity, project, kind, actor)
    if activity.community_id is None and activity.pk is None:
        served = list(project.communities.values_list("pk", flat=True)[:2])
        activity.community_id = served[0] if len(served) == 1 else None  # several: a station-wide event
    activity.full_clean()
    activity.save()
    link = ProjectActivity.objects.filter(activity=activity).first() or ProjectActivity(
        project=project, activity=activity
    )
    link.kind, link.reach = kind, reach or 0
    link.full_clean()
    link.save()
    _audit(actor, project, {"activity": [activity.pk, activity.title, kind]})
    return link


def beneficiary_record(
    *, link: ProjectActivity, person: Person | None, headcount: int = 0, actor
) -> Attendance | None:
    """A person who came to a project's activity (once per activity), and/or people counted but not named
    (added to the activity's anonymous head-count)."""
    return beneficiary_record_many(rows=[(link, person, headcount)], actor=actor)[0]


def resource_record(*, resource: Resource, actor) -> Resource:
    """One resource in (or out): money, or goods with what, how many and their value."""
    return resource_record_many(resources=[resource], actor=actor)[0]


@transaction.atomic
def budget_line_save(*, line: BudgetLine, actor) -> BudgetLine:
    _require_staff(actor, line.project.station_id)
    line.item = (line.item or "").strip()
    line.full_clean()
    line.save()
    _audit(actor, line.project, {"budget": [line.item, str(line.planned), str(line.spent)]})
    return line


@transaction.atomic
def milestone_save(*, milestone: Milestone, actor) -> Milestone:
    _require_staff(actor, milestone.project.station_id)
    if milestone.reported_on and milestone.reported_on > timezone.localdate():
        raise ValidationError({"reported_on": _("A report cannot be received in the future.")})
    milestone.full_clean()
    milestone.save()
    _audit(actor, milestone.project, {"milestone": [milestone.title, str(milestone.due_on)]})
    return milestone


@transaction.atomic
def milestone_report(*, milestone: Milestone, actor, report: str = "", reported_on: date | None = None):
    """The report for a milestone came in."""
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    _require_staff(actor, milestone.project.station_id)
    milestone.reported_on = reported_on or timezone.localdate()
    milestone.report = (report or milestone.report).strip()
    return milestone_save(milestone=milestone, actor=actor)


@transaction.atomic
def outcome_save(*, outcome: Outcome, actor) -> Outcome:
    _require_staff(actor, outcome.project.station_id)
    if outcome.measure != Outcome.Measure.TYPED and outcome.achieved_typed is not None:
        raise ValidationError(
            {"achieved_typed": _("This outcome is counted from the project's activities; leave it empty.")}
        )
    outcome.full_clean()
    outcome.save()
    _audit(actor, outcome.project, {"outcome": [outcome.label, str(outcome.target)]})
    return outcome


# ---------------------------------------------------------------- imports


# Imports: a whole file written in a few queries. The same rules as the per-row services above; the related
# records (station, partner units, projects, communities, people) come from the lookups made for the file,
# so each record's full_clean skips them, and the check constraints are the database's to hold.
RELATED = {"station", "introduced_from", "runner_partner", "runner_type", "lead_worker", "partner", "project",
           "need", "person", "recorded_by", "community", "organiser"}  # fmt: skip


def _require_staff_of(actor, station_ids) -> None:
    for station_id in sorted(set(station_ids)):
        _require_staff(actor, station_id)


def _project_clean(project: Project, communities, **options) -> None:
    project.title = (project.title or "").strip()
    project.full_clean(**options)
    if communities is not None and any(c.station_id != project.station_id for c in communities):
        raise ValidationError({"communities": _("This community belongs to another station.")})


def project_check_many(*, projects: list[tuple[Project, list]], actor) -> None:
    """The rules ``project_create_many`` applies, without writing (an import's check runs them on every
    batch): the station's staff, each new project checked with ``full_clean`` as a draft, its communities
    (the list beside it) of its own station."""
    _require_staff_of(actor, (project.station_id for project, _communities in projects))
    for project, communities in projects:
        if project.pk is not None:
            raise ValidationError(_("Only new projects are imported."))
        project.status = Status.DRAFT
        _project_clean(
            project, communities, exclude=RELATED, validate_unique=False, validate_constraints=False
        )


@transaction.atomic
def project_create_many(*, projects: list[tuple[Project, list]], actor) -> list[Project]:
    """Create many projects at once (an imported file), each with the communities it serves: the same rules
    as ``project_save`` for a new project, one audit row each, in a few queries for the whole batch."""
    project_check_many(projects=projects, actor=actor)
    saved = Project.objects.bulk_create([project for project, _communities in projects], batch_size=1000)
    served = {id(project): sorted({c.pk for c in communities}) for project, communities in projects}
    Through = Project.communities.through
    Through.objects.bulk_create(
        [Through(project_id=p.pk, community_id=pk) for p in saved for pk in served[id(p)]], batch_size=5000
    )
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        targets=saved,
        changes=lambda p: {
            "title": p.title,
            "origin": p.origin,
            "status": p.status,
            "communities": served[id(p)],
        },
    )
    records_written.send(sender=Project, instances=saved)
    return saved


def resource_check_many(*, resources: list[Resource], actor) -> None:
    """The rules ``resource_record_many`` applies, without writing: the station's staff, new records only,
    each checked with ``full_clean`` (money or goods with their value, the partner unit a received resource
    came from, partner and project of the same station)."""
    _require_staff_of(actor, (resource.station_id for resource in resources))
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    for resource in resources:
        if resource.pk is not None:
            raise ValidationError(_("A resource record is not changed; record a correction instead."))
        resource.description = (resource.description or "").strip()
        if recorded_by is not None:
            resource.recorded_by = recorded_by
        resource.full_clean(exclude=RELATED, validate_unique=False, validate_constraints=False)


@transaction.atomic
def resource_record_many(*, resources: list[Resource], actor) -> list[Resource]:
    """Record many resources at once (an imported file, or one from the admin): one audit row each."""
    resource_check_many(resources=resources, actor=actor)
    saved = Resource.objects.bulk_create(resources, batch_size=1000)
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        targets=saved,
        changes=lambda r: {"kind": r.kind, "direction": r.direction, "amount": str(r.amount)},
    )
    records_written.send(sender=Resource, instances=saved)
    return saved


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def project_service_links(*, projects, titles) -> dict:
    """The projects' service activities of these titles already recorded, by (project id, title, local day):
    the first of that title that day (a sign-in sheet's rows join it; a day without one gets one). A few
    queries for a whole sign-in sheet (it only reads; ``beneficiary_record_many`` checks who writes)."""
    projects = {project.pk: project for project in projects}
    found = {}
    for chunk in in_chunks(sorted(set(titles))):
        links = (
            ProjectActivity.objects.filter(
                project_id__in=list(projects), kind=ProjectActivity.Kind.SERVICE, activity__title__in=chunk
            )
            .select_related("activity")
            .order_by("activity__starts_at", "pk")
        )
        for link in links:
            link.project = projects[link.project_id]
            key = (link.project_id, link.activity.title, timezone.localdate(link.activity.starts_at))
            found.setdefault(key, link)
    return found


def project_service_link_new(*, project: Project, title: str, day: date) -> ProjectActivity:
    """A service activity of the project that day, not saved: ``beneficiary_record_many`` records it (at the
    day's start, times to be corrected in the admin) with the first people recorded at it."""
    start = _day_start(day)
    return ProjectActivity(
        project=project,
        kind=ProjectActivity.Kind.SERVICE,
        activity=Activity(title=title, starts_at=start, ends_at=start),
    )


def _project_links_create(links: list[ProjectActivity], actor) -> None:
    """``project_activity_record`` for many new activities at once: each in the station's service ledger, in
    the project's community when it serves exactly one, with one audit row each."""
    served = {}
    through = Project.communities.through.objects.filter(project_id__in={link.project_id for link in links})
    for row in through.select_related("community"):
        served.setdefault(row.project_id, []).append(row.community)
    for link in links:
        activity = link.activity
        _project_activity_fields(activity, link.project, link.kind, actor)
        if activity.community_id is None:
            communities = served.get(link.project_id, [])
            activity.community = communities[0] if len(communities) == 1 else None
        activity.full_clean(exclude=RELATED, validate_constraints=False)
        link.reach = link.reach or 0
    Activity.objects.bulk_create([link.activity for link in links], batch_size=1000)
    ProjectActivity.objects.bulk_create(links, batch_size=1000)
    changes = iter([{"activity": [link.activity_id, link.activity.title, link.kind]} for link in links])
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        targets=[link.project for link in links],
        changes=lambda _project: next(changes),  # the targets' changes in their order (a project repeats)
    )


def beneficiary_refusal(link, person, headcount) -> str | None:
    """What is wrong with one row of a sign-in sheet on its own, or None."""
    if link.kind != ProjectActivity.Kind.SERVICE:
        return _("People are recorded at service activities, not at publicity.")
    if headcount < 0:
        return _("The head-count cannot be negative.")
    if person is None and not headcount:
        return _("Give the person's name or a head-count.")
    return None


def beneficiary_check_many(*, rows: list[tuple], actor) -> None:
    """The rules ``beneficiary_record_many`` applies, without writing (an import's check runs them on every
    batch). Each row is (a project's activity link, saved or new; a person or None; a head-count): the
    station's staff, a service activity, a person the actor may see or a head-count, and a person at most
    once an activity, counting those already recorded."""
    _require_staff_of(actor, (link.project.station_id for link, _person, _headcount in rows))
    seen = set()
    for link, person, headcount in rows:
        refusal = beneficiary_refusal(link, person, headcount)
        if refusal:
            raise ValidationError(refusal)
        if person is not None:
            key = (link.activity_id or f"new {id(link)}", person.pk)
            if key in seen:
                raise ValidationError(
                    _("%(name)s is already recorded at this activity.") % {"name": person.name}
                )
            seen.add(key)
    people = {person.pk: person for _link, person, _headcount in rows if person is not None}
    visible = set()
    for chunk in in_chunks(sorted(people)):
        visible.update(person_list_visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    for pk, person in people.items():
        if pk not in visible:
            raise ValidationError(_("Unknown person “%(name)s”.") % {"name": person.name})
    wanted = {(link.activity_id, person.pk) for link, person, _h in rows if link.activity_id and person}
    activity_ids = sorted({activity_id for activity_id, _person_id in wanted})
    for chunk in in_chunks(sorted({person_id for _activity_id, person_id in wanted})) if wanted else ():
        recorded = Attendance.objects.filter(activity_id__in=activity_ids, person_id__in=chunk)
        for pair in recorded.values_list("activity_id", "person_id"):
            if pair in wanted:
                raise ValidationError(
                    _("%(name)s is already recorded at this activity.") % {"name": people[pair[1]].name}
                )


@transaction.atomic
def beneficiary_record_many(*, rows: list[tuple], actor) -> list[Attendance | None]:
    """Record many rows of a sign-in sheet at once: each (link, person or None, head-count) as
    ``beneficiary_record`` records it, its new activities first (as ``project_activity_record``), in a few
    queries for the whole batch. Returns each row's attendance (None for a head-count alone)."""
    beneficiary_check_many(rows=rows, actor=actor)
    links, added = {}, {}
    for link, _person, headcount in rows:
        links.setdefault(id(link), link)
        added[id(link)] = added.get(id(link), 0) + headcount
    new = [link for link in links.values() if link.pk is None]
    for link in new:
        link.activity.headcount = (link.activity.headcount or 0) + added.pop(id(link))
    if new:
        _project_links_create(new, actor)
    more = {}
    for key, headcount in added.items():
        if headcount:
            more[links[key].activity_id] = more.get(links[key].activity_id, 0) + headcount
    counted = (
        list(Activity.objects.select_for_update().filter(pk__in=sorted(more)).order_by("pk")) if more else []
    )
    for activity in counted:
        activity.headcount += more[activity.pk]
    Activity.objects.bulk_update(counted, ["headcount"])
    attendances = [
        Attendance(activity=link.activity, person=person) if person is not None else None
        for link, person, _headcount in rows
    ]
    Attendance.objects.bulk_create([a for a in attendances if a is not None], batch_size=5000)
    changes = iter(
        [{"beneficiary": [link.activity_id, person.pk if person else None, h]} for link, person, h in rows]
    )
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        targets=[link.project for link, _person, _headcount in rows],
        changes=lambda _project: next(changes),  # the rows' changes in their order (a project repeats)
    )
    records_written.send(sender=Activity, instances=[link.activity for link in new] + counted)
    records_written.send(sender=Attendance, instances=[a for a in attendances if a is not None])
    return attendances


# ---------------------------------------------------------------- evaluations and tranches


@transaction.atomic
def evaluation_record(
    *,
    project: Project,
    stage: str,
    rubric: Rubric,
    scores: dict,
    actor,
    evaluated_on: date | None = None,
    comment: str = "",
) -> Evaluation:
    """Score a project's 立项 / 中期 / 终期 evaluation on a rubric. A template is first copied, so the
    evaluation keeps the criteria it was scored on; ``scores`` maps the given rubric's criteria ids."""
    _require_staff(actor, project.station_id)
    if rubric.purpose != Rubric.Purpose.EVALUATION:
        raise ValidationError({"rubric": _("Choose a rubric made for project evaluations.")})
    criteria = list(rubric.criteria.all())
    clean = scores_check(criteria, scores)
    if rubric.is_template:
        copy = rubric_copy(rubric=rubric, actor=actor, station=project.station)
        copied = list(copy.criteria.all())
        by_label = {c.label: c for c in copied}
        clean = {by_label[c.label].pk: clean[c.pk] for c in criteria}
        rubric, criteria = copy, copied
    total = weighted_total(criteria, clean)
    evaluation = Evaluation(
        project=project,
        stage=stage,
        rubric=rubric,
        evaluated_on=evaluated_on or timezone.localdate(),
        evaluator=actor,
        total=total,
        passed=total >= Decimal(settings.PROJECTS_EVALUATION_PASS_SCORE),
        comment=(comment or "").strip(),
    )
    evaluation.full_clean()
    evaluation.save()
    EvaluationScore.objects.bulk_create(
        EvaluationScore(evaluation=evaluation, criterion_id=pk, score=value) for pk, value in clean.items()
    )
    _audit(actor, project, {"evaluation": [stage, str(total), evaluation.passed]}, AuditEvent.Action.CREATE)
    return evaluation


@transaction.atomic
def tranche_plan(*, tranche: Tranche, actor) -> Tranche:
    """Plan a tranche (or correct one not yet asked for)."""
    _require_staff(actor, tranche.project.station_id)
    if tranche.pk is not None:
        before = Tranche.objects.select_for_update().get(pk=tranche.pk)
        if before.status != Tranche.Status.PLANNED:
            raise ValidationError(_("A tranche asked for or released cannot be changed."))
    tranche.status = Tranche.Status.PLANNED
    tranche.full_clean()
    tranche.save()
    _audit(actor, tranche.project, {"tranche": [tranche.number, str(tranche.amount), tranche.after_stage]})
    return tranche


@transaction.atomic
def tranche_request(*, tranche: Tranche, actor) -> Tranche:
    tranche = Tranche.objects.select_for_update().select_related("project").get(pk=tranche.pk)
    _require_staff(actor, tranche.project.station_id)
    if tranche.status != Tranche.Status.PLANNED:
        raise ValidationError(_("This tranche is already %(s)s.") % {"s": tranche.get_status_display()})
    tranche.status = Tranche.Status.REQUESTED
    tranche.requested_by = actor
    tranche.requested_at = timezone.now()
    tranche.save()
    _audit(actor, tranche, {"status": ["planned", "requested"]})
    return tranche


@transaction.atomic
def tranche_release(*, tranche: Tranche, actor, released_on: date | None = None) -> Tranche:
    """Approve and release a requested tranche: only once the evaluation before it passed, never by the
    person who asked for it. A dated record with who approved it."""
    tranche = Tranche.objects.select_for_update().select_related("project").get(pk=tranche.pk)
    problem = permissions.can_release_tranche(actor, tranche)
    if problem:
        raise ValidationError(problem)
    tranche.status = Tranche.Status.RELEASED
    tranche.approved_by = actor
    tranche.released_on = released_on or timezone.localdate()
    tranche.full_clean()
    tranche.save()
    _audit(actor, tranche, {"status": ["requested", "released"], "amount": str(tranche.amount)})
    return tranche


# ---------------------------------------------------------------- contests


def _require_contest_staff(actor, contest):
    _require_staff(actor, contest.station_id)


@transaction.atomic
def contest_round_add(
    *, contest: Contest, name: str, actor, rubric: Rubric | None = None, deadline: date | None = None
) -> ContestRound:
    """Add the next round; its rubric is the round's own copy, so editing the template leaves it alone."""
    _require_contest_staff(actor, contest)
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    last = contest.rounds.order_by("-order").first()
    copy = None
    if rubric is not None:
        if rubric.purpose != Rubric.Purpose.CONTEST:
            raise ValidationError({"rubric": _("Choose a rubric made for contest judging.")})
        copy = rubric_copy(
            rubric=rubric, actor=actor, station=contest.station, name=f"{contest.title} · {name}"[:100]
        )
    contest_round = ContestRound(
        contest=contest, order=(last.order + 1) if last else 1, name=(name or "").strip(), rubric=copy,
        deadline=deadline,
    )  # fmt: skip
    contest_round.full_clean()
    contest_round.save()
    _audit(actor, contest, {"round": [contest_round.order, contest_round.name]})
    return contest_round


@transaction.atomic
def application_submit(*, application: Application, actor, applicant=None) -> Application:
    """An application enters the contest's first round."""
    contest = application.contest
    _require_contest_staff(actor, contest)
    if contest.status != Contest.Status.OPEN:
        raise ValidationError(_("The contest no longer takes applications."))
    first = contest.rounds.order_by("order").first()
    if first is None:
        raise ValidationError(_("The contest has no rounds yet."))
    if first.deadline and timezone.localdate() > first.deadline:
        raise ValidationError(_("The deadline for applications has passed."))
    if applicant is not None:
        ref = runner_reference(applicant)
        application.applicant_partner, application.applicant_type = ref["partner"], ref["type"]
        application.applicant_id, application.applicant_name = ref["id"], ref["name"]
    if application.applicant_partner_id and application.applicant_partner.station_id != contest.station_id:
        raise ValidationError({"applicant_partner": _("This partner unit belongs to another station.")})
    application.current_round = first
    application.full_clean()
    application.save()
    Entry.objects.create(application=application, round=first)
    _audit(actor, application, {"applicant": application.applicant_name}, AuditEvent.Action.CREATE)
    return application


@transaction.atomic
def judge_create(
    *, station, name: str, username: str, password: str, actor, person=None, affiliation=""
) -> Judge:
    """A judge's sign-in: a plain account (no staff profile, no admin), linked to the judge."""
    _require_staff(actor, station.pk)
    User = get_user_model()
    username = (username or "").strip()
    if not username or User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("Choose a sign-in name nobody uses yet.")})
    if len(password or "") < 8:
        raise ValidationError({"password": _("The password needs at least 8 characters.")})
    user = User(username=username, first_name=name[:150], is_staff=False)
    user.set_password(password)
    user.save()
    judge = Judge(
        station=station, user=user, person=person, name=(name or "").strip(), affiliation=affiliation
    )
    judge.full_clean()
    judge.save()
    _audit(actor, judge, {"username": username}, AuditEvent.Action.CREATE)
    return judge


@transaction.atomic
def assignment_create(*, judge: Judge, entry: Entry, actor) -> Assignment:
    contest = entry.round.contest
    _require_contest_staff(actor, contest)
    if judge.station_id != contest.station_id:
        raise ValidationError({"judge": _("This judge belongs to another station.")})
    if entry.round.rubric_id is None:
        raise ValidationError(_("Give the round a rubric before assigning judges."))
    if Assignment.objects.filter(judge=judge, entry=entry).exists():
        raise ValidationError(_("This judge is already assigned to this application in this round."))
    assignment = Assignment(judge=judge, entry=entry)
    assignment.full_clean()
    assignment.save()
    _audit(actor, entry.application, {"judge": [judge.name, entry.round.name]})
    return assignment


def _lock_assignment(assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("judge", "entry__round__rubric", "entry__application")
        .get(pk=assignment.pk)
    )


@transaction.atomic
def conflict_declare(*, assignment: Assignment, conflict: str, actor, note: str = "") -> Assignment:
    """The judge declares their conflict with the applicant before scoring: none, soft or hard."""
    assignment = _lock_assignment(assignment)
    problem = permissions.can_declare_conflict(actor, assignment)
    if problem:
        raise PermissionDenied(problem)
    if conflict not in Assignment.Conflict.values:
        raise ValidationError({"conflict": _("Choose whether you have a conflict.")})
    note = (note or "").strip()
    if conflict != Assignment.Conflict.NONE and not note:
        raise ValidationError({"conflict_note": _("Say what the conflict is.")})
    assignment.conflict, assignment.conflict_note = conflict, note
    assignment.declared_at = timezone.now()
    assignment.full_clean()
    assignment.save()
    _audit(actor, assignment, {"conflict": conflict, "note": note})
    return assignment


@transaction.atomic
def scorecard_submit(*, assignment: Assignment, scores: dict, actor) -> Assignment:
    """A judge's scores on every criterion of the round's rubric; the weighted total is computed here."""
    assignment = _lock_assignment(assignment)
    problem = permissions.can_score(actor, assignment)
    if problem:
        raise PermissionDenied(problem)
    criteria = list(assignment.entry.round.rubric.criteria.all())
    clean = scores_check(criteria, scores)
    ScoreRow.objects.bulk_create(
        ScoreRow(assignment=assignment, criterion_id=pk, score=value) for pk, value in clean.items()
    )
    assignment.total = weighted_total(criteria, clean)
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["total", "submitted_at"])
    _audit(actor, assignment, {"total": str(assignment.total)})
    return assignment


def entry_tally(entry: Entry, assignments=None) -> dict:
    """Where an entry's score comes from: every judge's total, whether it counts and why not, and the mean."""
    drop = entry.round.contest.drop_extremes
    assignments = list(assignments if assignments is not None else entry.assignments.select_related("judge"))
    rows = [
        {"assignment": a, "judge": a.judge, "total": a.total, "counted": False, "why": ""}
        for a in assignments
    ]
    scored = []
    for row in rows:
        a = row["assignment"]
        if a.conflict == Assignment.Conflict.HARD:
            row["why"] = _("hard conflict: recused")
        elif a.submitted_at is None:
            row["why"] = _("not scored yet")
        else:
            scored.append(row)
    mean, dropped = scoring.mean_of([r["total"] for r in scored], drop_extremes=drop)
    for index, row in enumerate(scored):
        if index in dropped:
            row["why"] = _("dropped (highest or lowest)")
        else:
            row["counted"] = True
    return {"rows": rows, "mean": mean, "judges_counted": sum(r["counted"] for r in rows)}


@transaction.atomic
def round_rank(*, contest_round: ContestRound, actor) -> list[Entry]:
    """Compute every entry's mean and the ranking of the round, stored on the entries (recomputable)."""
    _require_contest_staff(actor, contest_round.contest)
    entries = list(
        Entry.objects.select_for_update(of=("self",))
        .filter(round=contest_round)
        .select_related("round__contest")
        .order_by("pk")
    )
    by_entry: dict[int, list] = {}
    for a in Assignment.objects.filter(entry__in=entries).select_related("judge").order_by("pk"):
        by_entry.setdefault(a.entry_id, []).append(a)
    means = {e.pk: entry_tally(e, by_entry.get(e.pk, []))["mean"] for e in entries}
    ranks = scoring.rank(means)
    for entry in entries:
        entry.score, entry.rank = means[entry.pk], ranks.get(entry.pk)
    Entry.objects.bulk_update(entries, ["score", "rank"])
    _audit(actor, contest_round.contest, {"ranked": [contest_round.name, len(entries)]})
    return sorted(entries, key=lambda e: (e.rank is None, e.rank or 0, e.pk))


def award_plan(contest_round: ContestRound) -> list[tuple[Entry, object]]:
    """A suggestion for the staff: prize tiers to ranked entries in order, within the contest's budget
    (an award that would overrun the budget is skipped). Reads the stored ranking."""
    contest = contest_round.contest
    spent = Entry.objects.filter(round__contest=contest, result=Entry.Result.AWARDED).aggregate(
        s=Sum("award_amount")
    )["s"] or Decimal(0)
    remaining = contest.budget - spent
    slots = [tier for tier in contest.prizes.order_by("order") for _i in range(tier.places)]
    plan = []
    for entry in contest_round.entries.filter(rank__isnull=False, result=Entry.Result.PENDING).order_by(
        "rank", "pk"
    ):
        if not slots:
            break
        tier = slots[0]
        if tier.amount > remaining:
            plan.append((entry, None))
            continue
        slots.pop(0)
        remaining -= tier.amount
        plan.append((entry, tier))
    return plan


@transaction.atomic
def entry_decide(*, entry: Entry, result: str, actor, note: str = "", prize=None) -> Entry:
    """The staff's decision on an entry, authored and dated: advance to the next round, award a prize
    (within the budget) or not selected. The round's result is kept on the entry."""
    contest = Contest.objects.select_for_update().get(pk=entry.round.contest_id)
    entry = (
        Entry.objects.select_for_update(of=("self",)).select_related("round", "application").get(pk=entry.pk)
    )
    problem = permissions.can_decide(actor, entry)
    if problem:
        raise PermissionDenied(problem)
    if entry.result != Entry.Result.PENDING:
        raise ValidationError(_("This entry is already decided: %(r)s.") % {"r": entry.get_result_display()})
    application = entry.application
    if result == Entry.Result.ADVANCED:
        following = contest.rounds.filter(order__gt=entry.round.order).order_by("order").first()
        if following is None:
            raise ValidationError(_("This is the last round: award the entry or leave it out."))
        Entry.objects.create(application=application, round=following)
        application.current_round = following
    elif result == Entry.Result.AWARDED:
        if prize is None or prize.contest_id != contest.pk:
            raise ValidationError({"prize": _("Choose one of this contest's prizes.")})
        taken = Entry.objects.filter(round__contest=contest, prize=prize, result=Entry.Result.AWARDED).count()
        if taken >= prize.places:
            raise ValidationError({"prize": _("Every place of this prize is already awarded.")})
        spent = Entry.objects.filter(round__contest=contest, result=Entry.Result.AWARDED).aggregate(
            s=Sum("award_amount")
        )["s"] or Decimal(0)
        if spent + prize.amount > contest.budget:
            raise ValidationError(
                _("This award (%(a)s 元) would go over the contest's budget: %(r)s 元 left.")
                % {"a": prize.amount, "r": contest.budget - spent}
            )
        entry.prize, entry.award_amount = prize, prize.amount
        application.status = Application.Status.AWARDED
    elif result == Entry.Result.OUT:
        application.status = Application.Status.OUT
    else:
        raise ValidationError({"result": _("Choose a decision.")})
    entry.result = result
    entry.decided_by, entry.decided_at = actor, timezone.now()
    entry.decision_note = (note or "").strip()[:300]
    entry.full_clean()
    entry.save()
    application.save()
    _audit(actor, application, {"decision": [entry.round.name, result, str(entry.award_amount or "")]})
    return entry


@transaction.atomic
def application_to_project(*, application: Application, actor, lead_worker=None) -> Project:
    """A winning application becomes a project of origin 创投, with its award in two tranches: half after
    the initiation evaluation, half after the mid-term one."""
    application = Application.objects.select_for_update().select_related("contest").get(pk=application.pk)
    contest = application.contest
    _require_contest_staff(actor, contest)
    if application.status != Application.Status.AWARDED:
        raise ValidationError(_("Only an awarded application becomes a project."))
    if application.project_id:
        raise ValidationError(_("This application already became a project."))
    award = (
        application.entries.filter(result=Entry.Result.AWARDED).values_list("award_amount", flat=True).first()
    )
    project = Project(
        station=contest.station,
        title=application.title,
        origin=Project.Origin.CONTEST,
        category=application.category or "other",
        problem=application.proposal[:4000],
        lead_worker=lead_worker,
        runner_partner=application.applicant_partner,
        runner_type=application.applicant_type,
        runner_id=application.applicant_id,
        runner_name=application.applicant_name,
    )
    project = project_save(
        project=project,
        actor=actor,
        communities=[application.community] if application.community_id else None,
    )
    if award:
        first = (award / 2).quantize(Decimal("0.01"))
        Tranche.objects.create(
            project=project, number=1, amount=first, after_stage=Evaluation.Stage.INITIATION
        )
        Tranche.objects.create(
            project=project, number=2, amount=award - first, after_stage=Evaluation.Stage.MIDTERM
        )
    application.project = project
    application.save(update_fields=["project"])
    return project
