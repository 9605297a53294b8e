"""The letters of a decision withdrawn and a decision corrected."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('letters', '0002_booking_confirmation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='letter',
            name='kind',
            field=models.CharField(choices=[('decision', 'Afgørelse'), ('decision_withdrawal', 'Tilbagekaldelse af afgørelse'), ('decision_corrected', 'Ændret afgørelse'), ('contact_receipt', 'Kvittering for henvendelse'), ('follow_up_invitation', 'Invitation til opfølgning'), ('self_payment', 'Afgørelse om egenbetaling'), ('booking_confirmation', 'Bekræftelse af behandlingsstart')], max_length=30),
        ),
    ]
