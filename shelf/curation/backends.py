from axes.backends import AxesStandaloneBackend


class SignInLockBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come through a request.

    Django's sign-in views always pass the request. Code that authenticates
    without one (the test client's ``login()``, a shell) has no address to
    count failures by; axes would refuse it outright, so it is let through to
    the password check instead.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
