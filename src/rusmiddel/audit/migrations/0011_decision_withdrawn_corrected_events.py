"""The events of a decision withdrawn and a decision corrected."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0010_citizen_changed_event'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='event',
            field=models.CharField(choices=[('case_list', 'Sagsliste læst'), ('case_read', 'Sag læst'), ('case_created', 'Sag oprettet'), ('contact_recorded', 'Henvendelse registreret'), ('assessment_recorded', 'Udredning registreret'), ('evaluation_recorded', 'Visitation beregnet'), ('decision_recorded', 'Afgørelse truffet'), ('decision_withdrawn', 'Afgørelse tilbagekaldt'), ('decision_corrected', 'Afgørelse ændret'), ('course_started', 'Forløb startet'), ('plan_recorded', 'Behandlingsplan registreret'), ('session_recorded', 'Samtale registreret'), ('attendance_recorded', 'Fremmøde registreret'), ('group_enrolled', 'Tilmeldt gruppe'), ('status_report_recorded', 'Status registreret'), ('offer_changed', 'Tilbud ændret'), ('self_payment_recorded', 'Egenbetaling beregnet'), ('course_ended', 'Forløb afsluttet'), ('follow_up_recorded', 'Opfølgning registreret'), ('complaint_received', 'Klage modtaget'), ('complaint_reassessed', 'Klage genvurderet'), ('fit_recorded', 'FIT-score registreret'), ('key_facts_recorded', 'Nøgleoplysninger registreret'), ('letter_created', 'Brev dannet'), ('letter_sent', 'Brev sendt'), ('letter_read', 'Brev læst'), ('letter_retried', 'Brev sendt igen'), ('due_list', 'Frister læst'), ('audit_read', 'Log læst'), ('staff_created', 'Bruger oprettet'), ('staff_active_changed', 'Brugers adgang ændret'), ('register_extracted', 'Registerudtræk hentet'), ('group_created', 'Gruppe oprettet'), ('group_changed', 'Gruppe ændret'), ('citizen_exported', 'Indsigt udleveret'), ('citizen_changed', 'Borgerens oplysninger ændret'), ('case_erased', 'Sag slettet efter opbevaringsregel'), ('waitlist_booked', 'Booket fra ventelisten'), ('capacity_created', 'Kapacitet oprettet'), ('capacity_changed', 'Kapacitet ændret')], max_length=40),
        ),
    ]
