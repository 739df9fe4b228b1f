"""Rate limits kept in the cache: failed log-ins (per account and address; the key never
depends on whether the account exists, so it reveals nothing) and comments per user."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from .models import handle_key


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return f"login-failures:{digest}"


class LoginThrottle:
    def __init__(self, ip: str, username: str):
        self.account_key = _key("account", handle_key(username or ""), ip)
        self.ip_key = _key("ip", ip)

    def is_blocked(self) -> bool:
        counts = cache.get_many([self.account_key, self.ip_key])
        return (
            counts.get(self.account_key, 0) >= settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT
            or counts.get(self.ip_key, 0) >= settings.VIDEO_SHARE_LOGIN_FAILURES_PER_IP
        )

    def record_failure(self) -> None:
        window = settings.VIDEO_SHARE_LOGIN_WINDOW_SECONDS
        for key in (self.account_key, self.ip_key):
            # add() starts the window; incr() keeps its original expiry.
            if not cache.add(key, 1, window):
                try:
                    cache.incr(key)
                except ValueError:
                    cache.add(key, 1, window)

    def reset(self) -> None:
        cache.delete(self.account_key)


def comment_allowed(user_id: int) -> bool:
    """At most VIDEO_SHARE_COMMENTS_PER_MINUTE comments a minute per user; counts this one."""
    key = _key("comments", str(user_id))
    if cache.add(key, 1, 60):
        return True
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 1, 60)
        return True
    return count <= settings.VIDEO_SHARE_COMMENTS_PER_MINUTE
