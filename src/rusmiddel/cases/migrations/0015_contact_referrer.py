"""Who referred a contact (a GP, a hospital, another authority)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_deadlines_by_kind_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='referrer',
            field=models.CharField(blank=True, default='', max_length=200),
        ),
    ]
