"""Sponsors become units of the core's partner units directory, step 2 of 3: copy every sponsor.

Each sponsor becomes a partner unit with the same id, so the rewards' and donations' ``sponsor_id`` stay
valid. Two cases need a row moved:

- a unit of the same station already has the sponsor's name (the name is unique in a station): the sponsor
  merges into it; the unit keeps what it has and takes the sponsor's contact, phone and address where its
  own are empty, and the sponsor's note below its own;
- another unit already has the sponsor's id: the sponsor becomes a unit with a new id.

In both cases the sponsor's rewards and donations are repointed to the unit. Which rows belong to which
sponsor is read before anything moves, so a new id that equals another sponsor's old id confuses nothing.
Afterwards PostgreSQL's id sequence of the units' table is moved past the ids written here.

Backwards, every unit that a reward or a donation points at becomes a sponsor again with the unit's id
(the units stay in the directory).
"""

from collections import defaultdict

from django.core.management.color import no_style
from django.db import migrations

SPONSOR_KINDS = {"enterprise", "merchant", "organisation", "individual"}
CHUNK = 500


def _rows_by_sponsor(model, db):
    rows = defaultdict(list)
    for pk, sponsor_id in model.objects.using(db).exclude(sponsor_id=None).values_list("pk", "sponsor_id"):
        rows[sponsor_id].append(pk)
    return rows


def _repoint(model, db, pks, unit_id):
    for start in range(0, len(pks), CHUNK):
        model.objects.using(db).filter(pk__in=pks[start : start + CHUNK]).update(sponsor_id=unit_id)


def _reset_sequence(schema_editor, model):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def _merge(unit, sponsor):
    """The unit keeps its own values; the sponsor's fill what the unit left empty."""
    for name in ("contact_person", "phone", "address"):
        if not getattr(unit, name) and getattr(sponsor, name):
            setattr(unit, name, getattr(sponsor, name))
    note = (sponsor.note or "").strip()
    if note and note not in (unit.note or ""):
        unit.note = f"{unit.note}\n{note}".strip()


def sponsors_to_partner_units(apps, schema_editor):
    db = schema_editor.connection.alias
    Sponsor = apps.get_model("volunteers", "Sponsor")
    PartnerUnit = apps.get_model("station", "PartnerUnit")
    Reward = apps.get_model("volunteers", "Reward")
    Donation = apps.get_model("volunteers", "Donation")

    sponsors = list(Sponsor.objects.using(db).order_by("pk"))
    if not sponsors:
        return
    rewards = _rows_by_sponsor(Reward, db)
    donations = _rows_by_sponsor(Donation, db)
    taken = set(PartnerUnit.objects.using(db).values_list("pk", flat=True))
    # A unit that cannot keep its sponsor's id gets one above every id in play, so it never takes the id a
    # later sponsor keeps.
    next_free = max([*taken, *(s.pk for s in sponsors)]) + 1

    for sponsor in sponsors:
        unit = PartnerUnit.objects.using(db).filter(station_id=sponsor.station_id, name=sponsor.name).first()
        if unit is not None:
            _merge(unit, sponsor)
            unit.save(using=db)
        else:
            pk = sponsor.pk
            if pk in taken:
                pk, next_free = next_free, next_free + 1
            unit = PartnerUnit(
                pk=pk,
                station_id=sponsor.station_id,
                name=sponsor.name,
                kind=sponsor.kind,
                resident_unit=False,
                contact_person=sponsor.contact_person,
                phone=sponsor.phone,
                address=sponsor.address,
                note=sponsor.note,
            )
            unit.save(using=db, force_insert=True)
            taken.add(pk)
        if unit.pk != sponsor.pk:
            _repoint(Reward, db, rewards.get(sponsor.pk, []), unit.pk)
            _repoint(Donation, db, donations.get(sponsor.pk, []), unit.pk)

    _reset_sequence(schema_editor, PartnerUnit)


def partner_units_to_sponsors(apps, schema_editor):
    db = schema_editor.connection.alias
    Sponsor = apps.get_model("volunteers", "Sponsor")
    PartnerUnit = apps.get_model("station", "PartnerUnit")
    Reward = apps.get_model("volunteers", "Reward")
    Donation = apps.get_model("volunteers", "Donation")

    used = set(Reward.objects.using(db).exclude(sponsor_id=None).values_list("sponsor_id", flat=True))
    used |= set(Donation.objects.using(db).values_list("sponsor_id", flat=True))
    for unit in PartnerUnit.objects.using(db).filter(pk__in=used).order_by("pk"):
        Sponsor(
            pk=unit.pk,
            station_id=unit.station_id,
            name=unit.name,
            kind=unit.kind if unit.kind in SPONSOR_KINDS else "organisation",
            contact_person=unit.contact_person,
            phone=unit.phone,
            address=unit.address,
            note=unit.note,
        ).save(using=db, force_insert=True)
    _reset_sequence(schema_editor, Sponsor)


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0006_sponsor_links_to_partner_units"),
        ("station", "0007_households_partner_units_rubrics"),
    ]

    operations = [migrations.RunPython(sponsors_to_partner_units, partner_units_to_sponsors)]
