from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from .. import actions
from ..htmx import HtmxHttpRequest
from ..models import Notification
from .channels import page_of


@login_required
@require_GET
def notification_list(request: HtmxHttpRequest):
    show = "unread" if request.GET.get("show") == "unread" else "all"
    notifications = Notification.objects.filter(recipient=request.user).select_related("video")
    if show == "unread":
        notifications = notifications.filter(read_at__isnull=True)
    context = {"page": page_of(request, notifications, per_page=30), "show": show}
    return render(request, "video_share/notifications.html", context)


@login_required
@require_GET
def open_notification(request: HtmxHttpRequest, notification_id: int):
    """Opening a notification marks it read and goes to what it is about."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    actions.do_mark_read(request.user, [notification.pk])
    if notification.video is not None:
        return redirect(notification.video)
    return redirect("notifications")


@login_required
@require_POST
def mark_all_read(request: HtmxHttpRequest):
    actions.do_mark_read(request.user)
    return redirect("notifications")
