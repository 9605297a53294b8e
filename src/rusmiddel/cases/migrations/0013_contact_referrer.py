"""Who referred a contact (a GP, a hospital, another authority)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_citizen_version_change_notice'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='referrer',
            field=models.CharField(blank=True, default='', max_length=200),
        ),
    ]
