"""Sponsors become units of the core's partner units directory, step 1 of 3.

The two sponsor links are pointed at ``station.PartnerUnit`` without a database constraint for the moment:
the next migration copies every sponsor into the directory (keeping its id wherever it can, so most
``sponsor_id`` values stay as they are) and repoints the rows whose sponsor merged into another unit; the
one after puts the constraint back, which checks every row, and drops the sponsors' table.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0005_shift_at_most_a_day"),
        ("station", "0007_households_partner_units_rubrics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reward",
            name="sponsor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="shop_rewards",
                to="station.partnerunit",
                verbose_name="sponsor",
            ),
        ),
        migrations.AlterField(
            model_name="donation",
            name="sponsor",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="shop_donations",
                to="station.partnerunit",
                verbose_name="sponsor",
            ),
        ),
    ]
