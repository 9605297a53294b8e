"""Courses carry copies of their case's municipality and anonymity (neither ever changes),
with indexes on (municipality, start) and (municipality, end): the statistics read a
municipality's courses in a period from one index range instead of scanning every course
in the country and joining its case. Follow-ups get an index on their due date for the same
page, and one on the open ones' for the Opfølgning list."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE cases_course SET municipality_id = c.municipality_id, anonymous = c.anonymous
FROM cases_case c WHERE c.id = cases_course.case_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_provider_kind_case_numbers"),
        ("cases", "0008_search_and_caseload_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.municipality",
            ),
        ),
        migrations.AddField(
            model_name="course",
            name="anonymous",
            field=models.BooleanField(default=False),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="course",
            name="municipality",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.municipality",
            ),
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(fields=["municipality", "started_on"], name="course_started"),
        ),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(fields=["municipality", "ended_on"], name="course_ended"),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(fields=["due_on"], name="follow_up_due"),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("done_on__isnull", True)),
                fields=["due_on", "id"],
                name="open_follow_ups",
            ),
        ),
    ]
