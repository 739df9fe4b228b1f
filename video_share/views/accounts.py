from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_http_methods, require_POST

from .. import actions, verification
from ..forms import PasswordResetForm, ProfileForm, SignUpForm
from ..htmx import HtmxHttpRequest, field_errors, navigate
from ..quota import Storage
from ..throttle import HOUR, allowed, client_address


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest):
    if request.user.is_authenticated:
        return navigate(request, "home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if inline := field_errors(request, form):
            return inline
        if form.is_valid():
            limit = settings.VIDEO_SHARE_SIGNUPS_PER_IP_PER_HOUR
            if not allowed("signups", client_address(request), limit, HOUR):
                form.add_error(
                    None,
                    _("Too many accounts were created from your network. Please try again later."),
                )
            else:
                with transaction.atomic():
                    user = form.save()
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                # First, so that the email is in the language the page was.
                actions.do_note_language(user, request.LANGUAGE_CODE)
                actions.do_send_email_verification(user)
                messages.success(
                    request, _("Welcome to Video Share, %(name)s!") % {"name": user.username}
                )
                note_email_verification(request)
                return navigate(request, user)
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HtmxHttpRequest):
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        actions.do_update_profile(form)
        messages.success(request, _("Your profile has been saved."))
        if "email" in form.changed_data:
            note_email_verification(request)
        return navigate(request, request.user)
    context = {"form": form, "storage": Storage.of(request.user)}
    return render(request, "video_share/profile_edit.html", context)


# A message shown as the notice that the address waits for its link, with "Resend"
# (templates/includes/email_notice.html).
EMAIL_NOTICE = "email-verification"


def note_email_verification(request) -> None:
    """Show, once, on the next page, that a verification link was sent."""
    messages.info(request, _("Open the link we sent to confirm your email address."), EMAIL_NOTICE)


@login_required
@require_POST
def resend_email_verification(request: HtmxHttpRequest):
    user = request.user
    if user.email and not user.email_verified:
        if actions.do_send_email_verification(user):
            messages.success(request, _("We sent a new link to %(email)s.") % {"email": user.email})
        else:
            messages.error(
                request,
                _("Too many verification emails were asked for. Please try again in an hour."),
            )
    return navigate(request, "profile_edit")


@require_http_methods(["GET", "POST"])
def verify_email(request: HtmxHttpRequest, token: str):
    """The link in verification emails, opened signed in or not, in any browser. A GET only
    asks (mail scanners open links), the POST verifies."""
    template = "registration/verify_email.html"
    context = {"title": _("Confirm your email address")}
    try:
        person = verification.user_for_token(token)
    except verification.LinkError as error:
        return render(request, template, context | {"error": error.args[0]}, status=400)
    if request.method == "POST":
        actions.do_verify_email(person)
    return render(request, template, context | {"person": person, "token": token})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, to verified addresses only (PasswordResetForm), with limits on how many emails
    it sends: per address asking, and per email address written to (counted whether or not an
    account has it, so it reveals nothing)."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        if not (
            allowed(
                "password-resets",
                client_address(self.request),
                settings.VIDEO_SHARE_PASSWORD_RESETS_PER_IP_PER_HOUR,
                HOUR,
            )
            and allowed(
                "password-reset-emails",
                email,
                settings.VIDEO_SHARE_PASSWORD_RESETS_PER_EMAIL_PER_HOUR,
                HOUR,
            )
        ):
            form.add_error(
                None,
                _("Too many password reset emails were asked for. Please try again in an hour."),
            )
            return self.form_invalid(form)
        return super().form_valid(form)


class LoginView(auth_views.LoginView):
    def post(self, request, *args, **kwargs):
        # A timed ban that has passed ends now, not at the watchdog's next round.
        actions.do_lift_expired_bans()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.do_note_language(self.request.user, self.request.LANGUAGE_CODE)
        return response


@require_POST
def set_language(request: HtmxHttpRequest):
    """Django's language switch, remembered on the account too (for live updates and
    emails rendered while the person is elsewhere)."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        actions.do_note_language(request.user, language)
    return response
