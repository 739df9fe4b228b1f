"""Request-body limits in front of Django, by path and by who is asking.

Django reads the whole request body (spooled to a temporary file past
FILE_UPLOAD_MAX_MEMORY_SIZE) before any view, CSRF check or authentication runs, and such a
body holds a thread while it comes in; the servers set no limit. So the size a request may
send is decided here, from its declared length (Content-Length: the server holds a body to
it), before a byte of it is read:

- the upload views (the form, and the resumable uploads' PATCHes), for a signed-in user:
  VIDEO_SHARE_MAX_UPLOAD_MB, with at most
  VIDEO_SHARE_UPLOADS_PER_USER such uploads of one user and VIDEO_SHARE_UPLOADS_AT_ONCE in
  all under way in this process;
- the picture forms (avatar, poster): VIDEO_SHARE_MAX_AVATAR_MB;
- the caption form: VIDEO_SHARE_MAX_CAPTION_MB;
- anything else: VIDEO_SHARE_MAX_REQUEST_MB, which stays in memory.

A body without a declared length (chunked) is refused: Django would not read it. Who is
signed in is read (session, user: a database or cache read) only for a large body sent to
the upload view. BodySizeLimit is WSGI middleware around Django's handler, wherever it runs:
a WSGI server (wsgi.py), or the page and upload pools of the ASGI application (asgi.py).
"""

import threading
from collections import Counter
from contextlib import contextmanager
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from typing import NamedTuple

from django.conf import settings
from django.urls import Resolver404, resolve

# Room for the form fields and multipart framing around the file itself.
OVERHEAD = 1024 * 1024
# The size settings (…_MB) count in decimal megabytes, the unit the pages show sizes in
# (decimal_size) as file managers do.
MB = 1000 * 1000

UPLOAD_VIEWS = {"upload", "upload_files", "upload_file"}
# The forms that take a file, and the setting of its largest size.
FILE_FORMS = {
    "profile_edit": "VIDEO_SHARE_MAX_AVATAR_MB",
    "video_poster": "VIDEO_SHARE_MAX_AVATAR_MB",
    "video_captions": "VIDEO_SHARE_MAX_CAPTION_MB",
}


class Limit(NamedTuple):
    body: int  # bytes a request may send
    file: int  # the file size it allows, as the refusal states it


def body_limit() -> int:
    """The largest body of a signed-in user's upload."""
    return settings.VIDEO_SHARE_MAX_UPLOAD_MB * MB + OVERHEAD


def request_limit() -> Limit:
    """The largest body of any request but uploads."""
    size = settings.VIDEO_SHARE_MAX_REQUEST_MB * MB
    return Limit(size, size)


def _view_name(path: str) -> str:
    try:
        return resolve(path).url_name or ""
    except Resolver404:
        return ""


def limit_for(path: str) -> Limit:
    """The largest body a request to `path` may send, if whoever sends it may use the view."""
    name = _view_name(path)
    if name in UPLOAD_VIEWS:
        return Limit(body_limit(), settings.VIDEO_SHARE_MAX_UPLOAD_MB * MB)
    if name in FILE_FORMS:
        size = getattr(settings, FILE_FORMS[name]) * MB
        return Limit(size + OVERHEAD, size)
    return request_limit()


class Refusal:
    TOO_LARGE = 413
    SIGNED_OUT = 403
    YOUR_UPLOADS = 429
    BUSY = 503


class Uploads:
    """Large uploads under way in this process, per user and in all."""

    def __init__(self):
        self.per_user = Counter()
        self.lock = threading.Lock()

    @contextmanager
    def place(self, user_id: int):
        """Holds a place for one upload; yields the refusal (or None) if there is none."""
        with self.lock:
            if self.per_user[user_id] >= settings.VIDEO_SHARE_UPLOADS_PER_USER:
                refusal = Refusal.YOUR_UPLOADS
            elif self.per_user.total() >= settings.VIDEO_SHARE_UPLOADS_AT_ONCE:
                refusal = Refusal.BUSY
            else:
                refusal = None
                self.per_user[user_id] += 1
        try:
            yield refusal
        finally:
            if refusal is None:
                with self.lock:
                    self.per_user[user_id] -= 1
                    if not self.per_user[user_id]:
                        del self.per_user[user_id]


uploads = Uploads()


def _signed_in_user(session_key: str) -> int | None:
    """The id of the active user a session cookie signs in, as the authentication
    middleware would find it (the session's hash of the password included)."""
    from django.contrib.auth import get_user

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(SimpleNamespace(session=store))
    return user.pk if user.is_authenticated else None


