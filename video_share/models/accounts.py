import secrets
import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def handle_key(username: str) -> str:
    """The form of a handle that uniqueness and look-ups use: NFKC, then casefold.

    Kept in its own column because SQLite's LOWER() only folds ASCII.
    """
    return unicodedata.normalize("NFKC", username).casefold()


@deconstructible
class HandleValidator(RegexValidator):
    # \w is Unicode-aware: letters and digits of any script, and "_".
    regex = r"^(?!\.)[\w.]+(?<!\.)\Z"
    message = _("Use letters, digits, “_” and “.” only, not starting or ending with a dot.")
    flags = 0


class HandleUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username_key=handle_key(username))


def avatar_path(instance, filename):
    # Never the client's file name: our own random name, one per upload.
    return f"avatars/{secrets.token_urlsafe(12)}.webp"


class User(AbstractUser):
    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        help_text=_("3–30 characters: letters, digits, “_” and “.”. This is your @handle."),
        validators=[HandleValidator()],
        error_messages={"unique": _("This username is already taken.")},
    )
    username_key = models.CharField(max_length=30, unique=True, editable=False)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    bio = models.TextField(_("bio"), max_length=1000, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_path, blank=True)
    subscriber_count = models.PositiveIntegerField(default=0, editable=False)
    # The language the user last used the site in: live events and emails are rendered in it.
    language = models.CharField(max_length=10, default="en", editable=False)
    # A daily email of unread notifications, if asked for; when the last one went out.
    email_digest = models.BooleanField(_("daily email digest"), default=False)
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = HandleUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.username

    def clean(self):
        super().clean()
        # An empty handle is the required check's to report (a form that refused the handle
        # leaves it empty here).
        if self.username and len(self.username) < 3:
            raise ValidationError({"username": _("A username needs at least 3 characters.")})

    def save(self, *args, **kwargs):
        self.username = unicodedata.normalize("NFKC", self.username)
        self.username_key = handle_key(self.username)
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("channel", kwargs={"username": self.username})
