"""Failed log-in throttling, per account and client address, kept in the cache.

The key never depends on whether the account exists, so the throttle reveals nothing.
"""

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
