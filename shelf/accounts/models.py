from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """A person's own settings. Every notification can be turned off here;
    each is on until its owner says otherwise."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    notify_review = models.BooleanField(
        _("items sent to review"),
        default=True,
        help_text=_("For reviewers: an e-mail when an editor sends an item to review."),
    )
    notify_outcome = models.BooleanField(
        _("my items published or sent back"),
        default=True,
        help_text=_(
            "For editors: an e-mail when a reviewer publishes or rejects an item you sent."
        ),
    )
    weekly_digest = models.BooleanField(
        _("weekly digest of my items past their review date"),
        default=True,
        help_text=_("For editors: once a week, the items you edited whose review date has passed."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def of(cls, user) -> "Profile":
        profile, _created = cls.objects.get_or_create(user=user)
        return profile
