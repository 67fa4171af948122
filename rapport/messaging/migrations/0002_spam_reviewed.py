from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactrequest",
            name="spam_reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
