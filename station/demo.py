"""Demo data modelled on the seed: 高桥街道社会工作服务站 with its 14 villages and communities."""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import idnumbers
from .models import (
    Activity,
    Attendance,
    Community,
    Designation,
    Household,
    HouseholdMember,
    Person,
    StaffProfile,
    Station,
)
from .registry import demo_seeders

DEMO_PASSWORD = "demo-pass-2026"

STATION = {
    "name": "高桥街道社会工作服务站",
    "street": "高桥街道",
    "district": "沣东新城",
    "address": "高桥街道丰京苑社区活动中心二楼",
    "opened_on": date(2019, 9, 1),
}

# (name, kind, population, households). 丰京苑社区's figures are the seed's; the rest are illustrative.
COMMUNITIES = [
    ("丰京苑社区", "community", 6400, 2537),
    ("高桥村", "village", 2100, 640),
    ("马营村", "village", 1850, 560),
    ("石桥村", "village", 1620, 500),
    ("新庄村", "village", 1480, 450),
    ("东马坊村", "village", 1930, 590),
    ("西马坊村", "village", 1710, 520),
    ("和平村", "village", 1260, 390),
    ("沣惠社区", "community", 4200, 1600),
    ("昆明池社区", "community", 3800, 1450),
    ("斗门社区", "community", 3500, 1320),
    ("红光社区", "community", 2900, 1100),
    ("丰裕社区", "community", 3100, 1180),
    ("马王村", "village", 1540, 470),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN_F = [
    "桂兰",
    "秀英",
    "玉兰",
    "淑珍",
    "凤英",
    "丽娟",
    "春梅",
    "海燕",
    "雪梅",
    "晓红",
    "佳怡",
    "梓涵",
    "欣怡",
    "雨桐",
    "静",
    "敏",
    "艳",
    "芳",
    "娜",
    "婷",
]
GIVEN_M = [
    "建国",
    "建军",
    "志强",
    "国庆",
    "卫东",
    "德胜",
    "永红",
    "长生",
    "海涛",
    "明",
    "伟",
    "强",
    "磊",
    "军",
    "浩然",
    "子轩",
    "宇航",
    "俊杰",
    "博文",
    "天佑",
]

STAFF = [
    ("zhanzhang", "郭站长", StaffProfile.Role.STATION_HEAD, ""),
    ("shegong", "李社工", StaffProfile.Role.SOCIAL_WORKER, StaffProfile.Employment.FULL_TIME),
    ("jianzhi", "王兼职社工", StaffProfile.Role.SOCIAL_WORKER, StaffProfile.Employment.PART_TIME),
    ("dudao", "陈督导", StaffProfile.Role.SUPERVISOR, ""),
    ("ganbu", "韩书记", StaffProfile.Role.CADRE, ""),
    ("quji", "区民政局", StaffProfile.Role.DISTRICT_VIEWER, ""),
]


DESIGNATION_KINDS = [
    Designation.Kind.LIVING_ALONE_ELDERLY,
    Designation.Kind.LOW_INCOME,
    Designation.Kind.DISABLED,
    Designation.Kind.EXTREME_POVERTY,
]


def _person_rows(rng: random.Random, count: int, today: date):
    """Deterministic people: same seed, same people, so seeding twice changes nothing."""
    for i in range(count):
        gender = rng.choice("MF")
        given = rng.choice(GIVEN_M if gender == "M" else GIVEN_F)
        age = rng.choice(
            [
                rng.randint(6, 17),
                rng.randint(18, 59),
                rng.randint(18, 59),
                rng.randint(60, 69),
                rng.randint(60, 69),
                rng.randint(70, 92),
            ]
        )
        born = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        community_index = 0 if rng.random() < 0.45 else rng.randint(1, len(COMMUNITIES) - 1)
        residency = rng.choices(["resettled", "tenant", "other"], weights=[6, 3, 1])[0]
        yield {
            "name": rng.choice(SURNAMES) + given,
            "gender": gender,
            "birth_date": born,
            "phone": f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            "community_index": community_index,
            "residency": residency,
            "id_number": idnumbers.make_id_number("610125", born, 100 + i),
            "address": f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(101, 1802)}",
            "designation_roll": rng.random(),
            "designation_kind": rng.choice(DESIGNATION_KINDS[1:4]),
            "designation_start": today - timedelta(days=rng.randint(30, 1500)),
        }


