"""Sponsors become units of the core's partner units directory, step 3 of 3: the two links get their
database constraint back (which checks that every row points at a unit) and the sponsors' table goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0007_copy_sponsors_into_partner_units"),
        ("station", "0007_households_partner_units_rubrics"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reward",
            name="sponsor",
            field=models.ForeignKey(
                blank=True,
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
                on_delete=django.db.models.deletion.PROTECT,
                related_name="shop_donations",
                to="station.partnerunit",
                verbose_name="sponsor",
            ),
        ),
        migrations.DeleteModel(name="Sponsor"),
    ]
