from datetime import timedelta
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_info, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import captions, media, resumable
from .body_limits import MB
from .images import make_avatar, make_poster
from .models import Caption, Playlist, Report, User, Video, handle_key, handle_skeleton
from .models.accounts import validate_one_script
from .models.captions import CAPTION_LANGUAGES
from .models.playlists import MAX_PLAYLISTS
from .quota import Storage
from .storage import delete_quietly, upload_path
from .templatetags.video_share import decimal_size
from .text import clean_tag, fold


class DescribedFieldsMixin:
    """Point each input at its help text and at its (possibly empty) error list.

    The error list is always rendered, so inline validation can fill it and screen
    readers announce it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            auto_id = self.auto_id % self.add_prefix(name)
            ids = [f"{auto_id}_helptext"] if field.help_text else []
            field.widget.attrs.setdefault("aria-describedby", " ".join([*ids, f"{auto_id}-errors"]))


def email_in_use(email: str, *, by_other_than: User | None = None) -> bool:
    """Whether an account (another one than `by_other_than`) has this address, in any case."""
    accounts = User.objects.filter(email__iexact=email)
    if by_other_than is not None:
        accounts = accounts.exclude(pk=by_other_than.pk)
    return accounts.exists()


class SignUpForm(DescribedFieldsMixin, auth_forms.BaseUserCreationForm):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Only used to reset your password. Never shown to anyone."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta:
        model = User
        fields = ("username", "email")
        labels = {"username": _("Username")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"].widget.attrs
        username.update(minlength=3, autocomplete="username", autocapitalize="none")
        username.pop("autofocus", None)
        self.fields["password1"].widget.attrs["minlength"] = 8
        for name in self.fields:
            # Inline validation: each field posts the form to the sign-up URL as it is
            # typed in, and gets back only its own error list.
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": reverse("signup"),
                    "hx-trigger": "input changed delay:500ms",
                    "hx-target": f"#id_{name}-errors",
                    "hx-swap": "outerHTML",
                    "hx-sync": "this:replace",
                }
            )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) < 3:
            raise ValidationError(_("A username needs at least 3 characters."), code="short")
        validate_one_script(username)
        if User.objects.filter(username_key=handle_key(username)).exists():
            raise ValidationError(_("This username is already taken."), code="unique")
        look_alike = User.objects.filter(username_skeleton=handle_skeleton(username)).first()
        if look_alike is not None:
            raise ValidationError(
                _("This username looks too much like @%(handle)s, which is taken.")
                % {"handle": look_alike.username},
                code="confusable",
            )
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_in_use(email):
            # Saying so reveals that the address has an account, as any sign-up form must.
            raise ValidationError(
                _("An account already uses this email address. If it is yours, log in instead."),
                code="unique",
            )
        return email

    def validate_password_for_user(self, user, password_field_name="password1"):  # noqa: S107
        # Weakness belongs to the first password field, where it is typed and checked
        # inline; the confirmation field only reports a mismatch.
        super().validate_password_for_user(user, password_field_name)

    def validate_unique(self):
        # Uniqueness of the handle is checked case-insensitively in clean_username.
        self.instance.username_key = handle_key(self.instance.username or "")
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions() | {"username"})
        except ValidationError as exc:
            self._update_errors(exc)


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        # An address nobody proved theirs may be someone else's: no reset link goes to it.
        return (user for user in super().get_users(email) if user.email_verified)


class LoginForm(DescribedFieldsMixin, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("That username and password don’t match. Please try again."),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # Only whoever knows the password learns that the account is banned, and why.
            banned = User.objects.filter(
                username_key=handle_key(self.cleaned_data.get("username") or ""),
                is_active=False,
            ).first()
            if banned is None or not banned.check_password(self.cleaned_data.get("password")):
                raise
            raise ValidationError(ban_message(banned), code="banned") from None


def ban_message(user: User) -> str:
    """What a banned person is told when they try to log in: until when, and why."""
    if user.banned_until:
        until = timezone.localtime(user.banned_until)
        text = gettext("Your account is banned until %(until)s.") % {
            "until": date_format(until, "DATETIME_FORMAT")
        }
    else:
        text = gettext("Your account is banned.")
    if user.ban_reason:
        text += " " + gettext("Reason: %(reason)s") % {"reason": user.ban_reason}
    return text


class ModerationForm(forms.Form):
    """What a moderator does about the reports of one thing."""

    ACTIONS = {
        "dismiss": _("Dismiss"),
        "hide": _("Hide"),
        "delete": _("Delete"),
        "ban": _("Ban the author"),
    }
    BAN_DAYS = {
        "1": _("for 1 day"),
        "7": _("for 7 days"),
        "30": _("for 30 days"),
        "": _("for good"),
    }

    action = forms.ChoiceField(choices=ACTIONS)
    ban_for = forms.ChoiceField(label=_("Ban"), choices=BAN_DAYS, required=False, initial="7")
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        help_text=_("For the log; a person banned is shown it when they try to log in."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "ban" and not cleaned.get("reason"):
            self.add_error("reason", _("Say why: the person banned is shown the reason."))
        return cleaned

    def ban_until(self):
        days = self.cleaned_data["ban_for"]
        return timezone.now() + timedelta(days=int(days)) if days else None


class ProfileForm(DescribedFieldsMixin, forms.ModelForm):
    avatar = forms.ImageField(
        label=_("Avatar"),
        required=False,
        help_text=_("A square crop of it is shown. JPEG, PNG, GIF or WebP, up to 10 MB."),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove avatar"), required=False)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Only used to reset your password. Never shown to anyone."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Current password"),
        required=False,
        strip=False,
        help_text=_("Needed only to change your email address."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = User
        fields = ("display_name", "bio", "email")
        labels = {"display_name": _("Display name"), "bio": _("Bio")}
        widgets = {
            "display_name": forms.TextInput(attrs={"dir": "auto"}),
            "bio": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        }

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_in_use(email, by_other_than=self.instance):
            raise ValidationError(
                _("Another account already uses this email address."), code="unique"
            )
        return email

    def clean(self):
        cleaned = super().clean()
        # Whoever holds a session must not be able to move the account's password resets to
        # an address of their own.
        if (
            "email" in self.changed_data
            and "email" in cleaned
            and not self.instance.check_password(cleaned.get("password") or "")
        ):
            self.add_error(
                "password",
                ValidationError(
                    _("Enter your current password to change your email address."),
                    code="password_incorrect",
                ),
            )
        return cleaned

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        if upload.size > settings.VIDEO_SHARE_MAX_AVATAR_MB * MB:
            raise ValidationError(
                _("This image is larger than %(size)s MB.")
                % {"size": settings.VIDEO_SHARE_MAX_AVATAR_MB}
            )
        return make_avatar(upload)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.old_avatar = self.instance.avatar.name
        self.stored_avatar = ""

    def store_avatar(self) -> str:
        """Write a new picture to storage, once; called before the profile's transaction
        (storage may be a remote service). Its name, or "" when there is none."""
        if self.cleaned_data.get("avatar") and not self.stored_avatar:
            self.instance.avatar.save("avatar.webp", self.cleaned_data["avatar"], save=False)
            self.stored_avatar = self.instance.avatar.name
        return self.stored_avatar

    def save(self, commit=True):
        user = super().save(commit=False)
        if not self.store_avatar() and self.cleaned_data.get("remove_avatar"):
            user.avatar = ""
        if commit:
            user.save()
            if self.old_avatar and self.old_avatar != user.avatar.name:
                old = self.old_avatar
                transaction.on_commit(lambda: delete_quietly(old))
        return user


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags (Arabic commas too), cleaned, duplicates dropped."""
    names, seen = [], set()
    for part in text.replace("،", ",").split(","):
        name = clean_tag(part)
        if name and fold(name) not in seen:
            seen.add(fold(name))
            names.append(name)
    return names


