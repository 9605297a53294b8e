"""The audit chain is keyed, and the audit log refuses DELETE on SQLite too.

From here on every entry's hash is an HMAC-SHA256 under the audit key (`RUSMIDDEL_AUDIT_KEY`,
from the environment: set it before migrating), so someone with the database alone can no
longer append or rewrite an entry with a correctly computed hash. The entries written before
keep their plain SHA-256 (the log is never rewritten): each chain's head gets the place of its
last entry and a seal over it made with the key (`chain.seal_mac`), and `audit verify`
accepts plain hashes up to the seal and nowhere else.

SQLite gets a second trigger that refuses DELETE, as PostgreSQL's refuses it since 0002.
Emptying every table (flush) sets the triggers aside on SQLite (config/sqlite/base.py) as
TRUNCATE goes past them on PostgreSQL. The new columns are nullable, so adding them rebuilds
no table on SQLite (a rebuild would drop the triggers) and rewrites none on PostgreSQL.
"""

from django.db import migrations, models

from rusmiddel.audit.chain import seal_mac
from rusmiddel.audit.keys import audit_key

SQLITE_DELETE_TRIGGER = """
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END;
"""


def seal_unkeyed(apps, schema_editor):
    chain_model = apps.get_model("audit", "AuditChain")
    key = audit_key()
    for head in chain_model.objects.filter(seq__gt=0, sealed_seq__isnull=True):
        head.sealed_seq = head.seq
        head.seal = seal_mac(head.key, head.seq, head.hash, key)
        head.save(update_fields=["sealed_seq", "seal"])


def delete_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DELETE_TRIGGER)


def delete_trigger_reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_append_only_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_chain")]

    operations = [
        migrations.AddField(
            model_name="auditchain",
            name="sealed_seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditchain",
            name="seal",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(seal_unkeyed, migrations.RunPython.noop),
        migrations.RunPython(delete_trigger, delete_trigger_reverse),
    ]
