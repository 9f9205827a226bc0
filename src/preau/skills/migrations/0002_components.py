"""The eight components of the common core (national reference data)."""

from django.db import migrations


def load(apps, schema_editor):
    from preau.skills.reference import load_components

    load_components(apps.get_model("skills", "Component"))


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
