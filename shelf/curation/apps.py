from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_init, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def create_roles(sender, using="default", **kwargs):
    from django.contrib.auth.management import create_permissions

    from shelf.curation.roles import sync_roles

    # post_migrate reaches this app before the apps listed after it have
    # their permissions; create them all first so every role is complete.
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_roles()


class CurationConfig(AppConfig):
    name = "shelf.curation"
    verbose_name = _("Curation")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from shelf.catalogue.models import Resource, Term
        from shelf.curation import audit

        post_migrate.connect(create_roles, sender=self)
        user_logged_in.connect(audit.on_logged_in, dispatch_uid="audit-sign-in")
        user_logged_out.connect(audit.on_logged_out, dispatch_uid="audit-sign-out")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit-sign-in-failed")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="audit-sign-in-locked")
        User = get_user_model()
        for model in (Resource, Term, User):
            post_delete.connect(
                audit.on_deleted, sender=model, dispatch_uid=f"audit-delete-{model}"
            )
        post_init.connect(audit.on_user_loaded, sender=User, dispatch_uid="audit-user-loaded")
        post_save.connect(audit.on_user_saved, sender=User, dispatch_uid="audit-user-saved")
        m2m_changed.connect(
            audit.on_groups_changed, sender=User.groups.through, dispatch_uid="audit-roles"
        )
