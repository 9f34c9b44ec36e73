"""Group work: groups and their sessions in the service ledger."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from station.models import Activity, Attendance, AuditEvent
from station.roles import is_station_staff
from station.services import audit_record

from ..models import Group, GroupSession
from ._common import _lock_one


@transaction.atomic
def group_save(*, group: Group, actor, members=None) -> Group:
    if not is_station_staff(actor, group.station_id):
        raise PermissionDenied(_("You do not belong to this group's station."))
    created = group.pk is None
    group.full_clean()
    group.save()
    changes = {"title": group.title}
    if members is not None:
        outside = [p for p in members if p.community.station_id != group.station_id]
        if outside:
            raise ValidationError(_("Members must live in the station's communities."))
        group.members.set(members)
        changes["members"] = sorted(p.pk for p in members)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=group,
        changes=changes,
    )
    return group


@transaction.atomic
def group_session_record(
    *,
    group: Group,
    actor,
    starts_at,
    ends_at,
    attendees=(),
    headcount: int = 0,
    place: str = "",
    title: str = "",
    newcomers_join: bool = False,
) -> GroupSession:
    """Record a group session as a casework activity in the service ledger, with named attendance.

    Open groups draw people from across the station's communities: anyone of the station may attend, and with
    ``newcomers_join`` those present who are not yet members join the group in the same transaction."""
    if not is_station_staff(actor, group.station_id):
        raise PermissionDenied(_("You do not belong to this group's station."))
    group = _lock_one(Group.objects.filter(pk=group.pk))
    number = group.sessions.count() + 1
    activity = Activity(
        station_id=group.station_id,
        platform=Activity.Platform.CASEWORK,
        kind="group_session",
        title=title or _("%(group)s, session %(n)d") % {"group": group.title, "n": number},
        community=group.community,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        organiser=actor,
        headcount=headcount,
    )
    activity.full_clean()
    activity.save()
    people = list(attendees)
    if any(p.community.station_id != group.station_id for p in people):
        raise ValidationError(_("Attendees must live in the station's communities."))
    Attendance.objects.bulk_create([Attendance(activity=activity, person=p) for p in people])
    if newcomers_join:
        group_members_add(group=group, people=people, actor=actor)
    session = GroupSession(group=group, activity=activity, number=number)
    session.full_clean()
    session.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=session,
        changes={"group": group.pk, "activity": activity.pk, "named": len(people), "headcount": headcount},
    )
    return session


@transaction.atomic
def group_members_add(*, group: Group, people, actor) -> list:
    """Add people of the station to a group's members; those already members are left as they are.
    Returns the people added."""
    if not is_station_staff(actor, group.station_id):
        raise PermissionDenied(_("You do not belong to this group's station."))
    group = _lock_one(Group.objects.filter(pk=group.pk))
    people = list(people)
    if any(p.community.station_id != group.station_id for p in people):
        raise ValidationError(_("Members must live in the station's communities."))
    already = set(group.members.filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    new = sorted({p.pk: p for p in people if p.pk not in already}.values(), key=lambda p: p.pk)
    if new:
        group.members.add(*new)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            target=group,
            changes={"members_added": [p.pk for p in new]},
        )
    return new