class VideoDetailsMixin(forms.Form):
    """Title, description, tags and visibility: shared by upload and edit."""

    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separated by commas: at most 10, each 2–30 characters."),
        widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
    )

    publish_at = forms.DateTimeField(
        label=_("Publish later"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment_policy"].required = False  # as it was: on, unless said otherwise
        self.fields["publish_at"].help_text = _(
            "Optional. Until then the video stays private; at that time it becomes public and "
            "your subscribers are told. Time zone: %(zone)s."
        ) % {"zone": timezone.get_current_timezone_name()}
        if self.instance.pk and not self.is_bound and self.instance.publish_at:
            self.initial["publish_at"] = self.instance.publish_at

    def clean_publish_at(self):
        moment = self.cleaned_data["publish_at"]
        if moment is not None and moment <= timezone.now():
            raise ValidationError(
                _("Choose a time in the future, or leave this empty."), code="past"
            )
        return moment

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publish_at"):
            cleaned["visibility"] = Video.Visibility.PRIVATE  # until then
        if "comment_policy" in cleaned and not cleaned["comment_policy"]:
            cleaned["comment_policy"] = Video.CommentPolicy.OPEN
        return cleaned

    def clean_tags_text(self):
        names = parse_tags(self.cleaned_data["tags_text"])
        if len(names) > MAX_TAGS:
            raise ValidationError(
                _("Use at most %(count)s tags.") % {"count": MAX_TAGS}, code="too_many"
            )
        errors = []
        for name in names:
            if not 2 <= len(name) <= 30:
                errors.append(
                    ValidationError(
                        _("“%(tag)s”: each tag needs 2 to 30 characters.") % {"tag": name},
                        code="tag_length",
                    )
                )
            elif {".", ".."} & set(name.split("/")):
                # Browsers resolve these in the tag's address (/tags/a/../b is /tags/b).
                errors.append(
                    ValidationError(
                        _("“%(tag)s”: a tag can’t be “.” or “..”, nor have them between slashes.")
                        % {"tag": name},
                        code="tag_dots",
                    )
                )
        if errors:
            raise ValidationError(errors)
        return names


MAX_TAGS = 10


class UploadForm(DescribedFieldsMixin, VideoDetailsMixin, forms.ModelForm):
    file = forms.FileField(
        label=_("Choose a video file"),
        help_text=_("MP4, MOV, WebM, MKV, AVI… up to %(size)s."),
        widget=forms.FileInput(attrs={"accept": "video/*", "class": "file-picker__input"}),
        required=False,
    )
    # The file sent by the resumable upload protocol (video_share.resumable) instead: its id.
    resumable = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)

    class Meta:
        model = Video
        fields = ("title", "description", "visibility", "allow_download", "comment_policy")
        labels = {
            "title": _("Title"),
            "description": _("Description"),
            "visibility": _("Visibility"),
            "allow_download": _("Let viewers download this video"),
            "comment_policy": _("Comments"),
        }
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "description": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
            "visibility": forms.RadioSelect,
            "comment_policy": forms.RadioSelect,
        }
        help_texts = {
            "description": _(
                "Three or more lines starting with a time, the first at 0:00 (“0:00 Intro”, "
                "“1:30 Results”), become the video’s chapters."
            )
        }

    field_order = (
        "file",
        "resumable",
        "title",
        "description",
        "tags_text",
        "visibility",
        "publish_at",
        "allow_download",
        "comment_policy",
    )

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.probe = None
        self.finished_upload = None  # a resumable upload named in place of a file
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the file name.")
        self.storage = Storage.of(owner)
        self.max_bytes = self.storage.file_limit
        self.fields["file"].help_text = (
            gettext("MP4, MOV, WebM, MKV, AVI…")
            if self.storage.full
            else self.fields["file"].help_text % {"size": decimal_size(self.max_bytes)}
        )
        self.fields["file"].widget.attrs["data-max-bytes"] = self.max_bytes
        for name in ("title", "description", "tags_text", "visibility", "publish_at"):
            # Inline validation, as on the sign-up form: each field posts the form, without
            # the file, to the upload URL when it changes (and upload.js once more before the
            # file is sent), and gets back only its own error list.
            self.fields[name].widget.attrs.update(
                {
                    "hx-post": reverse("upload"),
                    "hx-trigger": "change",
                    "hx-params": "not file",
                    "hx-target": f"#id_{name}-errors",
                    "hx-swap": "outerHTML",
                    "hx-sync": "this:replace",
                }
            )
        self.chunk_bytes = settings.VIDEO_SHARE_UPLOAD_CHUNK_MB * MB
        self.max_minutes = settings.VIDEO_SHARE_MAX_DURATION_MINUTES
        self.max_processing = settings.VIDEO_SHARE_PROCESSING_PER_USER
        self.processing = (
            owner.videos.with_work_left().count() if owner and self.max_processing else 0
        )

    @property
    def must_wait(self) -> bool:
        """The owner has as many videos in processing as they may: one more must wait."""
        return bool(self.max_processing) and self.processing >= self.max_processing

    def too_large_message(self) -> str:
        """What a file over max_bytes is told, before a byte of it is sent (upload.js)."""
        return self.storage.too_large_message(self.max_bytes + 1)

    def wait_message(self) -> str:
        return ngettext(
            "You have %(count)s video being processed. Upload another when it is ready.",
            "You have %(count)s videos being processed. Upload another when one of them is ready.",
            self.processing,
        ) % {"count": self.processing}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is None:
            if not self.data.get("resumable"):
                raise ValidationError(self.fields["file"].error_messages["required"], "required")
            return None
        return self.checked(upload)

    def clean_resumable(self):
        upload_id = self.cleaned_data["resumable"]
        if not upload_id or self.cleaned_data.get("file") is not None or "file" in self.errors:
            return ""
        # Its errors are the file's: the person chose a file, not this field.
        found = self.owner.partial_uploads.live().filter(pk=upload_id).first()
        if found is None or not found.complete:
            message = _("This upload is no longer on the server. Choose the file again.")
            self.add_error("file", ValidationError(message, "gone"))
            return ""
        self.storage = Storage.of(self.owner, besides=found.pk)
        finished = resumable.FinishedUpload(found)
        try:
            self.cleaned_data["file"] = self.checked(finished)
        except ValidationError as error:
            finished.close()
            if error.code in ("not_video", "too_long"):  # never of use: nothing left behind
                resumable.remove(found)
            self.add_error("file", error)
            return ""
        self.finished_upload = finished
        return upload_id

    def checked(self, upload):
        """`upload`, if it is a video this owner may upload now (probed)."""
        if self.must_wait:
            raise ValidationError(self.wait_message(), code="processing")
        refusal = self.storage.too_large_message(upload.size)
        if refusal:
            raise ValidationError(refusal, code="too_large")
        try:
            with upload_path(upload) as path:
                self.probe = media.probe(path)
        except media.ProbeError as exc:
            raise ValidationError(str(exc.args[0]), code="not_video") from exc
        if self.max_minutes and self.probe.duration > self.max_minutes * 60:
            raise ValidationError(
                ngettext(
                    "This video is longer than %(minutes)s minute, the longest we accept. "
                    "Upload a shorter part of it.",
                    "This video is longer than %(minutes)s minutes, the longest we accept. "
                    "Upload a shorter part of it.",
                    self.max_minutes,
                )
                % {"minutes": self.max_minutes},
                code="too_long",
            )
        return upload

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        upload = self.cleaned_data.get("file")
        if not title and upload is not None:
            title = Path(upload.name or "").stem.replace("_", " ").strip()[:100]
        return title or gettext("Untitled video")


