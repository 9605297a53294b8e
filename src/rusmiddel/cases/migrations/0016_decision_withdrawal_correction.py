"""A decision's status (active, withdrawn, corrected), who withdrew or corrected it, when and
why, the withdrawal's own complaint deadline, and the decision that replaces a corrected one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0015_contact_referrer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='decision',
            name='replaced_by',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replaces', to='cases.decision'),
        ),
        migrations.AddField(
            model_name='decision',
            name='status',
            field=models.CharField(choices=[('active', 'Gældende'), ('withdrawn', 'Tilbagekaldt'), ('corrected', 'Ændret')], default='active', max_length=10),
        ),
        migrations.AddField(
            model_name='decision',
            name='withdrawal_complaint_deadline',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='decision',
            name='withdrawal_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='decision',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='decision',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='decision',
            name='withdrawn_on',
            field=models.DateField(blank=True, null=True),
        ),
    ]
