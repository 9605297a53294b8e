"""Fill the substance of the courses started before it was set, where it can be derived: the
offer's single substance in the standard the course started under, or, for an offer covering
both, the primary substance of the case's latest assessment. Courses it cannot be derived
for stay blank ("") and are derived again when they end (`course_end`)."""

from django.db import migrations


def fill(apps, schema_editor):
    from rusmiddel.rules.end_outcomes import course_substance
    from rusmiddel.rules.errors import RulesError
    from rusmiddel.standards import registry

    Course = apps.get_model("cases", "Course")
    Assessment = apps.get_model("cases", "Assessment")
    rows = Course.objects.filter(substance="").select_related("case__municipality")
    for course in rows.iterator():
        try:
            standard = registry.load(course.case.municipality.slug, course.started_on).standard
        except RulesError:
            continue
        offer = standard.offer(course.offer)
        if offer is None:
            continue
        facts = (
            Assessment.objects.filter(case_id=course.case_id)
            .order_by("-version")
            .values_list("facts", flat=True)
            .first()
        )
        substance = course_substance(offer.substances, facts)
        if substance:
            Course.objects.filter(pk=course.pk).update(substance=substance)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_course_substance_key_facts"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