@transaction.atomic
def seed_demo(people: int = 300, skip=()) -> dict:
    today = timezone.localdate()
    station, _ = Station.objects.update_or_create(name=STATION["name"], defaults=STATION)
    communities = []
    for name, kind, population, households in COMMUNITIES:
        community, _ = Community.objects.update_or_create(
            station=station,
            name=name,
            defaults={"kind": kind, "population": population, "households": households},
        )
        communities.append(community)

    User = get_user_model()
    logins = []
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    logins.append(("admin", "superuser"))
    worker = None
    for username, display, role, employment in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": display, "is_staff": True, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        profile, _ = StaffProfile.objects.update_or_create(
            user=user,
            defaults={
                "role": role,
                "employment": employment,
                "station": None if role == StaffProfile.Role.DISTRICT_VIEWER else station,
                "district": station.district if role == StaffProfile.Role.DISTRICT_VIEWER else "",
            },
        )
        if role == StaffProfile.Role.CADRE:
            profile.communities.set([communities[0]])
        if username == "shegong":
            worker = user
        logins.append((username, str(profile.get_role_display())))

    rng = random.Random(2019)
    existing = set(Person.objects.values_list("id_number_hash", flat=True))
    people_made = []
    for row in _person_rows(rng, people, today):
        digest = idnumbers.keyed_hash(row["id_number"])
        if digest in existing:
            continue
        person = Person(
            name=row["name"],
            gender=row["gender"],
            birth_date=row["birth_date"],
            phone=row["phone"],
            community=communities[row["community_index"]],
            residency=row["residency"],
            id_number=row["id_number"],
            address=row["address"],
        )
        person.full_clean()
        person.save()
        people_made.append(person)
        age = person.age_on(today)
        roll = row["designation_roll"]
        if roll < 0.25:
            if age < 18:
                kind = Designation.Kind.LEFT_BEHIND_CHILD
            elif age >= 60:
                kind = DESIGNATION_KINDS[0] if roll < 0.12 else DESIGNATION_KINDS[1]
            else:
                kind = row["designation_kind"]
            Designation.objects.create(
                person=person, kind=kind, start_date=row["designation_start"], confirmed_by=worker
            )

    if not Activity.objects.filter(station=station, platform=Activity.Platform.STATION).exists():
        _seed_activities(station, communities, worker, rng, today)
    if not Household.objects.filter(community__station=station).exists():
        _seed_households(station, random.Random(2021))

    logins.extend(demo_seeders.run(station, random.Random(2020), skip=skip))
    return {"station": station, "logins": logins, "new_people": len(people_made)}


def _seed_activities(station, communities, organiser, rng, today):
    tz = ZoneInfo(settings.TIME_ZONE)
    titles = ["社区邻里节", "重阳敬老活动", "儿童暑期课堂", "普法宣传进社区", "义诊服务", "回迁居民座谈会"]
    people = list(Person.objects.filter(community__station=station).values_list("pk", "community_id"))
    for month_back in range(6):
        day = (today.replace(day=1) - timedelta(days=30 * month_back)).replace(day=rng.randint(3, 26))
        for title in rng.sample(titles, 3):
            community = rng.choice(communities)
            starts = datetime.combine(day, time(9, 30), tzinfo=tz)
            activity = Activity.objects.create(
                station=station,
                platform=Activity.Platform.STATION,
                kind="public_service",
                title=title,
                community=community,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                place=f"{community.name}活动中心",
                organiser=organiser,
                headcount=rng.randint(10, 80),
            )
            local = [pk for pk, cid in people if cid == community.pk] or [pk for pk, _ in people]
            chosen = rng.sample(local, min(len(local), rng.randint(5, 20)))
            Attendance.objects.bulk_create([Attendance(activity=activity, person_id=pk) for pk in chosen])


def _seed_households(station, rng):
    """Put about three in four people in households of one to four, the eldest adult as the head."""
    Relation = HouseholdMember.Relation
    people = list(Person.objects.filter(community__station=station).order_by("community_id", "pk"))
    by_community: dict = {}
    for person in people:
        by_community.setdefault(person.community, []).append(person)
    for number, (community, residents) in enumerate(by_community.items(), start=1):
        rng.shuffle(residents)
        residents = residents[: len(residents) * 3 // 4]
        serial = 0
        while residents:
            size = rng.choice([1, 2, 2, 3, 3, 4])
            members, residents = residents[:size], residents[size:]
            members.sort(key=lambda p: p.birth_date or date.max)
            serial += 1
            household = Household.objects.create(
                community=community,
                number=f"{number:02d}-{serial:04d}",
                address=members[0].address or f"{community.name}{serial}号",
            )
            relations = [Relation.HEAD, Relation.SPOUSE, Relation.CHILD, Relation.CHILD]
            HouseholdMember.objects.bulk_create(
                HouseholdMember(household=household, person=person, relation=relation)
                for person, relation in zip(members, relations, strict=False)
            )
