"""Udredning: the caseworker's free text per element of the standard's assessment (e.g.
Gentofte's "samlede vurdering": physical and mental state, use, social situation, motivation,
medvirken), stored with each assessment version and quoted in the decision letter."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_complaint_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="sections",
            field=models.JSONField(blank=True, db_default={}, default=dict),
        ),
    ]
