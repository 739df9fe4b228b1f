from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .avatars import make_avatar
from .models import User, handle_key
from .throttle import LoginThrottle


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
        if User.objects.filter(username_key=handle_key(username)).exists():
            raise ValidationError(_("This username is already taken."), code="unique")
        return username

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


class LoginForm(DescribedFieldsMixin, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("That username and password don’t match. Please try again."),
        "throttled": _("Too many failed attempts. Please wait a few minutes before trying again."),
    }

    def clean(self):
        ip = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        throttle = LoginThrottle(ip, self.data.get("username", ""))
        if throttle.is_blocked():
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure()
            raise
        throttle.reset()
        return cleaned


class ProfileForm(DescribedFieldsMixin, forms.ModelForm):
    avatar = forms.ImageField(
        label=_("Avatar"),
        required=False,
        help_text=_("A square crop of it is shown. JPEG, PNG, GIF or WebP, up to 10 MB."),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove avatar"), required=False)

    class Meta:
        model = User
        fields = ("display_name", "bio")
        labels = {"display_name": _("Display name"), "bio": _("Bio")}
        widgets = {
            "display_name": forms.TextInput(attrs={"dir": "auto"}),
            "bio": forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        }

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        if upload.size > settings.VIDEO_SHARE_MAX_AVATAR_MB * 1024 * 1024:
            raise ValidationError(
                _("This image is larger than %(size)s MB.")
                % {"size": settings.VIDEO_SHARE_MAX_AVATAR_MB}
            )
        return make_avatar(upload)

    def save(self, commit=True):
        user = super().save(commit=False)
        old_name = user.avatar.name
        if self.cleaned_data.get("avatar"):
            user.avatar.save("avatar.webp", self.cleaned_data["avatar"], save=False)
        elif self.cleaned_data.get("remove_avatar"):
            user.avatar = ""
        if commit:
            user.save()
            if old_name and old_name != user.avatar.name:
                user.avatar.storage.delete(old_name)
        return user
