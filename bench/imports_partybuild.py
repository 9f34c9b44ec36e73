"""The party-building platform's importers for bench/imports_bench.py: party members (a community's list or a
unit's roster). Quarterly sheets are exported only (their admin page has no import), so there is none to time.

The members file: even rows are residents the core seed registered (linked, not duplicated), odd rows new
people (created with their member record), spread over the station's five communities, ten party
organisations and ten work units.
"""

from bench.imports_bench import Importer, id_number

HEADINGS = [
    "姓名",
    "手机号",
    "社区",
    "身份证号",
    "联系类型",
    "所在党组织",
    "工作单位",
    "技能",
    "服务意愿",
    "可服务时间",
]
LINKS = ["在职党员社区报到", "退休党员", "社区党员", "流动党员", "下沉党员干部"]


def seed_members(rows, worker):
    from partybuild.models import PartyOrg
    from station.models import PartnerUnit

    station = worker.staff_profile.station
    units = PartnerUnit.objects.bulk_create(
        [PartnerUnit(station=station, name=f"驻区单位{k}", resident_unit=True) for k in range(10)]
    )
    PartyOrg.objects.bulk_create(
        [
            PartyOrg(station=station, name=f"第{k}党支部", owner=PartyOrg.Owner.RESIDENT_UNIT, unit=unit)
            for k, unit in enumerate(units)
        ]
    )
    return None


def members_workbook(rows):
    data = []
    for i in range(rows):
        if i % 2 == 0:
            name, phone, number = f"居民{i:06d}", f"139{i:08d}", id_number("610125", i)[0]
        else:
            name, phone, number = f"党员{i:06d}", f"135{i:08d}", id_number("330102", i)[0]
        data.append(
            [name, phone, f"第{i % 5 + 1}社区", number, LINKS[i % 5], f"第{i % 10}党支部", f"驻区单位{i % 10}",
             "法律咨询、健康医疗", "义诊", "周末"]
        )  # fmt: skip
    return HEADINGS, data


IMPORTERS = {
    "party_members": Importer(
        model=("partybuild", "partymember"), seed=seed_members, workbook=members_workbook
    )
}