def _cookies(headers: dict[str, str]) -> SimpleCookie:
    try:
        return SimpleCookie(headers.get("cookie", ""))
    except CookieError:
        return SimpleCookie()


def large_body(scope) -> bool:
    """Whether a request's body is too big to keep in memory (an upload)."""
    headers = dict(scope.get("headers", ()))
    if b"transfer-encoding" in headers:
        return True
    length = headers.get(b"content-length", b"0")
    return not length.isdigit() or int(length) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE


class NoBody:
    """ASGI middleware for the views that take no request body (event streams, media
    files): a request that sends one is refused (413) before a byte of it is read."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = dict(scope.get("headers", ()))
            if b"transfer-encoding" in headers or headers.get(b"content-length", b"0") != b"0":
                await send({"type": "http.response.start", "status": 413, "headers": []})
                await send({"type": "http.response.body"})
                return
        await self.app(scope, receive, send)


class BodySizeLimit:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("HTTP_TRANSFER_ENCODING"):
            return _answer(start_response, 411, b"")
        length = environ.get("CONTENT_LENGTH", "")
        length = int(length) if length.isdigit() else 0
        small = request_limit()
        if length <= small.body:
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        headers = {
            "cookie": environ.get("HTTP_COOKIE", ""),
            "accept-language": environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        }
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD", "OPTIONS"):
            # Never an upload: held to the small limit without looking anything up.
            return refuse(start_response, Refusal.TOO_LARGE, headers, path, small)
        limit = limit_for(path)
        if _view_name(path) not in UPLOAD_VIEWS:
            if length > limit.body:
                return refuse(start_response, Refusal.TOO_LARGE, headers, path, limit)
            return self.app(environ, start_response)
        cookie = _cookies(headers).get(settings.SESSION_COOKIE_NAME)
        user_id = _signed_in_user(cookie.value) if cookie else None
        if user_id is None:
            return refuse(start_response, Refusal.SIGNED_OUT, headers, path, small)
        with uploads.place(user_id) as refusal:
            if refusal is not None:
                return refuse(start_response, refusal, headers, path)
            if length > limit.body:
                return refuse(start_response, Refusal.TOO_LARGE, headers, path, limit)
            # Django reads the body inside this call: the place is held until it has.
            return self.app(environ, start_response)


def refuse(start_response, refusal: int, headers: dict[str, str], path: str, limit=None):
    body = render_refusal(refusal, headers, path, limit)
    retry = [("Retry-After", "60")] if refusal in (Refusal.YOUR_UPLOADS, Refusal.BUSY) else []
    return _answer(
        start_response, refusal, body, [("Content-Type", "text/html; charset=utf-8"), *retry]
    )


def _answer(start_response, status: int, body: bytes, headers=()):
    """An answer sent without reading the request's body: the connection closes after it."""
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [*headers, ("Content-Length", str(len(body))), ("Connection", "close")],
    )
    return [body]


def _language(headers: dict[str, str], path: str) -> str:
    """The language Django would choose for the request (its cookie, path, Accept-Language)."""
    from django.http import HttpRequest
    from django.utils import translation

    request = HttpRequest()
    request.path_info = path
    request.COOKIES = {name: morsel.value for name, morsel in _cookies(headers).items()}
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get("accept-language", "")
    return translation.get_language_from_request(request, check_path=True)


def render_refusal(refusal: int, headers: dict[str, str], path: str, limit=None) -> bytes:
    """The page that says why a request was refused, in the sender's language."""
    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.translation import gettext as _

    from .templatetags.video_share import decimal_size

    with translation.override(_language(headers, path)):
        if refusal == Refusal.SIGNED_OUT:
            title = _("Sign in to upload")
            message = _("Sign in to upload videos. Nothing was saved.")
        elif refusal == Refusal.YOUR_UPLOADS:
            title = _("Too many uploads at once")
            message = _(
                "You are already sending %(count)s videos. Wait until one of them is done, "
                "then try again."
            ) % {"count": settings.VIDEO_SHARE_UPLOADS_PER_USER}
        elif refusal == Refusal.BUSY:
            title = _("Too many uploads at once")
            message = _(
                "Too many videos are being uploaded right now. Nothing was saved. "
                "Try again in a few minutes."
            )
        else:
            title = _("File too large")
            size = decimal_size((limit or limit_for(path)).file)
            message = _(
                "Uploads can be at most %(size)s. Nothing was saved. "
                "Go back and choose a smaller file."
            ) % {"size": size}
        return render_to_string("413.html", {"title": title, "message": message}).encode()
