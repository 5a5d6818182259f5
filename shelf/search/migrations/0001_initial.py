from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("resource_id", models.BigIntegerField(null=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
            options={"verbose_name": "search change", "verbose_name_plural": "search changes"},
        ),
        migrations.CreateModel(
            name="Synonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("alternatives", models.TextField(help_text="One word or phrase per line, e.g. smacking / spanking.", verbose_name="alternatives")),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
            ],
            options={"verbose_name": "synonym", "verbose_name_plural": "synonyms", "ordering": ["alternatives"]},
        ),
    ]
