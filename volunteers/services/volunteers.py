"""Volunteers: registration and their sign-in account."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import AuditEvent, Person
from station.phones import validate_phone
from station.services import audit_record, audit_record_many, person_create_many

from ..models import Volunteer
from .base import audit

User = get_user_model()


@transaction.atomic
def volunteer_register(
    *,
    person: Person,
    actor,
    password: str | None = None,
    joined_on: date | None = None,
    skills: str = "",
    trainings: str = "",
    availability: str = "",
) -> Volunteer:
    """Make a person a volunteer, with a sign-in account named by their phone number."""
    if Volunteer.objects.filter(person=person).exists():
        raise ValidationError(_("%(name)s is already a volunteer.") % {"name": person.name})
    if not (person.phone or "").strip():
        raise ValidationError(_("A volunteer needs a phone number to sign in."))
    phone = validate_phone(person.phone)  # the account's name is the number in its one written form
    if User.objects.filter(username=phone).exists():
        raise ValidationError(
            _("The phone number %(phone)s is already used by an account.") % {"phone": phone}
        )
    volunteer = Volunteer(
        person=person,
        joined_on=joined_on or timezone.localdate(),
        skills=skills,
        trainings=trainings,
        availability=availability,
    )
    volunteer.full_clean(exclude=["user"])
    user = User(username=phone, first_name=person.name[:150], is_staff=False, is_superuser=False)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    volunteer.user = user
    volunteer.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=volunteer)
    return volunteer


@transaction.atomic
def volunteer_register_many(*, volunteers: list[Volunteer], actor) -> list[Volunteer]:
    """Register many volunteers at once (an import): each ``volunteer.person`` is a person already checked
    (new ones are created here), with a phone number no account uses; each gets a sign-in account named by
    that number without a password, as ``volunteer_register`` does, in a few queries for the batch."""
    new_people = [v.person for v in volunteers if v.person.pk is None]
    person_create_many(people=new_people, actor=actor)
    users = []
    for volunteer in volunteers:
        user = User(username=validate_phone(volunteer.person.phone), first_name=volunteer.person.name[:150])
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    for volunteer, user in zip(volunteers, users, strict=True):
        volunteer.user = user
    Volunteer.objects.bulk_create(volunteers)
    audit_record_many(actor=actor, action=AuditEvent.Action.CREATE, targets=volunteers)
    return volunteers


@transaction.atomic
def volunteer_set_password(*, volunteer: Volunteer, password: str, actor) -> None:
    user = volunteer.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=volunteer, reason=_("password set"))


VOLUNTEER_FIELDS = ["joined_on", "status", "skills", "trainings", "availability"]


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, actor) -> Volunteer:
    """Save a worker's changes to a volunteer's details. Only those fields are written: the points balance
    moves with the ledger alone, so a change never writes the balance it was read with."""
    before = Volunteer.objects.values(*VOLUNTEER_FIELDS).get(pk=volunteer.pk)
    volunteer.full_clean(exclude=["user"])
    volunteer.save(update_fields=VOLUNTEER_FIELDS)
    changes = {
        name: [before[name], getattr(volunteer, name)]
        for name in VOLUNTEER_FIELDS
        if before[name] != getattr(volunteer, name)
    }
    if changes:
        audit(actor=actor, target=volunteer, **changes)
    return volunteer
