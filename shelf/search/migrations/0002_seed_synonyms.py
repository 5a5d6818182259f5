from django.db import migrations

SEED = [
    (["COVID-19", "coronavirus", "covid19"], ""),
    (
        ["CSAM", "child sexual abuse material", "child pornography"],
        "child pornography is an outdated term, kept so readers who use it find the material",
    ),
    (["FGM", "female genital mutilation", "female circumcision"], ""),
    (["child marriage", "child brides", "early marriage"], ""),
    (["corporal punishment", "physical punishment", "smacking", "spanking"], ""),
    (["trafficking", "trafficked"], ""),
]


def seed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for alternatives, note in SEED:
        Synonym.objects.create(alternatives="\n".join(alternatives), note=note)


def unseed(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(alternatives__in=["\n".join(a) for a, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
