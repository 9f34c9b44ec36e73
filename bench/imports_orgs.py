"""The incubation platform's importers for bench/imports_bench.py: organisations, and their rosters.

Models are imported inside the functions: this module is imported before ``django.setup()``.
"""

from bench.imports_bench import Importer

ORG_HEADINGS = ["组织名称", "类别", "所在社区", "成立日期", "活动场地", "活动频次", "党建联系", "法律地位", "备案编号",
                "备案日期", "统一社会信用代码", "登记日期"]  # fmt: skip
ROSTER_HEADINGS = ["社区社会组织", "姓名", "电话", "角色", "加入日期", "退出日期"]
MEMBERS_PER_ORG = 20


def org_rows(rows):
    """Organisations of the five communities; every tenth one filed with the street."""
    return ORG_HEADINGS, [
        [f"新组织{i:06d}", "志愿服务类" if i % 2 else "文化艺术类", f"第{i % 5 + 1}社区", "2024-05-01", "社区活动室",
         "每周一次", "", "街道备案" if i % 10 == 0 else "", f"BA-{i:06d}" if i % 10 == 0 else "",
         "2025-06-01" if i % 10 == 0 else "", "", ""]
        for i in range(rows)
    ]  # fmt: skip


def seed_roster_orgs(rows, worker):
    """One organisation for every twenty residents of the roster, in the residents' communities."""
    from orgs.models import CommunityOrg
    from station.models import Community

    communities = list(Community.objects.filter(station__name="基准街道社工站").order_by("name"))
    CommunityOrg.objects.bulk_create(
        [
            CommunityOrg(station_id=communities[0].station_id, community=communities[i % 5], name=f"基准组织{i:05d}",
                         category="volunteer", led_by=CommunityOrg.LedBy.STATION)
            for i in range(max(rows // MEMBERS_PER_ORG, 1))
        ],
        batch_size=2000,
    )  # fmt: skip
    return None


def roster_rows(rows):
    """Each resident joins one organisation; the first of every twenty leads it."""
    orgs = max(rows // MEMBERS_PER_ORG, 1)
    return ROSTER_HEADINGS, [
        [f"基准组织{i % orgs:05d}", f"居民{i:06d}", f"139{i:08d}", "负责人" if i < orgs else "成员", "2025-03-01", ""]
        for i in range(rows)
    ]  # fmt: skip


def seed_nothing(rows, worker):
    return None  # organisations refer only to the core seed's communities


IMPORTERS = {
    "organisations": Importer(model=("orgs", "communityorg"), seed=seed_nothing, workbook=org_rows),
    "memberships": Importer(model=("orgs", "membership"), seed=seed_roster_orgs, workbook=roster_rows),
}
