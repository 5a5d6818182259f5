"""What django-axes records of a sign-in attempt."""

from django.contrib.auth import get_user_model


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
