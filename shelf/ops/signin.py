"""What django-axes records of a sign-in attempt, and when."""

from axes.handlers.database import AxesDatabaseHandler
from django.contrib.auth import get_user_model
from django.utils import timezone

from shelf.ops import deferred


def axes_username(request, credentials=None) -> str | None:
    """The username as typed, cut to the longest a username can be.

    Django's sign-in form does not check the length before authenticating,
    so axes stored whatever was posted: PostgreSQL refused a username over
    axes' 255 characters with a 500 (SQLite stored it). No account has a
    longer name, so the cut changes no lockout."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    if username is None:
        return None
    limit = get_user_model()._meta.get_field("username").max_length
    return str(username)[:limit]


class DeferringAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, its writes made through
    :func:`shelf.ops.deferred.soon`: on SQLite during a long import a
    sign-in does not wait for the lock (nor fail with "database is locked")
    to clear old attempts or count a failure; they are written when the
    import commits. A failure counted late may lock the account one attempt
    later than the limit says."""

    def user_logged_in(self, sender, request, user, **kwargs):
        parent = super().user_logged_in
        deferred.soon(lambda: parent(sender, request, user, **kwargs), "axes: sign-in")

    def user_logged_out(self, sender, request, user, **kwargs):
        parent = super().user_logged_out
        deferred.soon(lambda: parent(sender, request, user, **kwargs), "axes: sign-out")

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        parent = super().user_login_failed
        deferred.soon(
            lambda: parent(sender, credentials, request, **kwargs), "axes: failed sign-in"
        )


def update_last_login(sender, user, **kwargs):
    """Django's receiver of the same name, through shelf.ops.deferred (an
    update of the one column, so no other field a save would write is
    overwritten by a late write)."""
    now = timezone.now()
    user.last_login = now
    model = type(user)
    deferred.soon(
        lambda: model._default_manager.filter(pk=user.pk).update(last_login=now),
        "last sign-in time",
    )
