from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "shelf.ops"
    verbose_name = _("Operations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from shelf.ops.signin import update_last_login

        # The sign-in time is written as soon as the database takes it.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")
