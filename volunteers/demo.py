"""Demo volunteering for ``seed_demo``: volunteers, past and coming activities, points, a rewards shelf.

Idempotent: a station that already has volunteers is left alone. The first volunteer gets a password so
the quick start can show the phone pages.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from station.models import Activity, PartnerUnit, Person, StaffProfile
from station.services import partner_unit_save

from . import services
from .models import Donation, Reward, Shift, Volunteer, VolunteerActivity

DEMO_PASSWORD = "demo-pass-2026"
DEMO_PHONE = "13800138000"
ACTIVITIES = [
    ("爱心助餐送餐", "为独居老人送午餐", "丰京苑社区日间照料中心"),
    ("社区环境清洁日", "楼道和公共区域清洁", "丰京苑社区广场"),
    ("儿童课业辅导", "辅导留守儿童完成作业", "社工站活动室"),
    ("反诈宣传进小区", "入户发放宣传资料", "丰京苑社区各楼栋"),
]
SPONSORS = [
    ("丰京苑便民超市", "merchant", [("大米5斤", 80, 20), ("食用油1桶", 120, 10)]),
    ("高桥理发店", "merchant", [("理发一次", 50, 30)]),
    ("沣东爱心企业联合会", "enterprise", [("保温水杯", 150, 15)]),
]


def _sponsor(station, name, kind, actor) -> PartnerUnit:
    """Sponsors are units of the core's directory: one the station already lists is used as it is."""
    unit = PartnerUnit.objects.filter(station=station, name=name).first()
    if unit is not None:
        return unit
    unit = PartnerUnit(station=station, name=name, kind=kind, contact_person="店长")
    if actor is None:  # a station without a social worker yet
        unit.full_clean()
        unit.save()
        return unit
    return partner_unit_save(unit=unit, actor=actor)


@transaction.atomic
def seed_volunteering(station, rng):
    login = [(DEMO_PHONE, "志愿者 volunteer (/v/)")]
    if Volunteer.objects.filter(person__community__station=station).exists():
        return login
    worker = StaffProfile.objects.filter(station=station, role=StaffProfile.Role.SOCIAL_WORKER).first()
    actor = worker.user if worker else None
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    adults = [
        p
        for p in Person.objects.filter(community__station=station).order_by("pk")
        if p.phone and 18 <= (p.age_on(today) or 0) <= 75
    ]
    chosen = rng.sample(adults, min(40, len(adults)))
    chosen[0].phone = DEMO_PHONE  # the demo volunteer's sign-in, printed by `make run`
    chosen[0].save(update_fields=["phone"])
    volunteers = []
    for index, person in enumerate(chosen):
        volunteers.append(
            services.volunteer_register(
                person=person,
                actor=actor,
                password=DEMO_PASSWORD if index == 0 else None,
                joined_on=today - timedelta(days=rng.randint(30, 700)),
                skills=rng.choice(["", "理发", "驾驶", "辅导功课", "医疗护理", "摄影"]),
            )
        )

    community = station.communities.order_by("pk").first()
    for index, (title, description, place) in enumerate(ACTIVITIES):
        day = (
            today + timedelta(days=3) if index == 0 else today - timedelta(days=7 * index + rng.randint(0, 5))
        )
        starts = datetime.combine(day, time(9, 0), tzinfo=tz)
        volunteer_activity = services.volunteer_activity_save(
            volunteer_activity=VolunteerActivity(description=description),
            activity=Activity(
                station=station, title=title, kind="volunteer_service", community=community, place=place,
                starts_at=starts, ends_at=starts + timedelta(hours=3),
            ),
            actor=actor,
        )  # fmt: skip
        shift = services.shift_save(
            shift=Shift(
                volunteer_activity=volunteer_activity, starts_at=starts, ends_at=starts + timedelta(hours=3),
                place=place, places=12,
            ),
            actor=actor,
        )  # fmt: skip
        if day >= today:
            continue
        for volunteer in [volunteers[0], *rng.sample(volunteers[1:], 7)]:  # the demo login always took part
            record = services.service_record_backfill(
                volunteer=volunteer, service_date=day, minutes=rng.choice([90, 120, 180]),
                description=title, actor=actor, shift=shift,
            )  # fmt: skip
            services.service_record_approve(record=record, actor=actor)

    for name, kind, rewards in SPONSORS:
        sponsor = _sponsor(station, name, kind, actor)
        for reward_name, price, quantity in rewards:
            reward = Reward.objects.create(
                station=station, sponsor=sponsor, name=reward_name, points_price=price
            )
            services.donation_record(
                donation=Donation(sponsor=sponsor, reward=reward, description=reward_name, quantity=quantity),
                actor=actor,
            )
    cheapest = Reward.objects.filter(station=station).order_by("points_price").first()
    demo = Volunteer.objects.get(pk=volunteers[0].pk)
    if cheapest and demo.points_balance >= cheapest.points_price:
        services.redemption_place(
            volunteer=demo, reward=cheapest, idempotency_key="demo-seed", actor=demo.user
        )
    return login
