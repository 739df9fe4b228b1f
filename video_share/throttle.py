"""Rate limits.

Failed log-ins are counted by django-axes, on every login form (the admin's too): its
settings in video_project/settings.py point at the functions and the handler below. Other
limits (comments, sign-ups, password-reset emails, reports) are counted in the cache by
`allowed`.
"""

import hashlib
import logging
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .models import handle_key

logger = logging.getLogger(__name__)

LOCKED_OUT = _("Too many failed attempts. Please wait a few minutes before trying again.")


def client_address(request) -> str | None:
    """The address a request came from. Behind a proxy, uvicorn's --forwarded-allow-ips has
    already put the client's address here; a client's own X-Forwarded-For is never read."""
    return request.META.get("REMOTE_ADDR") or None


def login_username(request, credentials) -> str:
    """The handle a log-in attempt is counted against, normalised as the login form (which
    strips spaces) and the user manager (handle_key) do: "Alice " is the same account as
    "alice"."""
    username = credentials.get("username") if credentials else request.POST.get("username")
    return handle_key((username or "").strip())


def login_window(request) -> timedelta:
    return timedelta(seconds=settings.VIDEO_SHARE_LOGIN_WINDOW_SECONDS)


def failures_per_account_and_address(request, credentials) -> int:
    return settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT


class LoginAttempts(AxesDatabaseHandler):
    """axes' database handler, with a limit of its own for each way failures are counted.

    axes itself locks an account at one address (AXES_LOCKOUT_PARAMETERS), so that nobody can
    lock the owner out from elsewhere. On top of that: a higher limit per account from any
    address (a slow attack spread over many addresses), and one per address (one address
    trying many accounts).
    """

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        by_address = recent.filter(ip_address=request.axes_ip_address)
        by_account = recent.filter(username=get_client_username(request, credentials))
        return (
            _failures(by_address) >= settings.VIDEO_SHARE_LOGIN_FAILURES_PER_IP
            or _failures(by_account) >= settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT_ANY_IP
        )


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def lockout_response(request, *args, **kwargs):
    """The site's login page with the lockout message, for every login form.

    Rendered afresh from the request: axes passes the view's own response only on its
    synchronous path, and the admin's form would not show this message anyway.
    """
    from .forms import LoginForm

    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    context = {"form": form, "locked_out": LOCKED_OUT, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


HOUR = 3600


def allowed(kind: str, who, limit: int, window: int) -> bool:
    """Count one more `kind` of action by `who` (a user id, an address, an email); False
    once more than `limit` were counted within `window` seconds of the first.

    While the cache cannot count (Redis is down: its errors are ignored, and it answers
    None), every action is allowed: a comment, a sign-up or a report is worth more than the
    limit, which is back as soon as the cache is. Log-ins are counted in the database."""
    digest = hashlib.sha256(f"{kind}\x00{who}".encode()).hexdigest()
    key = f"rate:{digest}"
    # add() starts the window; incr() keeps its original expiry.
    added = cache.add(key, 1, window)
    if added:
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, window)
        return True
    if added is None or count is None:
        logger.warning("The cache does not answer: %s are not limited meanwhile.", kind)
        return True
    return count <= limit


def comment_allowed(user_id: int) -> bool:
    """At most VIDEO_SHARE_COMMENTS_PER_MINUTE comments a minute per user; counts this one."""
    return allowed("comments", user_id, settings.VIDEO_SHARE_COMMENTS_PER_MINUTE, 60)
