"""The audit log refuses UPDATE and DELETE in the database itself on
PostgreSQL, so not even raw SQL or another program sharing the database
rewrites history. (TRUNCATE, which only the table's owner may run, is left
to the operator: test runs and `flush` empty tables with it.) On SQLite the
model and its QuerySet refuse, as everywhere."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION curation_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS curation_auditevent_append_only ON curation_auditevent;
CREATE TRIGGER curation_auditevent_append_only
    BEFORE UPDATE OR DELETE ON curation_auditevent
    FOR EACH ROW EXECUTE FUNCTION curation_auditevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS curation_auditevent_append_only ON curation_auditevent;
DROP FUNCTION IF EXISTS curation_auditevent_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("curation", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
