"""A request-body size guard in front of Django.

Under ASGI, Django spools the whole request body to a temporary file before any view runs,
and uvicorn sets no limit: without this guard, a 50 GB upload would fill the disk before the
upload form could refuse it.
"""

from http.cookies import SimpleCookie

from asgiref.sync import sync_to_async
from django.conf import settings

# Room for the form fields and multipart framing around the file itself.
OVERHEAD = 1024 * 1024


def body_limit() -> int:
    return settings.VIDEO_SHARE_MAX_UPLOAD_MB * 1024 * 1024 + OVERHEAD


class BodySizeLimit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = body_limit()
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await too_large(scope, send)

        received = 0
        cut_off = False
        started = False

        async def limited_receive():
            nonlocal received, cut_off
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django treats a disconnect as an aborted request and throws away
                    # what it spooled; we answer 413 below.
                    cut_off = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)
        if cut_off and not started:
            await too_large(scope, send)


async def too_large(scope, send):
    body = await sync_to_async(_render_413)(scope)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _render_413(scope) -> bytes:
    from django.template.defaultfilters import filesizeformat
    from django.template.loader import render_to_string
    from django.utils import translation

    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    cookie = SimpleCookie(headers.get("cookie", ""))
    language = cookie.get(settings.LANGUAGE_COOKIE_NAME)
    code = language.value if language else ""
    if code not in dict(settings.LANGUAGES):
        code = translation.get_language_from_path(scope.get("path", "")) or ""
    if not code:
        accept = headers.get("accept-language", "")
        code = next(
            (
                lang
                for lang, _ in translation.trans_real.parse_accept_lang_header(accept)
                if lang.split("-")[0] in dict(settings.LANGUAGES)
            ),
            settings.LANGUAGE_CODE,
        ).split("-")[0]
    with translation.override(code):
        size = filesizeformat(settings.VIDEO_SHARE_MAX_UPLOAD_MB * 1024 * 1024)
        return render_to_string("413.html", {"size": size}).encode()
