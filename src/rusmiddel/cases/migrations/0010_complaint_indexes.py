"""Klager: the open complaints by reassess-by date and the reassessed by date, so the list
walks an index to its page instead of joining every complaint of the municipality."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_course_municipality"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("status", "received")),
                fields=["reassess_by", "id"],
                name="open_complaints",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["-reassessed_on", "-id"], name="reassessed_complaints"),
        ),
    ]
