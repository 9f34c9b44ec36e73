"""Every write in the station core that has rules. Views, admin, imports and tasks call these."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from . import idnumbers
from .models import Activity, ActivityKind, Attendance, AuditEvent, Designation, Notification, Person
from .signals import records_written

# Fields never written into the audit trail in clear.
SECRET_FIELDS = {"id_number"}


def audit_record(*, actor, action: str, target, reason: str = "", changes: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label if hasattr(target, "_meta") else str(target),
        target_id=str(getattr(target, "pk", "") or ""),
        target_repr=str(target)[:200],
        reason=reason[:300],
        changes=changes or {},
    )


def audit_record_many(*, actor, action: str, targets, changes=None) -> None:
    """The audit rows of a batch written at once (an import): one row per target, in one query.
    ``changes`` is a function of the target giving its changes."""
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=action,
                target_type=target._meta.label,
                target_id=str(target.pk),
                target_repr=str(target)[:200],
                changes=changes(target) if changes else {},
            )
            for target in targets
        ]
    )


def _secret(value: str) -> str:
    """An ID number as the audit trail keeps it: masked, with a short keyed fingerprint so that a new number
    shows as a change even when its first and last four digits are the old one's."""
    return f"{idnumbers.mask(value)} #{idnumbers.keyed_hash(value)[:8]}"


def _person_snapshot(person: Person) -> dict:
    data = model_to_dict(person, exclude=["id"])
    return {
        k: (_secret(v) if k in SECRET_FIELDS and v else str(v) if v is not None else "")
        for k, v in data.items()
    }


def person_diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}


@transaction.atomic
def person_save(*, person: Person, actor, before: dict | None = None) -> Person:
    """Create or update a person after validation, writing the change into the audit trail."""
    creating = person.pk is None
    if before is None and not creating:
        before = _person_snapshot(Person.objects.get(pk=person.pk))
    person.full_clean()
    person.save()
    after = _person_snapshot(person)
    if creating:
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=person, changes=after)
    else:
        changes = person_diff(before or {}, after)
        if changes:
            audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=person, changes=changes)
    return person


@transaction.atomic
def person_create_many(
    *, people: list[Person], actor, action: str = AuditEvent.Action.CREATE
) -> list[Person]:
    """Create people already checked one by one (``full_clean``; an import checks the ID numbers of its whole
    file at once), in a few queries, each with its audit row."""
    for person in people:
        person.id_number_hash = idnumbers.keyed_hash(person.id_number)
    Person.objects.bulk_create(people)
    audit_record_many(actor=actor, action=action, targets=people, changes=_person_snapshot)
    return people


def person_snapshot(person: Person) -> dict:
    return _person_snapshot(person)


def _designation_words(designation) -> list[str]:
    return [designation.kind, str(designation.start_date), str(designation.end_date or "")]


@transaction.atomic
def designation_save(*, designation: Designation, actor) -> Designation:
    """Record or correct a designation; the worker who first records it confirms it. Audited on the person."""
    creating = designation.pk is None
    if designation.confirmed_by_id is None and getattr(actor, "is_authenticated", False):
        designation.confirmed_by = actor
    designation.full_clean()
    designation.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=designation.person,
        changes={"designation": _designation_words(designation)},
    )
    return designation


@transaction.atomic
def designation_delete(*, designation: Designation, actor) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=designation.person,
        changes={"designation": _designation_words(designation)},
    )
    designation.delete()


