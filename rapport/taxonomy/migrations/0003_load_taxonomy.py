"""Load the vocabularies from taxonomy/data/*.toml, so `migrate` alone gives a
working directory. Later changes to the data files reach an existing database
through `rapport sync_taxonomy` (docs/taxonomy.md)."""

from django.db import migrations


def load_taxonomy(apps, schema_editor):
    from rapport.taxonomy.sync import sync_taxonomy

    sync_taxonomy(apps.get_model("taxonomy", "Term"), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0002_term_source_hashes"),
    ]

    operations = [
        # Unapplying leaves the terms in place: profiles may point at them.
        migrations.RunPython(load_taxonomy, migrations.RunPython.noop),
    ]
