"""Every write of the party-building platform that has rules. Admin, imports and tasks call these.

Members have no sign-in in this issue: everything they do is recorded by the station's workers, so every
service here requires the actor to be staff of the record's station (a cadre reads, never writes).
"""

from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.batching import in_chunks
from station.models import Activity, Attendance, AuditEvent, Need, Person
from station.periods import quarter_bounds
from station.roles import is_station_staff
from station.services import (
    audit_record,
    audit_record_many,
    need_meet,
    need_raise,
    need_take,
    notification_create,
    person_create_many,
)
from station.signals import records_written
from volunteers import selectors as volunteer_selectors
from volunteers import services as volunteer_services

from .models import (
    Course,
    CourseAttendance,
    CourseSession,
    MemberReport,
    PartyActivity,
    PartyDayVolunteerRecord,
    PartyMember,
    PartyOrg,
    PostHolder,
    PostHours,
    PracticeBase,
    QuarterlySheet,
    ServicePost,
    UnitReport,
    normalise_skills,
)

ACTION = AuditEvent.Action


def _words(text) -> str:
    """Stored words are in the station's language, whoever triggers them."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _require_staff(actor, station) -> None:
    if not is_station_staff(actor, station):
        raise PermissionDenied(_("Only the station's staff can record this."))


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


# Members ---------------------------------------------------------------------------------------------------


def member_register(
    *,
    person: Person,
    link: str,
    actor,
    org: PartyOrg | None = None,
    work_unit=None,
    skills: str = "",
    preferences: str = "",
    availability: str = "",
    joined_on: date | None = None,
) -> PartyMember:
    """Record a person as a party member (one person, every role)."""
    member = PartyMember(
        person=person,
        link=link,
        org=org,
        work_unit=work_unit,
        skills=skills,
        preferences=preferences,
        availability=availability,
        joined_on=joined_on,
    )
    _require_staff(actor, person.community.station_id)
    member_prepare(member)
    member.full_clean(validate_unique=False)  # one member per person: member_register_many checks it
    return member_register_many(members=[member], actor=actor)[0]


def member_check_many(*, members: list[PartyMember], actor) -> None:
    """The rules ``member_register_many`` applies to a batch beyond each member's own checks, without writing
    (an import's check runs it on every batch): the actor is staff of each member's station, nobody is a
    member already or twice in the batch, and each member's organisation and unit are of their station. A few
    queries for the whole batch."""
    for station_id in {member.person.community.station_id for member in members}:
        _require_staff(actor, station_id)
    first: dict[int, PartyMember] = {}
    for member in members:
        if member.person.pk is not None and first.setdefault(member.person.pk, member) is not member:
            raise ValidationError(
                _("%(name)s is twice among the members to register.") % {"name": member.person.name}
            )
    for chunk in in_chunks(first):
        members_already = PartyMember.objects.filter(person_id__in=chunk).order_by()
        for taken in members_already.values_list("person_id", flat=True)[:1]:
            raise ValidationError(
                _("%(name)s is already registered as a party member.") % {"name": first[taken].person.name}
            )
    for member in members:
        _member_check(member)


def member_prepare(member: PartyMember) -> None:
    """A new member in the form it is stored: skills normalised, text trimmed, registered today unless a day
    is given."""
    member.skills = normalise_skills(member.skills)
    member.preferences = (member.preferences or "").strip()
    member.availability = (member.availability or "").strip()
    member.joined_on = member.joined_on or timezone.localdate()


@transaction.atomic
def member_register_many(*, members: list[PartyMember], actor) -> list[PartyMember]:
    """Record many people as party members at once (an import; ``member_register`` is a batch of one): each
    member already in its stored form and checked (``member_prepare``, then ``full_clean`` but for its person,
    organisation and unit, which the batch's rules cover: ``member_check_many``). New residents among them
    (``member.person`` not saved, already checked with ``full_clean``) are registered first, each with their
    audit row; then each member gets one."""
    member_check_many(members=members, actor=actor)
    for member in members:  # the stored form, whoever calls (the import and member_register prepared it)
        member_prepare(member)
    person_create_many(people=[member.person for member in members if member.person.pk is None], actor=actor)
    PartyMember.objects.bulk_create(members)
    audit_record_many(actor=actor, action=ACTION.CREATE, targets=members, changes=lambda m: {"link": m.link})
    records_written.send(sender=PartyMember, instances=members)  # the month to date follows, as after a save
    return members


def _member_check(member: PartyMember) -> None:
    if member.link not in PartyMember.Link.values:  # what the party figures count members by
        raise ValidationError(
            {"link": _("“%(value)s” is not a way of linking to the community.") % {"value": member.link}}
        )
    station_id = member.person.community.station_id
    if member.org_id and member.org.station_id != station_id:
        raise ValidationError({"org": _("This party organisation belongs to another station.")})
    if member.work_unit_id and member.work_unit.station_id != station_id:
        raise ValidationError({"work_unit": _("This unit belongs to another station.")})


@transaction.atomic
def member_save(*, member: PartyMember, actor) -> PartyMember:
    """Correct a member's details (skills are normalised)."""
    _require_staff(actor, member.person.community.station_id)
    member.skills = normalise_skills(member.skills)
    _member_check(member)
    member.full_clean()
    member.save()
    audit_record(actor=actor, action=ACTION.UPDATE, target=member, changes={"skills": member.skills})
    return member


# A member's report to the community (个人报到) -------------------------------------------------------------

# The report's life: the only moves a service may make, and the service that makes each.
REPORT_TRANSITIONS = {
    MemberReport.Status.SUBMITTED: {MemberReport.Status.ACCEPTED},
    MemberReport.Status.ACCEPTED: {MemberReport.Status.ACTIVE},
    MemberReport.Status.ACTIVE: {MemberReport.Status.LAPSED},
    MemberReport.Status.LAPSED: set(),
}


def _report_move(report: MemberReport, to: str) -> None:
    if to not in REPORT_TRANSITIONS[report.status]:
        raise ValidationError(
            _("A report that is %(now)s cannot become %(to)s.")
            % {"now": report.get_status_display(), "to": MemberReport.Status(to).label}
        )


def _lock_report(report: MemberReport) -> MemberReport:
    return (
        MemberReport.objects.select_for_update().select_related("member__person__community").get(pk=report.pk)
    )


@transaction.atomic
def member_report_submit(
    *, person: Person, actor, community=None, submitted_on: date | None = None, note: str = ""
) -> MemberReport:
    """A member reports to a community (their own by default). Only a registered member can report."""
    member = PartyMember.objects.select_related("person__community").filter(person=person).first()
    if member is None:
        raise ValidationError(
            _("%(name)s is not registered as a party member; register them first.") % {"name": person.name}
        )
    community = community or member.person.community
    _require_staff(actor, community.station_id)
    if MemberReport.objects.filter(member=member, status__in=MemberReport.CURRENT).exists():
        raise ValidationError(_("%(name)s already has a current report.") % {"name": person.name})
    report = MemberReport(
        member=member,
        community=community,
        submitted_on=submitted_on or timezone.localdate(),
        note=note.strip(),
    )
    report.full_clean(
        validate_constraints=False
    )  # the one-current-report rule: checked above, held by the database
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError(_("%(name)s already has a current report.") % {"name": person.name}) from None
    audit_record(actor=actor, action=ACTION.CREATE, target=report, changes={"status": report.status})
    return report


@transaction.atomic
def member_report_accept(*, report: MemberReport, actor, on: date | None = None) -> MemberReport:
    report = _lock_report(report)
    _require_staff(actor, report.community.station_id)
    _report_move(report, MemberReport.Status.ACCEPTED)
    report.status = MemberReport.Status.ACCEPTED
    report.accepted_on = on or timezone.localdate()
    report.save(update_fields=["status", "accepted_on"])
    audit_record(
        actor=actor, action=ACTION.UPDATE, target=report, changes={"status": ["submitted", "accepted"]}
    )
    return report


@transaction.atomic
def member_report_activate(*, report: MemberReport, actor, on: date | None = None) -> MemberReport:
    """The member starts serving: the re-report deadline runs from today (PARTYBUILD_REREPORT_MONTHS)."""
    report = _lock_report(report)
    _require_staff(actor, report.community.station_id)
    _report_move(report, MemberReport.Status.ACTIVE)
    day = on or timezone.localdate()
    report.status = MemberReport.Status.ACTIVE
    report.active_from = report.last_reported_on = day
    report.deadline = add_months(day, settings.PARTYBUILD_REREPORT_MONTHS)
    report.save(update_fields=["status", "active_from", "last_reported_on", "deadline"])
    audit_record(
        actor=actor,
        action=ACTION.UPDATE,
        target=report,
        changes={"status": ["accepted", "active"], "deadline": str(report.deadline)},
    )
    return report


@transaction.atomic
def member_report_renew(*, report: MemberReport, actor, on: date | None = None) -> MemberReport:
    """The member re-reports before the deadline: a new deadline runs from today."""
    report = _lock_report(report)
    _require_staff(actor, report.community.station_id)
    if report.status != MemberReport.Status.ACTIVE:
        raise ValidationError(
            _("Only an active report can be renewed; this one is %(s)s. A lapsed member reports anew.")
            % {"s": report.get_status_display()}
        )
    day = on or timezone.localdate()
    before = report.deadline
    report.last_reported_on = day
    report.deadline = add_months(day, settings.PARTYBUILD_REREPORT_MONTHS)
    report.save(update_fields=["last_reported_on", "deadline"])
    audit_record(
        actor=actor,
        action=ACTION.UPDATE,
        target=report,
        changes={"deadline": [str(before), str(report.deadline)]},
    )
    return report


def reports_lapse_due(*, today: date | None = None) -> list[int]:
    """Lapse every active report whose deadline has passed; each claimed by a conditional update, so a run
    twice lapses nothing twice. Returns the reports lapsed now."""
    today = today or timezone.localdate()
    due = list(
        MemberReport.objects.filter(status=MemberReport.Status.ACTIVE, deadline__lt=today).values_list(
            "pk", flat=True
        )
    )
    lapsed = []
    for pk in due:
        with transaction.atomic():
            claimed = MemberReport.objects.filter(
                pk=pk, status=MemberReport.Status.ACTIVE, deadline__lt=today
            ).update(status=MemberReport.Status.LAPSED, lapsed_on=today)
            if claimed != 1:
                continue
            report = MemberReport.objects.select_related("member__person__community").get(pk=pk)
            audit_record(
                actor=None,
                action=ACTION.UPDATE,
                target=report,
                reason=_words(_("not re-reported by %(day)s") % {"day": report.deadline}),
                changes={"status": ["active", "lapsed"]},
            )
            _notify_staff(
                report,
                key=f"partybuild-lapsed-{report.pk}-{report.deadline}",
                title=_("%(name)s has lapsed: not re-reported by %(day)s")
                % {"name": report.member.person.name, "day": report.deadline},
            )
            lapsed.append(pk)
    return lapsed


def _notify_staff(report: MemberReport, *, key: str, title) -> int:
    from django.urls import reverse

    from station.models import StaffProfile
    from station.selectors import station_staff_users

    recipients = station_staff_users(
        [report.community.station_id], roles={StaffProfile.Role.STATION_HEAD, StaffProfile.Role.SOCIAL_WORKER}
    )
    url = reverse("admin:partybuild_memberreport_change", args=[report.pk])
    made = 0
    for user in recipients:
        if notification_create(recipient=user, key=f"{key}-{user.pk}", title=_words(title), url=url):
            made += 1
    return made


def reports_remind(*, today: date | None = None) -> int:
    """Remind the station 30 and 7 days (PARTYBUILD_REMINDER_DAYS) before a member's deadline, once each:
    the reminder's key names the report, its deadline and the lead time."""
    today = today or timezone.localdate()
    leads = sorted(settings.PARTYBUILD_REMINDER_DAYS)
    made = 0
    from datetime import timedelta

    reports = MemberReport.objects.filter(
        status=MemberReport.Status.ACTIVE,
        deadline__gte=today,
        deadline__lte=today + timedelta(days=max(leads)),
    ).select_related("member__person", "community")
    for report in reports:
        left = (report.deadline - today).days
        lead = next(days for days in leads if left <= days)  # the nearest lead time not yet passed
        made += _notify_staff(
            report,
            key=f"partybuild-rereport-{report.pk}-{report.deadline}-{lead}",
            title=_("%(name)s must re-report to %(community)s by %(day)s (%(n)d days left)")
            % {
                "name": report.member.person.name,
                "community": report.community,
                "day": report.deadline,
                "n": left,
            },
        )
    return made


# Units, posts, bases ---------------------------------------------------------------------------------------


def _save_simple(obj, *, actor, station_id, changes=None):
    _require_staff(actor, station_id)
    creating = obj.pk is None
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor, action=ACTION.CREATE if creating else ACTION.UPDATE, target=obj, changes=changes or {}
    )
    return obj


@transaction.atomic
def party_org_save(*, org: PartyOrg, actor) -> PartyOrg:
    if org.unit_id and org.unit.station_id != org.station_id:
        raise ValidationError({"unit": _("This unit belongs to another station.")})
    if org.parent_id and org.parent_id == org.pk:
        raise ValidationError({"parent": _("An organisation cannot be its own parent.")})
    return _save_simple(org, actor=actor, station_id=org.station_id, changes={"name": org.name})


@transaction.atomic
def unit_report_save(*, report: UnitReport, actor) -> UnitReport:
    if report.unit_id and report.community_id and report.unit.station_id != report.community.station_id:
        raise ValidationError({"unit": _("This unit belongs to another station.")})
    return _save_simple(report, actor=actor, station_id=report.community.station_id)


@transaction.atomic
def practice_base_save(*, base: PracticeBase, actor) -> PracticeBase:
    if base.unit_id and base.unit.station_id != base.station_id:
        raise ValidationError({"unit": _("This unit belongs to another station.")})
    return _save_simple(base, actor=actor, station_id=base.station_id, changes={"name": base.name})


@transaction.atomic
def service_post_save(*, post: ServicePost, actor) -> ServicePost:
    """Create or change a post. Places are never negative (a database rule too) nor fewer than its holders."""
    if post.places is not None and post.places < 0:
        raise ValidationError({"places": _("The number of places cannot be negative.")})
    post.skills_needed = normalise_skills(post.skills_needed)
    if post.community_id and post.station_id and post.community.station_id != post.station_id:
        raise ValidationError({"community": _("This community belongs to another station.")})
    if post.pk:
        ServicePost.objects.select_for_update().filter(pk=post.pk).first()
        holding = PostHolder.objects.filter(post=post, status=PostHolder.Status.HOLDING).count()
        if post.places < holding:
            raise ValidationError(
                {"places": _("%(n)d members hold this post; places cannot be fewer.") % {"n": holding}}
            )
    return _save_simple(post, actor=actor, station_id=post.station_id, changes={"places": post.places})


def _lock_post(post: ServicePost) -> ServicePost:
    return ServicePost.objects.select_for_update().select_related("community").get(pk=post.pk)


def _post_open_for(post: ServicePost, member: PartyMember) -> None:
    if member.person.community.station_id != post.station_id:
        raise ValidationError(_("%(name)s belongs to another station.") % {"name": member.person.name})
    today = timezone.localdate()
    if post.published_from > today or (post.published_to and post.published_to < today):
        raise ValidationError(_("The post “%(post)s” is not published today.") % {"post": post.title})


@transaction.atomic
def post_apply(*, post: ServicePost, member: PartyMember, actor) -> PostHolder:
    """The member applies for a post (recorded by a worker); a worker then accepts or declines."""
    post = _lock_post(post)
    _require_staff(actor, post.station_id)
    _post_open_for(post, member)
    return _holder_create(post, member, actor, how=PostHolder.How.APPLIED, status=PostHolder.Status.APPLIED)


@transaction.atomic
def post_assign(*, post: ServicePost, member: PartyMember, actor, reason: str = "") -> PostHolder:
    """A worker assigns a member to a post (from the matching list): the member holds it from today."""
    post = _lock_post(post)
    _require_staff(actor, post.station_id)
    _post_open_for(post, member)
    existing = PostHolder.objects.filter(post=post, member=member, status=PostHolder.Status.APPLIED).first()
    if existing:
        return post_holder_accept(holder=existing, actor=actor)
    _require_place(post)
    return _holder_create(
        post, member, actor, how=PostHolder.How.ASSIGNED, status=PostHolder.Status.HOLDING, reason=reason
    )


def _require_place(post: ServicePost) -> None:
    holding = PostHolder.objects.filter(post=post, status=PostHolder.Status.HOLDING).count()
    if holding >= post.places:
        raise ValidationError(
            _("The post “%(post)s” has no place left (%(n)d of %(n)d taken).")
            % {"post": post.title, "n": post.places}
        )


def _holder_create(post, member, actor, *, how, status, reason="") -> PostHolder:
    if PostHolder.objects.filter(
        post=post, member=member, status__in=[PostHolder.Status.APPLIED, PostHolder.Status.HOLDING]
    ).exists():
        raise ValidationError(_("%(name)s is already on this post.") % {"name": member.person.name})
    holder = PostHolder(
        post=post,
        member=member,
        how=how,
        status=status,
        started_on=timezone.localdate() if status == PostHolder.Status.HOLDING else None,
        match_reason=reason[:300],
    )
    holder.full_clean()
    holder.save()
    audit_record(actor=actor, action=ACTION.CREATE, target=holder, changes={"status": status, "how": how})
    return holder


@transaction.atomic
def post_holder_accept(*, holder: PostHolder, actor) -> PostHolder:
    post = _lock_post(holder.post)
    _require_staff(actor, post.station_id)
    holder = PostHolder.objects.select_for_update().get(pk=holder.pk)
    if holder.status != PostHolder.Status.APPLIED:
        raise ValidationError(_("Only an application can be accepted."))
    _require_place(post)
    holder.status = PostHolder.Status.HOLDING
    holder.started_on = timezone.localdate()
    holder.full_clean()
    holder.save()
    audit_record(actor=actor, action=ACTION.UPDATE, target=holder, changes={"status": ["applied", "holding"]})
    return holder


@transaction.atomic
def post_holder_end(*, holder: PostHolder, actor, on: date | None = None) -> PostHolder:
    holder = PostHolder.objects.select_for_update().select_related("post").get(pk=holder.pk)
    _require_staff(actor, holder.post.station_id)
    if holder.status not in (PostHolder.Status.APPLIED, PostHolder.Status.HOLDING):
        raise ValidationError(_("This member is no longer on the post."))
    before = holder.status
    holder.status = (
        PostHolder.Status.ENDED if before == PostHolder.Status.HOLDING else PostHolder.Status.DECLINED
    )
    holder.ended_on = on or timezone.localdate()
    holder.save(update_fields=["status", "ended_on"])
    audit_record(
        actor=actor, action=ACTION.UPDATE, target=holder, changes={"status": [before, holder.status]}
    )
    return holder


@transaction.atomic
def post_hours_record(*, holder: PostHolder, served_on: date, hours, actor, note: str = "") -> PostHours:
    """Hours a holder served on a day; once per day (a correction changes that day's entry)."""
    holder = PostHolder.objects.select_related("post").get(pk=holder.pk)
    _require_staff(actor, holder.post.station_id)
    if holder.status not in (PostHolder.Status.HOLDING, PostHolder.Status.ENDED):
        raise ValidationError(_("Hours are recorded only for a member who holds or held the post."))
    if holder.started_on and served_on < holder.started_on:
        raise ValidationError({"served_on": _("The member did not hold the post yet on that day.")})
    if served_on > timezone.localdate():
        raise ValidationError({"served_on": _("Hours cannot be recorded for a day to come.")})
    try:
        hours = Decimal(str(hours))
    except ArithmeticError:
        raise ValidationError({"hours": _("Enter the hours as a number.")}) from None
    if not (Decimal("0") < hours <= Decimal("24")):
        raise ValidationError({"hours": _("Hours must be more than 0 and at most 24.")})
    PostHolder.objects.select_for_update().get(pk=holder.pk)  # a retried call waits, then finds the entry
    entry = PostHours.objects.filter(holder=holder, served_on=served_on).first() or PostHours(
        holder=holder, served_on=served_on
    )
    before = entry.hours if entry.pk else None
    entry.hours, entry.note = hours, note.strip()[:200]
    entry.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    entry.full_clean(validate_constraints=False)  # range and once-a-day: checked above, held by the database
    entry.save()
    _post_hours_to_volunteer_record(entry=entry, holder=holder, before=before, actor=actor)
    audit_record(
        actor=actor,
        action=ACTION.CREATE if before is None else ACTION.UPDATE,
        target=entry,
        changes={"hours": str(hours) if before is None else [str(before), str(hours)]},
    )
    return entry


@transaction.atomic
def post_hours_delete(*, entry: PostHours, actor) -> None:
    """Delete a day's hours on a post. The volunteer service record they were entered as (if any) goes too:
    still waiting for approval, it is declined with the reason; once approved (points earned), the hours
    cannot be deleted here: a worker corrects them in the volunteers' records first."""
    entry = PostHours.objects.select_for_update().select_related("holder__post").get(pk=entry.pk)
    _require_staff(actor, entry.holder.post.station_id)
    record = _current_volunteer_record(entry, actor)
    if record is not None:
        if record.status == "approved":
            raise ValidationError(
                _(
                    "These hours have earned volunteer points (service record %(id)s); correct that record in "
                    "the volunteers' service records first."
                )
                % {"id": record.pk}
            )
        if record.status in ("entered", "pending"):
            volunteer_services.service_record_decline(
                record=record, reason=_words(_("The party post hours were deleted.")), actor=actor
            )
    audit_record(
        actor=actor,
        action=ACTION.DELETE,
        target=entry,
        changes={"hours": str(entry.hours), "volunteer_record": entry.volunteer_record_id},
    )
    entry.delete()


def volunteer_points_on(station_id) -> bool:
    """PARTYBUILD_VOLUNTEER_POINTS: False (off, the default), True (every station) or the ids of the
    stations that turned it on."""
    setting = getattr(settings, "PARTYBUILD_VOLUNTEER_POINTS", False)
    if isinstance(setting, bool):
        return setting
    return station_id in set(setting or ())


def _volunteer_for(person: Person, station_id, actor):
    """The person's active volunteer at the same station, through the volunteers app's selector."""
    return (
        volunteer_selectors.volunteer_list_visible_to(actor)
        .filter(person=person, person__community__station_id=station_id, status="active")
        .first()
    )


def _current_volunteer_record(entry: PostHours, actor):
    """The linked service record, following corrections made in the volunteers app to the current one."""
    if entry.volunteer_record_id is None:
        return None
    records = volunteer_selectors.service_record_list_visible_to(actor)
    record = records.filter(pk=entry.volunteer_record_id).first()
    while record is not None and record.status == "corrected":
        record = records.filter(corrects_id=record.pk).first()
    return record


def _minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value(rounding=ROUND_DOWN))


