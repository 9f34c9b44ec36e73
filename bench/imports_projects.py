"""The charity project platform's importers for bench/imports_bench.py: projects, linked resources and the
beneficiaries of a project's activities (a sign-in sheet, ten people an activity).

Models are imported inside the functions: this module is imported before ``django.setup()``.
"""

from datetime import date, timedelta

from bench.imports_bench import Importer

PARTNERS = [f"基准合作单位{i}" for i in range(1, 6)]
PROJECTS = [f"基准项目{i}" for i in range(1, 6)]
DAY = date(2026, 3, 1)


def _station():
    from station.models import Station

    return Station.objects.get(name="基准街道社工站")


def seed_partners(rows, worker):
    """Five partner units of the station (once, whichever importer runs first)."""
    from station.models import PartnerUnit

    station = _station()
    if not PartnerUnit.objects.filter(station=station, name__in=PARTNERS).exists():
        PartnerUnit.objects.bulk_create([PartnerUnit(station=station, name=name) for name in PARTNERS])


def seed_projects(rows, worker):
    """The partner units and five projects of the station (a resource or a beneficiary names a project)."""
    from projects.models import Project

    seed_partners(rows, worker)
    station = _station()
    if not Project.objects.filter(station=station, title__in=PROJECTS).exists():
        Project.objects.bulk_create(
            [Project(station=station, title=t, origin="in_house", category="elderly") for t in PROJECTS]
        )


def projects_workbook(rows):
    headers = ["项目名称", "项目来源", "类别", "引进自", "引进日期", "社区", "执行方", "服务对象", "开始日期", "结束日期"]  # fmt: skip
    data = [
        [f"导入项目{i:06d}", "引进", "为老", PARTNERS[i % 5], str(DAY + timedelta(days=i % 28)),
         f"第{i % 5 + 1}社区、第{(i + 1) % 5 + 1}社区", PARTNERS[(i + 1) % 5], "独居老人", str(DAY), ""]
        for i in range(rows)
    ]  # fmt: skip
    return headers, data


def resources_workbook(rows):
    headers = ["日期", "收发", "资金或物资", "合作单位", "项目", "物品", "数量", "金额或价值（元）", "发放对象", "备注"]  # fmt: skip
    data = [
        [str(DAY + timedelta(days=i % 28)), "接收", "物资" if i % 2 else "资金", PARTNERS[i % 5], PROJECTS[i % 5],
         "大米" if i % 2 else "", 20 if i % 2 else "", 100 + i % 50, "", f"第{i}笔"]
        for i in range(rows)
    ]  # fmt: skip
    return headers, data


def beneficiaries_workbook(rows):
    """Ten residents an activity, 2,000 activities at 20,000 rows, none recorded yet."""
    headers = ["项目", "活动", "活动日期", "姓名", "电话", "未记名人数"]
    data = [
        [PROJECTS[(i // 10) % 5], f"活动{i // 10:05d}", str(DAY + timedelta(days=(i // 10) % 28)),
         f"居民{i:06d}", f"139{i:08d}", 1 if i % 10 == 0 else ""]
        for i in range(rows)
    ]  # fmt: skip
    return headers, data


def saved_beneficiaries():
    from projects.models import Beneficiary

    return Beneficiary.objects.count()


IMPORTERS = {
    "projects": Importer(("projects", "project"), seed_partners, projects_workbook),
    "project_resources": Importer(("projects", "resource"), seed_projects, resources_workbook),
    "beneficiaries": Importer(
        ("projects", "beneficiary"), seed_projects, beneficiaries_workbook, saved=saved_beneficiaries
    ),
}
