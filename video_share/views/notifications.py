from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from .. import actions
from ..digests import UNSUBSCRIBE_SALT
from ..forms import NotificationSettingsForm
from ..htmx import HtmxHttpRequest, navigate, wants_partial
from ..models import Notification, User
from ..pagination import page_of

MENU_SIZE = 10


@login_required
@require_safe
def notification_list(request: HtmxHttpRequest):
    show = "unread" if request.GET.get("show") == "unread" else "all"
    notifications = Notification.objects.for_user(request.user).for_display()
    if show == "unread":
        notifications = notifications.unread()
    context = {"page": page_of(request, notifications, per_page=30), "show": show}
    if wants_partial(request):
        # Asked for again as the bell hears of changes (see the template).
        return render(request, "video_share/notifications.html#notification-list", context)
    return render(request, "video_share/notifications.html", context)


@require_safe
def notification_menu(request: HtmxHttpRequest):
    """The bell's dropdown: the latest ten. Without htmx, the notifications page."""
    if not wants_partial(request):
        return navigate(request, "notifications")
    if not request.user.is_authenticated:
        # Signed out in another tab: the log-in page, as for any htmx request (htmx.py).
        return redirect_to_login(request.get_full_path())
    return _menu(request)


def _menu(request):
    latest = Notification.objects.for_user(request.user).for_display()[:MENU_SIZE]
    return render(request, "video_share/notifications.html#menu", {"notifications": latest})


@require_safe
def unread_count(request: HtmxHttpRequest):
    """The bell's count, asked for whenever its stream (re)opens."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)  # signed out meanwhile: nothing to swap in
    context = {"unread": actions.unread_count(request.user)}
    return render(request, "base.html#bell-count", context)


@login_required
@require_GET
def open_notification(request: HtmxHttpRequest, notification_id: int):
    """Opening a notification marks it read and goes to what it is about."""
    notification = get_object_or_404(
        Notification.objects.for_user(request.user).for_display(), pk=notification_id
    )
    actions.do_mark_read(request.user, [notification.pk])
    return navigate(request, notification.get_absolute_url())


@login_required
@require_POST
def mark_all_read(request: HtmxHttpRequest):
    actions.do_mark_read(request.user)
    if wants_partial(request) and request.htmx.target == "bell-panel":
        return _menu(request)
    url = reverse("notifications")
    return navigate(request, f"{url}?show=unread" if request.POST.get("show") == "unread" else url)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HtmxHttpRequest):
    """Which kinds of notification to receive, and the daily email digest."""
    form = NotificationSettingsForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_save_notification_settings(request.user, form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return navigate(request, "notification_settings")
    return render(request, "video_share/notification_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HtmxHttpRequest, token: str):
    """The link in digest emails: stops them, signed in or not. The signed token names the
    person; a GET only asks, the POST unsubscribes."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    person = get_object_or_404(User, pk=user_id)
    if request.method == "POST":
        actions.do_save_notification_settings(person, {"email_digest": False})
        return render(request, "video_share/unsubscribe.html", {"done": True})
    return render(request, "video_share/unsubscribe.html", {"person": person, "token": token})