def _post_hours_to_volunteer_record(*, entry: PostHours, holder: PostHolder, before, actor) -> None:
    """Where the member is also a volunteer of the station and the setting is on, the hours go in as a
    service record of the volunteers app (entered, waiting for a worker's approval like any other), once:
    the record's id is kept on the entry. A later change of the hours corrects that record through the
    volunteers' own service (points already earned are reversed there, the new hours wait for approval);
    a declined record stays declined."""
    station_id = holder.post.station_id
    if entry.volunteer_record_id is None:
        if not volunteer_points_on(station_id):
            return
        person = Person.objects.get(
            pk=PartyMember.objects.values_list("person_id", flat=True).get(pk=holder.member_id)
        )
        volunteer = _volunteer_for(person, station_id, actor)
        if volunteer is None:
            return
        record = volunteer_services.service_record_backfill(
            volunteer=volunteer,
            service_date=entry.served_on,
            minutes=_minutes(entry.hours),
            description=_words(_("Party service post: %(title)s") % {"title": holder.post.title})[:300],
            actor=actor,
        )
        entry.volunteer_record_id = record.pk
        entry.save(update_fields=["volunteer_record_id"])
        return
    if before is None or before == entry.hours:
        return
    record = _current_volunteer_record(entry, actor)
    if record is None or record.status == "declined":
        return
    if record.minutes != _minutes(entry.hours):
        record = volunteer_services.service_record_correct(
            record=record,
            minutes=_minutes(entry.hours),
            reason=_words(_("The party post hours were corrected.")),
            actor=actor,
        )
    entry.volunteer_record_id = record.pk
    entry.save(update_fields=["volunteer_record_id"])