class VideoEditForm(DescribedFieldsMixin, VideoDetailsMixin, forms.ModelForm):
    class Meta:
        model = Video
        fields = UploadForm.Meta.fields
        labels = UploadForm.Meta.labels
        widgets = UploadForm.Meta.widgets
        help_texts = UploadForm.Meta.help_texts

    field_order = UploadForm.field_order[2:]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags_text"] = ", ".join(self.instance.tag_names())


class PosterForm(DescribedFieldsMixin, forms.Form):
    frame = forms.ChoiceField(label=_("Choose a frame"), required=False, widget=forms.RadioSelect)
    image = forms.ImageField(
        label=_("Or upload an image"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, video, **kwargs):
        super().__init__(*args, **kwargs)
        self.video = video
        self.fields["frame"].choices = [(name, name) for name in video.frames]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload:
            if upload.size > settings.VIDEO_SHARE_MAX_AVATAR_MB * MB:
                raise ValidationError(
                    _("This image is larger than %(size)s MB.")
                    % {"size": settings.VIDEO_SHARE_MAX_AVATAR_MB}
                )
            return make_poster(upload)
        return None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("frame") and not cleaned.get("image") and not self.errors:
            raise ValidationError(_("Choose a frame or upload an image."), code="required")
        return cleaned


def caption_language_choices() -> list[tuple[str, str]]:
    """Every language captions may be in, named and sorted in the language of the page."""
    names = [(code, str(get_language_info(code)["name_translated"])) for code in CAPTION_LANGUAGES]
    return sorted(names, key=lambda choice: choice[1].casefold())


class CaptionForm(DescribedFieldsMixin, forms.ModelForm):
    """The language and label of a video's captions."""

    language = forms.ChoiceField(label=_("Language"))

    class Meta:
        model = Caption
        fields = ("language", "label")
        labels = {"label": _("Label (optional)")}
        help_texts = {"label": _("What the player calls them; the language’s name if empty.")}
        widgets = {"label": forms.TextInput(attrs={"dir": "auto"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = caption_language_choices()


class CaptionUploadForm(CaptionForm):
    """A new caption file for a video: WebVTT or SRT, read (and SRT converted) on the way in."""

    MAX_PER_VIDEO = 20

    file = forms.FileField(
        label=_("Caption file (WebVTT or SRT)"),
        widget=forms.FileInput(attrs={"accept": ".vtt,.srt,text/vtt,application/x-subrip"}),
    )
    field_order = ("file", "language", "label")

    def __init__(self, *args, video, **kwargs):
        super().__init__(*args, **kwargs)
        self.video = video
        self.captions: captions.Captions | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.VIDEO_SHARE_MAX_CAPTION_MB * MB
        if upload.size > limit:
            raise ValidationError(
                _("This file is larger than %(size)s.") % {"size": decimal_size(limit)}
            )
        try:
            self.captions = captions.read(upload.read())
        except captions.NotCaptions as error:
            raise ValidationError(str(error)) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.video.captions.count() >= self.MAX_PER_VIDEO:
            raise ValidationError(
                _("A video can have at most %(count)s caption files. Delete one first.")
                % {"count": self.MAX_PER_VIDEO}
            )
        return cleaned


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto", "maxlength": 5000}),
        error_messages={"required": _("Write something first.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    client_token = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise ValidationError(_("Write something first."), code="required")
        return body


class ReportForm(DescribedFieldsMixin, forms.ModelForm):
    # Only the real reasons, none chosen in advance: a model field's form field would offer
    # "no reason" as a choice of its own, already ticked.
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = Report
        fields = ("reason", "note")
        labels = {"note": _("Details (optional)")}
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3, "dir": "auto", "maxlength": 1000}),
        }


class NotificationSettingsForm(forms.Form):
    """One switch per kind of notification, and the daily email digest."""

    email_digest = forms.BooleanField(
        label=_("Send me a daily email of unread notifications"), required=False
    )

    def __init__(self, user, *args, **kwargs):
        from .models import Notification

        super().__init__(*args, **kwargs)
        muted = set(user.muted_notifications.values_list("kind", flat=True))
        self.kind_fields = []
        for kind, label in Notification.Kind.choices:
            name = f"kind_{kind}"
            self.fields[name] = forms.BooleanField(
                label=label, required=False, initial=kind not in muted
            )
            self.kind_fields.append(name)
        self.fields["email_digest"].initial = user.email_digest
        self.order_fields([*self.kind_fields, "email_digest"])

    def kinds(self):
        return [self[name] for name in self.kind_fields]

    def clean(self):
        cleaned = super().clean()
        cleaned["muted"] = [
            name.removeprefix("kind_") for name in self.kind_fields if not cleaned.get(name)
        ]
        return cleaned


class OEmbedSizeForm(forms.Form):
    """The largest player an oEmbed consumer has room for (oembed.com, section 2.2)."""

    maxwidth = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    maxheight = forms.IntegerField(required=False, min_value=1, max_value=10_000)


class PlaylistForm(DescribedFieldsMixin, forms.ModelForm):
    class Meta:
        model = Playlist
        fields = ("title", "description", "visibility")
        labels = UploadForm.Meta.labels
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "description": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "visibility": forms.Select,
        }

    def __init__(self, *args, owner, **kwargs):
        # Its ids stay apart from those of the page it is in (the watch page's Save menu).
        kwargs.setdefault("auto_id", "playlist_%s")
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean(self):
        cleaned = super().clean()
        making = self.instance.pk is None
        if making and Playlist.objects.made_by(self.owner).count() >= MAX_PLAYLISTS:
            raise ValidationError(
                _("You have %(count)s playlists, as many as one can have. Delete one first.")
                % {"count": MAX_PLAYLISTS},
                code="too_many",
            )
        return cleaned


class AccountDeletionForm(DescribedFieldsMixin, forms.Form):
    keep_content = forms.TypedChoiceField(
        label=_("What happens to what you made"),
        choices=[
            ("", _("Delete my videos, comments and playlists with my account")),
            ("keep", _("Keep my videos and comments, under an anonymous name")),
        ],
        coerce=bool,
        empty_value=False,
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand: after the waiting time, this cannot be undone."), required=True
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."), code="wrong_password")
        return password
