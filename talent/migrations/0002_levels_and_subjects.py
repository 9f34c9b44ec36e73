"""The national exam's three levels and their subjects (data: the pass rule reads them by code)."""

from django.db import migrations

LEVELS = [
    ("assistant", "助理社会工作师", 1, [("assistant_general", "社会工作综合能力（初级）"), ("assistant_practice", "社会工作实务（初级）")]),
    (
        "intermediate",
        "社会工作师",
        2,
        [
            ("intermediate_general", "社会工作综合能力（中级）"),
            ("intermediate_law", "社会工作法规与政策"),
            ("intermediate_practice", "社会工作实务（中级）"),
        ],
    ),
    ("senior", "高级社会工作师", 3, [("senior_practice", "社会工作实务（高级）")]),
]


def add(apps, schema_editor):
    Level = apps.get_model("talent", "ExamLevel")
    Subject = apps.get_model("talent", "ExamSubject")
    for code, name, order, subjects in LEVELS:
        level, _created = Level.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        for index, (subject_code, subject_name) in enumerate(subjects, start=1):
            Subject.objects.get_or_create(
                code=subject_code, defaults={"level": level, "name": subject_name, "order": index}
            )


class Migration(migrations.Migration):
    dependencies = [("talent", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