# Needs (the residents' needs list is the core's) ---------------------------------------------------------


@transaction.atomic
def need_take_by_member(*, need: Need, member: PartyMember, actor) -> Need:
    """A party member takes a need (认领) like any other taker, through the core's service."""
    _require_staff(actor, member.person.community.station_id)
    if need.person.community.station_id != member.person.community.station_id:
        raise ValidationError(_("This need belongs to another station."))
    need = need_take(need=need, taker=member, actor=actor)
    audit_record(actor=actor, action=ACTION.UPDATE, target=member, changes={"need_taken": need.pk})
    return need


@transaction.atomic
def need_meet_by_member(*, need: Need, outcome: str, actor) -> Need:
    return need_meet(need=need, outcome=outcome, actor=actor)


# Themed party days and 党建+公益 activities --------------------------------------------------------------


@transaction.atomic
def party_activity_save(*, party_activity: PartyActivity, activity: Activity, orgs, actor) -> PartyActivity:
    """Create or change a themed party day and the station activity it hangs on (platform "partybuild")."""
    _require_staff(actor, activity.station_id)
    orgs = list(orgs)
    if not orgs:
        raise ValidationError({"orgs": _("Name the party organisation(s) that ran it.")})
    if any(org.station_id != activity.station_id for org in orgs):
        raise ValidationError({"orgs": _("A party organisation belongs to another station.")})
    activity.platform = Activity.Platform.PARTYBUILD
    activity.kind = party_activity.kind
    if activity.pk is None and getattr(actor, "is_authenticated", False):
        activity.organiser = actor
    activity.full_clean()
    activity.save()
    party_activity.activity = activity
    party_activity.full_clean()
    creating = party_activity.pk is None
    party_activity.save()
    party_activity.orgs.set(orgs)
    audit_record(actor=actor, action=ACTION.CREATE if creating else ACTION.UPDATE, target=party_activity)
    return party_activity


