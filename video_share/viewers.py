"""The viewer cookie: how a browser whose visitor is not signed in is told apart, for counting
views and who is watching."""

import secrets

VIEWER_COOKIE = "vs_viewer"


def viewer_cookie(request) -> tuple[str, bool]:
    """The browser's viewer cookie (a new one if it has none), and whether it is new."""
    cookie = request.COOKIES.get(VIEWER_COOKIE, "")[:40]
    return (cookie, False) if cookie else (secrets.token_urlsafe(16), True)


def give_viewer_cookie(response, request, cookie: str) -> None:
    response.set_cookie(
        VIEWER_COOKIE,
        cookie,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
