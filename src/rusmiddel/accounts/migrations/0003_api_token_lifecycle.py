# API tokens expire, are revoked (kept with when and why) and are bound to the password.
# Tokens issued before this migration never expired: they expire now (log in again).

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_provider_kind_case_numbers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='apitoken',
            name='auth_hash',
            field=models.CharField(default='', max_length=128),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='revoked_reason',
            field=models.CharField(blank=True, choices=[('logout', 'Logget ud'), ('deactivated', 'Bruger deaktiveret'), ('reactivated', 'Bruger aktiveret igen'), ('password_changed', 'Adgangskode ændret')], max_length=20),
        ),
        migrations.AddIndex(
            model_name='apitoken',
            index=models.Index(fields=['user', 'revoked_at'], name='apitoken_user_revoked'),
        ),
    ]