@transaction.atomic
def person_reveal_id_number(*, person: Person, actor, reason: str) -> str:
    """The full ID number, for someone allowed to see it who says why; logged every time."""
    if not actor.has_perm("station.reveal_id_number"):
        raise PermissionDenied(_("You are not allowed to see full ID numbers."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(_("Say why you need the full ID number (at least 4 characters)."))
    audit_record(actor=actor, action=AuditEvent.Action.REVEAL, target=person, reason=reason)
    return person.id_number


def staff_profile_validate(*, profile, actor) -> None:
    """Who may appoint what: a superuser anything; anyone else only station roles in their own stations,
    never for a superuser. Never a district viewer: that reads every station of a district."""
    from .models import StaffProfile
    from .selectors import station_ids_for

    if getattr(actor, "is_superuser", False) and actor.is_active:
        return
    errors = {}
    if profile.role == StaffProfile.Role.DISTRICT_VIEWER:
        errors["role"] = _("Only an administrator can appoint district viewers.")
    before = StaffProfile.objects.filter(pk=profile.pk).values_list("district", flat=True).first() or ""
    if profile.district != before:
        errors["district"] = _("Only an administrator can set a district.")
    allowed = station_ids_for(actor) or []
    if profile.station_id not in allowed:
        errors["station"] = _("Choose your own station.")
    if profile.user_id and profile.user.is_superuser:
        errors["user"] = _("This user cannot be given a role in your station.")

    if errors:
        raise ValidationError(errors)


def notification_create(
    *, recipient, key: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Make a reminder once. Returns the new notification, or None when the key already exists."""
    from .models import is_site_relative

    url = url if is_site_relative(url) else ""  # only links within the site are kept
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key[:200], defaults={"recipient": recipient, "title": title[:200], "body": body, "url": url}
        )
    if not created:
        return None
    if recipient.email:
        from .queue import send_after_commit
        from .tasks import send_notification_email

        # A broker that is down only delays the e-mail: send_pending_notifications sweeps what was not sent.
        send_after_commit(send_notification_email, notification.pk)
    return notification


def notification_send_email(*, notification_id: int) -> bool:
    """Email one notification once. The row stays locked while the e-mail goes out and is marked sent in the
    same transaction: a worker killed mid-send leaves it unsent for ``send_pending_notifications`` (never
    marked sent without the e-mail), a failed send rolls back the same way, and a second worker skips the
    locked row instead of sending it again."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_sent_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        send_mail(
            subject=notification.title,
            message=notification.body or notification.title,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        Notification.objects.filter(pk=notification_id).update(email_sent_at=timezone.now())
    return True


def notification_mark_read(*, user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


# ---------------------------------------------------------------- the residents' needs list (群众困难清单)


def _need_require_visible(need_or_person, actor):
    from .models import Need
    from .selectors import person_list_visible_to

    person_id = need_or_person.person_id if isinstance(need_or_person, Need) else need_or_person.pk
    if not person_list_visible_to(actor).filter(pk=person_id).exists():
        raise PermissionDenied(_("This person is not in your scope."))


@transaction.atomic
def need_raise(
    *,
    person,
    category: str,
    description: str,
    source: str,
    actor,
    urgency: str = "normal",
    source_ref: str = "",
    household_note: str = "",
):
    """Put a need on the list, open, from a visit, a case, a cadre or the resident."""
    from .models import Need

    _need_require_visible(person, actor)
    need = Need(
        person=person,
        category=category,
        description=(description or "").strip(),
        urgency=urgency or Need.Urgency.NORMAL,
        source=source,
        source_ref=source_ref,
        household_note=household_note,
        raised_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    need.full_clean()
    need.save()
    return need


def need_check_many(*, needs, actor) -> None:
    """The rule ``need_raise_many`` applies to a batch beyond each need's own ``full_clean``, without writing
    (an import's check runs it on every batch): every person must be one the actor may see."""
    from .selectors import person_list_visible_to

    person_ids = {need.person_id for need in needs}
    if person_list_visible_to(actor).filter(pk__in=person_ids).count() != len(person_ids):
        raise PermissionDenied(_("This person is not in your scope."))


@transaction.atomic
def need_raise_many(*, needs, actor) -> list:
    """Put many needs on the list at once (an import): each already checked with ``full_clean``; every person
    must be one the actor may see."""
    from .models import Need

    need_check_many(needs=needs, actor=actor)
    raised_by = actor if getattr(actor, "is_authenticated", False) else None
    for need in needs:
        need.raised_by = raised_by
        need.status = Need.Status.OPEN
    needs = Need.objects.bulk_create(needs)
    records_written.send(sender=Need, instances=needs)
    return needs


def _taker_name(taker) -> str:
    if hasattr(taker, "get_full_name"):
        return (taker.get_full_name() or taker.get_username())[:100]
    return str(taker)[:100]


@transaction.atomic
def need_take(*, need, taker, actor):
    """Someone takes the need on: a worker now; a party member, volunteer or organisation later."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Need

    _need_require_visible(need, actor)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.OPEN:
        raise ValidationError(
            _("Only an open need can be taken; this one is %(s)s.") % {"s": need.get_status_display()}
        )
    need.status = Need.Status.TAKEN
    need.taker_type = ContentType.objects.get_for_model(taker)
    need.taker_id = taker.pk
    need.taker_name = _taker_name(taker)
    need.taken_at = timezone.now()
    need.full_clean()
    need.save()
    return need


@transaction.atomic
def need_meet(*, need, outcome: str, actor):
    """The taker reports the need met, saying what was done."""
    from .models import Need

    _need_require_visible(need, actor)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.TAKEN:
        raise ValidationError(_("A need must be taken before it is met."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what was done.")})
    need.status = Need.Status.MET
    need.outcome = outcome
    need.resolved_at = timezone.now()
    need.full_clean()
    need.save()
    return need


@transaction.atomic
def need_close(*, need, reason: str, actor):
    """Close a need without meeting it (moved away, refused help...), saying why."""
    from .models import Need

    _need_require_visible(need, actor)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status not in (Need.Status.OPEN, Need.Status.TAKEN):
        raise ValidationError(_("This need is already %(s)s.") % {"s": need.get_status_display()})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"outcome": _("Say why the need is closed without being met.")})
    need.status = Need.Status.CLOSED
    if not need.taker_name:
        need.taker_name = _taker_name(actor)
    need.outcome = reason
    need.resolved_at = timezone.now()
    need.full_clean()
    need.save()
    return need


# ---------------------------------------------------------------- households and partner units


@transaction.atomic
def household_save(*, household, actor):
    """Create or correct a household (its community must be one the actor may see)."""
    from .models import AuditEvent
    from .selectors import community_list_visible_to

    if not community_list_visible_to(actor).filter(pk=household.community_id).exists():
        raise PermissionDenied(_("This community is not in your scope."))
    creating = household.pk is None
    household.full_clean()
    household.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=household,
        changes={"address": household.address, "number": household.number},
    )
    return household


@transaction.atomic
def household_member_set(*, household, person, relation: str, actor):
    """Put a person in a household (moving them out of any other), with their relation to the head."""
    from .models import AuditEvent, HouseholdMember

    _need_require_visible(person, actor)
    if relation == HouseholdMember.Relation.HEAD:
        other_head = household.memberships.filter(relation=relation).exclude(person=person).first()
        if other_head is not None:
            raise ValidationError(
                {
                    "relation": _("%(name)s is already the head of this household.")
                    % {"name": other_head.person}
                }
            )
    member = HouseholdMember.objects.filter(person=person).first() or HouseholdMember(person=person)
    member.household, member.relation = household, relation
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=person,
        changes={"household": [household.pk, member.get_relation_display()]},
    )
    return member


def household_members_check_many(*, members: list, actor) -> None:
    """The rules of ``household_members_set_many`` that need no write: every person one the actor may see,
    every household in a community the actor may see. For an import's check."""
    from .selectors import community_list_visible_to, person_list_visible_to

    person_ids = {member.person_id for member in members}
    visible = 0
    for start in range(0, len(person_ids), 5000):
        chunk = sorted(person_ids)[start : start + 5000]
        visible += person_list_visible_to(actor).filter(pk__in=chunk).count()
    if visible != len(person_ids):
        raise PermissionDenied(_("This person is not in your scope."))
    community_ids = {member.household.community_id for member in members}
    if community_list_visible_to(actor).filter(pk__in=community_ids).count() != len(community_ids):
        raise PermissionDenied(_("This community is not in your scope."))


@transaction.atomic
def household_members_set_many(*, members: list, actor) -> list:
    """Put many people in their households at once (an imported register), each member already checked with
    ``full_clean``: the same rules as ``household_save`` and ``household_member_set`` (people and communities
    the actor may see, one head a household, a person moved out of any other household), in a few queries
    for the whole batch. A household not yet saved is created, once however many members name it."""
    from .models import AuditEvent, Household, HouseholdMember

    household_members_check_many(members=members, actor=actor)
    people = [m.person_id for m in members]
    if len(set(people)) != len(people):
        raise ValidationError(_("A person belongs to one household: each person once in the batch."))
    head_of = [id(m.household) for m in members if m.relation == HouseholdMember.Relation.HEAD]
    if len(set(head_of)) != len(head_of):
        raise ValidationError({"relation": _("A household has one head.")})
    new = list({id(m.household): m.household for m in members if m.household.pk is None}.values())
    for household in new:
        household.full_clean(exclude={"community"}, validate_unique=False)
    Household.objects.bulk_create(new, batch_size=1000)
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        targets=new,
        changes=lambda h: {"address": h.address, "number": h.number},
    )
    heads = {m.household.pk: m.person_id for m in members if m.relation == HouseholdMember.Relation.HEAD}
    other_head = (
        HouseholdMember.objects.filter(household_id__in=heads, relation=HouseholdMember.Relation.HEAD)
        .exclude(person_id__in=[m.person_id for m in members])
        .select_related("person")
        .first()
    )
    if other_head is not None:
        raise ValidationError(
            {"relation": _("%(name)s is already the head of this household.") % {"name": other_head.person}}
        )
    existing = dict(
        HouseholdMember.objects.filter(person_id__in=[m.person_id for m in members]).values_list(
            "person_id", "pk"
        )
    )
    moved = [m for m in members if m.person_id in existing]
    for member in moved:
        member.pk = existing[member.person_id]
    HouseholdMember.objects.bulk_update(moved, ["household", "relation"], batch_size=1000)
    HouseholdMember.objects.bulk_create([m for m in members if m.pk is None], batch_size=1000)
    placed = {m.person_id: m for m in members}
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        targets=[m.person for m in members],
        changes=lambda p: {"household": [placed[p.pk].household.pk, placed[p.pk].get_relation_display()]},
    )
    return members


@transaction.atomic
def household_member_remove(*, member, actor) -> None:
    from .models import AuditEvent

    _need_require_visible(member.person, actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=member.person,
        changes={"household": [member.household_id, ""]},
    )
    member.delete()


@transaction.atomic
def partner_unit_save(*, unit, actor):
    """Add a unit to the directory or correct it; the station must be the actor's."""
    from .models import AuditEvent
    from .selectors import station_ids_for

    allowed = station_ids_for(actor)
    if allowed is not None and unit.station_id not in allowed:
        raise PermissionDenied(_("Choose your own station."))
    creating = unit.pk is None
    unit.name = (unit.name or "").strip()
    unit.full_clean()
    unit.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=unit,
        changes={"name": unit.name, "kind": unit.kind},
    )
    return unit


# ---------------------------------------------------------------- the service ledger


@transaction.atomic
def activity_record(
    *,
    station,
    kind: str,
    title: str,
    community,
    starts_at,
    ends_at,
    people=(),
    headcount: int = 0,
    place: str = "",
    actor,
) -> Activity:
    """Record a community activity of the station with its named attendees (as ticked off a sign-in sheet)
    and the anonymous head-count. Every person must be one the worker may see; nothing is saved otherwise."""
    from .roles import is_station_staff
    from .selectors import person_list_visible_to

    if not is_station_staff(actor, station):
        raise PermissionDenied(_("Only the station's staff record its activities."))
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Choose the kind of activity from the list.")})
    ids = sorted({getattr(p, "pk", p) for p in people})
    visible = set(person_list_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if len(visible) != len(ids):
        raise ValidationError(_("Some of the people ticked are not in your communities."))
    activity = Activity(
        station=station,
        platform=Activity.Platform.STATION,
        kind=kind,
        title=(title or "").strip(),
        community=community,
        starts_at=starts_at,
        ends_at=ends_at,
        place=(place or "").strip(),
        headcount=headcount or 0,
        organiser=actor if getattr(actor, "is_authenticated", False) else None,
    )
    activity.full_clean()
    activity.save()
    Attendance.objects.bulk_create([Attendance(activity=activity, person_id=pk) for pk in ids])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=activity,
        changes=_activity_snapshot(activity, ids),
    )
    return activity


def _activity_snapshot(activity, ids) -> dict:
    return {
        "kind": activity.kind,
        "community": activity.community_id or "",
        "starts_at": activity.starts_at.isoformat(),
        "headcount": activity.headcount,
        "attendees": ids,
    }


@transaction.atomic
def activity_record_many(*, station, activities: list[tuple[Activity, list]], actor) -> list[Activity]:
    """Record many activities at once (an imported sign-in sheet): each an unsaved ``Activity`` of the station
    with the ids of its named attendees. The same rules as ``activity_record`` (the station's staff, people the
    worker may see, each activity checked with ``full_clean``), in a few queries for the whole batch."""
    from .roles import is_station_staff
    from .selectors import person_list_visible_to

    if not is_station_staff(actor, station):
        raise PermissionDenied(_("Only the station's staff record its activities."))
    wanted = sorted({pk for _activity, ids in activities for pk in ids})
    visible = set()
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        visible |= set(person_list_visible_to(actor).filter(pk__in=chunk).values_list("pk", flat=True))
    if len(visible) != len(wanted):
        raise ValidationError(_("Some of the people ticked are not in your communities."))
    organiser = actor if getattr(actor, "is_authenticated", False) else None
    for activity, _ids in activities:
        if activity.kind not in ActivityKind.values:
            raise ValidationError({"kind": _("Choose the kind of activity from the list.")})
        activity.station, activity.platform, activity.organiser = (
            station,
            Activity.Platform.STATION,
            organiser,
        )
        activity.title, activity.place = (activity.title or "").strip(), (activity.place or "").strip()
        activity.headcount = activity.headcount or 0
        # The station, community and organiser were looked up for the batch; Django would query each again.
        activity.full_clean(exclude={"station", "community", "organiser"}, validate_constraints=False)
    saved = Activity.objects.bulk_create([activity for activity, _ids in activities], batch_size=1000)
    Attendance.objects.bulk_create(
        [
            Attendance(activity=activity, person_id=pk)
            for activity, ids in activities
            for pk in sorted(set(ids))
        ],
        batch_size=5000,
    )
    attendees = {id(activity): sorted(set(ids)) for activity, ids in activities}
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        targets=saved,
        changes=lambda activity: _activity_snapshot(activity, attendees[id(activity)]),
    )
    records_written.send(sender=Activity, instances=saved)
    return saved
