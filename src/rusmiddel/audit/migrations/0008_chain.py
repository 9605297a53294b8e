"""The audit log's hash chain: `seq`, `prev_hash` and `hash` on every entry, a head row per
municipality (`AuditChain`), and one entry per place in a chain.

Entries written before this migration are chained once, here, in id order per
municipality: the only UPDATE the log ever gets. The append-only trigger is set aside for it
(PostgreSQL: DISABLE TRIGGER, which the migrating role may do as the table's owner; SQLite:
recreated, since adding the columns rebuilds the table there) and is back on before the
migration commits.

A second trigger moves a chain's head (`AuditChain`) to the last entry inserted, so an
append costs one query more than a plain INSERT (the locked read of the head) and the head
follows every insert, whatever wrote it.
"""

import django.utils.timezone
from django.db import migrations, models

from rusmiddel.audit.chain import CHAINED_FIELDS, GENESIS, entry_hash

SQLITE_TRIGGER = """
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END;
"""

HEAD_POSTGRES = """
CREATE OR REPLACE FUNCTION audit_chain_advance() RETURNS trigger AS $$
BEGIN
  UPDATE audit_auditchain AS c SET seq = i.seq, hash = i.hash
  FROM (SELECT DISTINCT ON (COALESCE(municipality_id, 0)) COALESCE(municipality_id, 0) AS key,
               seq, hash
        FROM inserted ORDER BY COALESCE(municipality_id, 0), seq DESC) AS i
  WHERE c.key = i.key AND c.seq < i.seq;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chain_head AFTER INSERT ON audit_auditentry
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_advance();
"""
HEAD_POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS audit_chain_head ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_chain_advance();
"""
HEAD_SQLITE = """
CREATE TRIGGER audit_chain_head AFTER INSERT ON audit_auditentry
BEGIN
  UPDATE audit_auditchain SET seq = NEW.seq, hash = NEW.hash
  WHERE key = COALESCE(NEW.municipality_id, 0) AND seq < NEW.seq;
END;
"""


def head_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(HEAD_POSTGRES, params=None)  # no %-placeholders here
    elif vendor == "sqlite":
        schema_editor.execute(HEAD_SQLITE)


def head_trigger_reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(HEAD_POSTGRES_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_chain_head")


def chain_existing(apps, schema_editor):
    entry_model = apps.get_model("audit", "AuditEntry")
    chain_model = apps.get_model("audit", "AuditChain")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_append_only")
    heads: dict[int, tuple[int, str]] = {}
    batch = []
    for entry in entry_model.objects.order_by("id").iterator(chunk_size=2000):
        key = entry.municipality_id or 0
        seq, prev = heads.get(key, (0, GENESIS))
        entry.seq, entry.prev_hash = seq + 1, prev
        entry.hash = entry_hash({f: getattr(entry, f) for f in CHAINED_FIELDS})
        heads[key] = (entry.seq, entry.hash)
        batch.append(entry)
        if len(batch) == 1000:
            entry_model.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    entry_model.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
    chain_model.objects.bulk_create(
        chain_model(key=key, seq=seq, hash=hash_) for key, (seq, hash_) in heads.items()
    )
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def restore_sqlite_trigger(apps, schema_editor):
    """Going back: removing the columns rebuilds the SQLite table, which drops the trigger."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_append_only")
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_new_events")]

    operations = [
        migrations.RunPython(restore_sqlite_trigger, restore_sqlite_trigger),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("key", models.BigIntegerField(primary_key=True, serialize=False)),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "logkæde", "verbose_name_plural": "logkæder"},
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(municipality_id__isnull=False),
                fields=("municipality_id", "seq"),
                name="audit_one_entry_per_seq",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(municipality_id__isnull=True),
                fields=("seq",),
                name="audit_one_system_entry_per_seq",
            ),
        ),
        migrations.RunPython(head_trigger, head_trigger_reverse),
        # BEGIN event choices (regenerated: every Event value at the time)
        migrations.AlterField(
            model_name="auditentry",
            name="event",
            field=models.CharField(
                choices=[
                    ("case_list", "Sagsliste læst"),
                    ("case_read", "Sag læst"),
                    ("case_created", "Sag oprettet"),
                    ("contact_recorded", "Henvendelse registreret"),
                    ("assessment_recorded", "Udredning registreret"),
                    ("evaluation_recorded", "Visitation beregnet"),
                    ("decision_recorded", "Afgørelse truffet"),
                    ("course_started", "Forløb startet"),
                    ("plan_recorded", "Behandlingsplan registreret"),
                    ("session_recorded", "Samtale registreret"),
                    ("attendance_recorded", "Fremmøde registreret"),
                    ("group_enrolled", "Tilmeldt gruppe"),
                    ("status_report_recorded", "Status registreret"),
                    ("offer_changed", "Tilbud ændret"),
                    ("self_payment_recorded", "Egenbetaling beregnet"),
                    ("course_ended", "Forløb afsluttet"),
                    ("follow_up_recorded", "Opfølgning registreret"),
                    ("complaint_received", "Klage modtaget"),
                    ("complaint_reassessed", "Klage genvurderet"),
                    ("fit_recorded", "FIT-score registreret"),
                    ("key_facts_recorded", "Nøgleoplysninger registreret"),
                    ("letter_created", "Brev dannet"),
                    ("letter_sent", "Brev sendt"),
                    ("letter_read", "Brev læst"),
                    ("letter_retried", "Brev sendt igen"),
                    ("due_list", "Frister læst"),
                    ("audit_read", "Log læst"),
                    ("staff_created", "Bruger oprettet"),
                    ("staff_active_changed", "Brugers adgang ændret"),
                    ("register_extracted", "Registerudtræk hentet"),
                    ("group_created", "Gruppe oprettet"),
                    ("group_changed", "Gruppe ændret"),
                    ("citizen_exported", "Indsigt udleveret"),
                    ("case_erased", "Sag slettet efter opbevaringsregel"),
                    ("waitlist_booked", "Booket fra ventelisten"),
                    ("capacity_created", "Kapacitet oprettet"),
                    ("capacity_changed", "Kapacitet ændret"),
                ],
                max_length=40,
            ),
        ),
        # END event choices
    ]
