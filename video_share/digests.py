"""The daily email digest of unread notifications, for those who ask for it.

Sent by the worker's watchdog (every few minutes it looks for digests that are due); several
workers never send one twice: each digest is claimed by moving `digest_sent_at` first. A
digest whose email fails is given back (`digest_sent_at` as it was): it stays due and goes at
a later check.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Notification, User

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "video_share.digests.unsubscribe"
PERIOD = timedelta(days=1)
MOST = 20
BATCH = 500  # digests sent per check; the rest at the next


def absolute(path: str) -> str:
    return settings.VIDEO_SHARE_SITE_URL.rstrip("/") + path


def unsubscribe_url(user: User) -> str:
    token = signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)
    return absolute(reverse("digest_unsubscribe", args=[token]))


def send_due_digests(now=None) -> int:
    """Send every digest that is due; returns how many went out."""
    now = now or timezone.now()
    due = (
        User.objects.with_verified_email()
        .filter(email_digest=True, is_active=True)
        .filter(Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=now - PERIOD))
    )
    sent = 0
    for user in list(due.order_by("pk")[:BATCH]):
        since = user.digest_sent_at
        if not User.objects.filter(pk=user.pk, digest_sent_at=since).update(digest_sent_at=now):
            continue  # another worker took it
        unread = Notification.objects.for_user(user).unread().for_display()
        if since is not None:
            unread = unread.filter(created_at__gt=since)
        notifications = list(unread[: MOST + 1])
        if not notifications:
            continue
        try:
            _send(user, notifications[:MOST], more=len(notifications) > MOST)
            sent += 1
        except Exception:
            logger.exception("Could not send the digest of user %s; it stays due.", user.pk)
            User.objects.filter(pk=user.pk, digest_sent_at=now).update(digest_sent_at=since)
    return sent


def _send(user: User, notifications: list, *, more: bool) -> None:
    context = {
        "person": user,
        "notifications": notifications,
        "more": more,
        "site_url": settings.VIDEO_SHARE_SITE_URL.rstrip("/"),
        "notifications_url": absolute(reverse("notifications")),
        "settings_url": absolute(reverse("notification_settings")),
        "unsubscribe_url": unsubscribe_url(user),
    }
    with translation.override(user.language):
        subject = render_to_string("email/digest_subject.txt", context).strip()
        text = render_to_string("email/digest.txt", context)
        html = render_to_string("email/digest.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[user.email],
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"},
    )
    message.attach_alternative(html, "text/html")
    message.send()
