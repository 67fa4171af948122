"""Staff roles as Django groups, and an audit table the database itself keeps append-only.

- "moderator": the review queue (`moderation.review_queue`), acting on profiles, revisions,
  claims and reports, recording license verifications, reading the audit log in the admin.
- "administrator": everything a moderator may, plus the audit log's page and CSV export
  (`moderation.export_auditevent`) and changing who holds a role.
Neither role gets any permission on rapport.messaging: no staff role reads message bodies.

The audit table refuses UPDATE and DELETE with a trigger, on PostgreSQL and on SQLite, so
neither a bug nor a staff member with a database shell can rewrite history by accident. One
update is allowed: when an account is deleted its events keep everything but the link to it
(actor set to NULL, the foreign key's SET_NULL). TRUNCATE (PostgreSQL) and dropping the
trigger stay possible for the table's owner: an operator's act, not the application's. The
test suite's flush drops and re-creates the SQLite triggers around it (conftest.py).
"""

from django.db import migrations

MODERATOR = {
    "directory": [
        "view_therapistprofile",
        "change_therapistprofile",
        "view_license",
        "view_office",
        "view_approachstatement",
        "view_claimrequest",
        "change_claimrequest",
        "view_profilerevision",
        "change_profilerevision",
    ],
    "moderation": [
        "review_queue",
        "view_auditevent",
        "view_licenseverification",
        "add_licenseverification",
        "view_profilereport",
        "change_profilereport",
    ],
    "taxonomy": ["view_term"],
}
ADMINISTRATOR_EXTRA = {
    "moderation": ["export_auditevent"],
    "accounts": ["view_user"],
    "auth": ["view_group"],
}


def _permissions(apps, spec):
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for app_label, codenames in spec.items():
        for codename in codenames:
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return wanted


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations (post_migrate); the groups need
    # them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    moderator, _ = Group.objects.get_or_create(name="moderator")
    moderator.permissions.set(_permissions(apps, MODERATOR))
    administrator, _ = Group.objects.get_or_create(name="administrator")
    administrator.permissions.set(
        _permissions(apps, MODERATOR) + _permissions(apps, ADMINISTRATOR_EXTRA)
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["moderator", "administrator"]).delete()


POSTGRESQL_FORWARD = """
CREATE OR REPLACE FUNCTION moderation_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    -- The one change allowed: a deleted account's events lose the link to it (the FK's
    -- ON DELETE SET NULL, run by Django), and nothing else about them changes.
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (NEW.id, NEW.action, NEW.target_type, NEW.target_id, NEW.reason, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.action, OLD.target_type, OLD.target_id, OLD.reason, OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'moderation_auditevent is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_auditevent_no_update BEFORE UPDATE OR DELETE
    ON moderation_auditevent FOR EACH ROW EXECUTE FUNCTION moderation_auditevent_append_only();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS moderation_auditevent_no_update ON moderation_auditevent;
DROP FUNCTION IF EXISTS moderation_auditevent_append_only();
"""
SQLITE_FORWARD = [
    # The same one exception as on PostgreSQL: unlinking a deleted account, nothing else.
    """CREATE TRIGGER moderation_auditevent_no_update BEFORE UPDATE ON moderation_auditevent
    WHEN NOT (NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL AND NEW.id IS OLD.id
        AND NEW.action IS OLD.action AND NEW.target_type IS OLD.target_type
        AND NEW.target_id IS OLD.target_id AND NEW.reason IS OLD.reason
        AND NEW.created_at IS OLD.created_at)
    BEGIN SELECT RAISE(ABORT, 'moderation_auditevent is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER moderation_auditevent_no_delete BEFORE DELETE ON moderation_auditevent
    BEGIN SELECT RAISE(ABORT, 'moderation_auditevent is append-only: DELETE refused'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS moderation_auditevent_no_update",
    "DROP TRIGGER IF EXISTS moderation_auditevent_no_delete",
]


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRESQL_FORWARD], "sqlite": SQLITE_FORWARD}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def not_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRESQL_BACKWARD], "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_verification_reports"),
        ("directory", "0008_photo_pending"),
        ("taxonomy", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
        migrations.RunPython(append_only, not_append_only),
    ]