@transaction.atomic
def party_activity_attend(*, party_activity: PartyActivity, people, actor) -> int:
    """Named attendance (members and the people served), through the core's Attendance."""
    activity = party_activity.activity
    _require_staff(actor, activity.station_id)
    people = list(people)
    if any(p.community.station_id != activity.station_id for p in people):
        raise ValidationError(_("Someone on the list belongs to another station."))
    have = set(Attendance.objects.filter(activity=activity).values_list("person_id", flat=True))
    new = [Attendance(activity=activity, person=p) for p in people if p.pk not in have]
    Attendance.objects.bulk_create(new)
    if party_activity.kind == PartyActivity.Kind.PARTY_DAY and volunteer_points_on(activity.station_id):
        _party_day_to_volunteer_records(party_activity=party_activity, people=people, actor=actor)
    return len(new)


def _party_day_to_volunteer_records(*, party_activity: PartyActivity, people, actor) -> None:
    """Members among the attendants who are volunteers of the station: the party day's length goes in as an
    entered service record of each (approved by a worker like any other), once per member and day."""
    activity = party_activity.activity
    day = timezone.localdate(activity.starts_at)
    minutes = int((activity.ends_at - activity.starts_at).total_seconds() // 60)
    if minutes <= 0 or day > timezone.localdate():
        return
    PartyActivity.objects.select_for_update().get(pk=party_activity.pk)  # a retried call waits, then skips
    members = set(PartyMember.objects.filter(person__in=people).values_list("person_id", flat=True))
    done = set(party_activity.volunteer_records.values_list("person_id", flat=True))
    for person in people:
        if person.pk not in members or person.pk in done:
            continue
        volunteer = _volunteer_for(person, activity.station_id, actor)
        if volunteer is None:
            continue
        record = volunteer_services.service_record_backfill(
            volunteer=volunteer,
            service_date=day,
            minutes=min(minutes, 24 * 60),
            description=_words(_("Themed party day: %(title)s") % {"title": activity.title})[:300],
            actor=actor,
        )
        PartyDayVolunteerRecord.objects.create(
            party_activity=party_activity, person=person, volunteer_record_id=record.pk
        )
        done.add(person.pk)


@transaction.atomic
def party_activity_follow_up(
    *, party_activity: PartyActivity, person: Person, category: str, description: str, actor
):
    """Something left to do after a party day becomes a need on the residents' list."""
    return need_raise(
        person=person,
        category=category,
        description=description,
        source=Need.Source.OTHER,
        source_ref=f"partybuild-activity-{party_activity.pk}",
        actor=actor,
    )


# Courses -----------------------------------------------------------------------------------------------------


def study_hours_for(length: str, starts_at: datetime, ends_at: datetime) -> Decimal:
    """学时: a full day counts 8, half a day 4, otherwise 1 an hour (PARTYBUILD_STUDY_HOURS)."""
    rule = settings.PARTYBUILD_STUDY_HOURS
    if length == CourseSession.Length.FULL_DAY:
        return Decimal(rule["full_day"])
    if length == CourseSession.Length.HALF_DAY:
        return Decimal(rule["half_day"])
    minutes = Decimal(int((ends_at - starts_at).total_seconds() // 60))
    return (minutes / 60 * Decimal(rule["per_hour"])).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


@transaction.atomic
def course_save(*, course: Course, actor) -> Course:
    return _save_simple(course, actor=actor, station_id=course.station_id, changes={"title": course.title})


@transaction.atomic
def course_session_save(*, session: CourseSession, actor) -> CourseSession:
    """A session counts in the calendar year of its (Shanghai) date."""
    _require_staff(actor, session.course.station_id)
    if session.starts_at and session.ends_at:
        if session.ends_at <= session.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})
        session.held_on = timezone.localdate(session.starts_at)
        session.study_hours = study_hours_for(session.length, session.starts_at, session.ends_at)
    session.full_clean()
    session.save()
    audit_record(
        actor=actor, action=ACTION.UPDATE, target=session, changes={"study_hours": str(session.study_hours)}
    )
    return session


@transaction.atomic
def course_attend(*, session: CourseSession, people, actor) -> int:
    _require_staff(actor, session.course.station_id)
    people = list(people)
    if any(p.community.station_id != session.course.station_id for p in people):
        raise ValidationError(_("Someone on the list belongs to another station."))
    have = set(CourseAttendance.objects.filter(session=session).values_list("person_id", flat=True))
    new = [CourseAttendance(session=session, person=p) for p in people if p.pk not in have]
    CourseAttendance.objects.bulk_create(new)
    return len(new)


# The quarterly report back to units (反馈) ---------------------------------------------------------------


def quarterly_sheets_make(*, station, year: int, quarter: int) -> int:
    """Make the quarter's sheets (draft) for every reporting member and every reporting unit of the station.
    The unique constraints make a second run (a retried task) create nothing; returns the sheets made now."""
    from . import selectors

    first, end = quarter_bounds(year, quarter)
    figures = selectors.quarter_figures(station=station, first_day=first, end_day=end)
    before = QuarterlySheet.objects.filter(station=station, year=year, quarter=quarter).count()
    sheets = [
        QuarterlySheet(station=station, member_id=pk, year=year, quarter=quarter, figures=row)
        for pk, row in figures["members"].items()
    ] + [
        QuarterlySheet(station=station, unit_id=pk, year=year, quarter=quarter, figures=row)
        for pk, row in figures["units"].items()
    ]
    QuarterlySheet.objects.bulk_create(sheets, ignore_conflicts=True, batch_size=500)
    return QuarterlySheet.objects.filter(station=station, year=year, quarter=quarter).count() - before


SHEET_TRANSITIONS = {
    QuarterlySheet.Status.DRAFT: {QuarterlySheet.Status.SENT},
    QuarterlySheet.Status.SENT: {QuarterlySheet.Status.ACKNOWLEDGED},
    QuarterlySheet.Status.ACKNOWLEDGED: set(),
}


def _sheet_move(sheet: QuarterlySheet, to: str, actor) -> QuarterlySheet:
    sheet = QuarterlySheet.objects.select_for_update().get(pk=sheet.pk)
    _require_staff(actor, sheet.station_id)
    if to not in SHEET_TRANSITIONS[sheet.status]:
        raise ValidationError(
            _("A sheet that is %(now)s cannot become %(to)s.")
            % {"now": sheet.get_status_display(), "to": QuarterlySheet.Status(to).label}
        )
    before = sheet.status
    sheet.status = to
    if to == QuarterlySheet.Status.SENT:
        sheet.sent_on = timezone.localdate()
    else:
        sheet.acknowledged_on = timezone.localdate()
    sheet.save(update_fields=["status", "sent_on", "acknowledged_on"])
    audit_record(actor=actor, action=ACTION.UPDATE, target=sheet, changes={"status": [before, to]})
    return sheet


@transaction.atomic
def sheet_comment(*, sheet: QuarterlySheet, comment: str, actor) -> QuarterlySheet:
    sheet = QuarterlySheet.objects.select_for_update().get(pk=sheet.pk)
    _require_staff(actor, sheet.station_id)
    if sheet.status != QuarterlySheet.Status.DRAFT:
        raise ValidationError(_("The comment can only be edited before the sheet is sent."))
    sheet.comment = (comment or "").strip()
    sheet.full_clean()
    sheet.save(update_fields=["comment"])
    audit_record(actor=actor, action=ACTION.UPDATE, target=sheet, changes={"comment": sheet.comment[:100]})
    return sheet


@transaction.atomic
def sheet_send(*, sheet: QuarterlySheet, actor) -> QuarterlySheet:
    return _sheet_move(sheet, QuarterlySheet.Status.SENT, actor)


@transaction.atomic
def sheet_acknowledge(*, sheet: QuarterlySheet, actor) -> QuarterlySheet:
    return _sheet_move(sheet, QuarterlySheet.Status.ACKNOWLEDGED, actor)


def local_datetime(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))
