import secrets
import unicodedata

from confusable_homoglyphs import categories, confusables
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def handle_key(username: str) -> str:
    """The form of a handle that uniqueness and look-ups use: NFKC, then casefold.

    Kept in its own column because SQLite's LOWER() only folds ASCII.
    """
    return unicodedata.normalize("NFKC", username).casefold()


def handle_skeleton(username: str) -> str:
    """What a handle looks like: each letter that can pass for a Latin one replaced by it
    ("соре" in Cyrillic and "g00gle" look like "cope" and "google"). Two handles with the
    same skeleton can be mistaken for each other."""
    shown = []
    for char in handle_key(username):
        found = confusables.is_confusable(char, preferred_aliases=["latin"])
        latin = [
            glyph["c"]
            for glyph in (found[0]["homoglyphs"] if found else [])
            if all(categories.alias(c) == "LATIN" for c in glyph["c"])
        ]
        shown.append(latin[0].casefold() if latin else char)
    return "".join(shown)[:255]


# Scripts that are written together: Japanese, Chinese with Bopomofo, Korean with Hanja.
SCRIPTS_WRITTEN_TOGETHER = [
    {"HAN", "HIRAGANA", "KATAKANA"},
    {"HAN", "BOPOMOFO"},
    {"HAN", "HANGUL"},
]


def validate_one_script(username: str) -> None:
    """Refuse a handle that mixes alphabets ("аlice" with a Cyrillic "а"): such a handle can
    pass for someone else's. Digits, "_", "." and combining marks go with any script."""
    scripts = categories.unique_aliases(handle_key(username)) - {"COMMON", "INHERITED"}
    if len(scripts) > 1 and not any(scripts <= together for together in SCRIPTS_WRITTEN_TOGETHER):
        raise ValidationError(
            _(
                "Use letters from one alphabet only: a handle that mixes them could pass "
                "for someone else’s."
            ),
            code="mixed_script",
        )


@deconstructible
class HandleValidator(RegexValidator):
    # \w is Unicode-aware: letters and digits of any script, and "_".
    regex = r"^(?!\.)[\w.]+(?<!\.)\Z"
    message = _("Use letters, digits, “_” and “.” only, not starting or ending with a dot.")
    flags = 0


class UserQuerySet(models.QuerySet):
    def with_verified_email(self):
        """Accounts whose current address was proven theirs: the only ones we write to."""
        return self.exclude(email="").filter(verified_email=models.F("email"))


class HandleUserManager(UserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        return self.get(username_key=handle_key(username))


def new_feed_key() -> str:
    return secrets.token_urlsafe(16)


def avatar_path(instance, filename):
    # Never the client's file name: our own random name, one per upload.
    return f"avatars/{secrets.token_urlsafe(12)}.webp"


class User(AbstractUser):
    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        help_text=_("3–30 characters: letters, digits, “_” and “.”. This is your @handle."),
        validators=[HandleValidator(), validate_one_script],
        error_messages={"unique": _("This username is already taken.")},
    )
    username_key = models.CharField(max_length=30, unique=True, editable=False)
    # Not unique: handles taken before this existed may share one; new ones may not.
    username_skeleton = models.CharField(max_length=255, db_index=True, editable=False, default="")
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # The address whose verification link was last opened. The current address is verified
    # while it is this one: changing it, by any means, needs a new link.
    verified_email = models.EmailField(blank=True, editable=False, default="")
    bio = models.TextField(_("bio"), max_length=1000, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_path, blank=True)
    subscriber_count = models.PositiveIntegerField(default=0, editable=False)
    # The language the user last used the site in: live events and emails are rendered in it.
    language = models.CharField(max_length=10, default="en", editable=False)
    # A daily email of unread notifications, if asked for; when the last one went out.
    email_digest = models.BooleanField(_("daily email digest"), default=False)
    digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Part of the address of their private subscription feed (video_share.views.feeds): a new
    # key makes the old address stop working.
    feed_key = models.CharField(max_length=32, default=new_feed_key, editable=False)
    # Set when the person asks for their account to be deleted: it is, then, unless they
    # cancel first (actions/your_data.py); with their videos and comments, or keeping those
    # under an anonymous name, as they chose.
    deletion_at = models.DateTimeField(null=True, blank=True, editable=False)
    deletion_keeps_content = models.BooleanField(default=False, editable=False)
    # A ban (is_active false) set by a moderator: until when (None: for good) and why, both
    # shown to the person when they try to log in. A timed ban is lifted once it has passed
    # (actions.do_lift_expired_bans: at log-in and by the worker's watchdog).
    banned_until = models.DateTimeField(null=True, blank=True, editable=False)
    ban_reason = models.TextField(blank=True, editable=False)

    objects = HandleUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One account per address, whatever its case. SQLite's LOWER() folds only ASCII;
            # the forms compare case-insensitively too.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="unique_email_any_case",
                violation_error_message=_("An account already uses this email address."),
            ),
        ]

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
        self.username_skeleton = handle_skeleton(self.username)
        super().save(*args, **kwargs)

    @property
    def email_verified(self) -> bool:
        return bool(self.email) and self.email == self.verified_email

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("channel", kwargs={"username": self.username})
