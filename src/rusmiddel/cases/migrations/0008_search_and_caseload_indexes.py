"""Indexes for national scale: Mine sager (municipality, caseworker; a case's next open
deadline) and, on PostgreSQL,
trigram indexes for search as you type (`icontains` on names and case numbers is
UPPER(x) LIKE '%term%', which a btree cannot serve). SQLite has no trigram indexes: there
the search scans the municipality's rows, which is fine at the demo's size."""

from django.db import migrations, models

TRIGRAM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS citizen_name_trgm ON cases_citizen "
    "USING gin (upper((name)::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS case_number_trgm ON cases_case "
    "USING gin (upper((number)::text) gin_trgm_ops)",
]
TRIGRAM_DROP = [
    "DROP INDEX IF EXISTS citizen_name_trgm",
    "DROP INDEX IF EXISTS case_number_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_course_substance_fill"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["municipality", "caseworker"], name="case_caseload"),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                condition=models.Q(("met_on__isnull", True)),
                fields=["case", "due_on"],
                name="open_deadlines_by_case",
            ),
        ),
        migrations.RunPython(_run(TRIGRAM), _run(TRIGRAM_DROP)),
    ]
