from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="letter",
            name="kind",
            field=models.CharField(
                choices=[
                    ("decision", "Afgørelse"),
                    ("contact_receipt", "Kvittering for henvendelse"),
                    ("follow_up_invitation", "Invitation til opfølgning"),
                    ("self_payment", "Afgørelse om egenbetaling"),
                    ("booking_confirmation", "Bekræftelse af behandlingsstart"),
                ],
                max_length=30,
            ),
        ),
    ]
