"""The async path: event streams and media files, served on the event loop.

Pages and forms go through Django's WSGI handler and its middleware (video_project.asgi).
The views under /events/ and /media/ are different: they only read (a GET without a body),
need to know only who asks and in which language, and answer with bytes that may go on for
hours (an event stream) or gigabytes (a video). Under Django's ASGI handler each hook of the
middleware would be a trip to a thread and back, and each request would keep a thread of its
own for as long as it lasts: a thousand open streams were a thousand threads (bench/README.md).
So these views are called here with what they need, by Django's public APIs, and nothing
else: the host checked against ALLOWED_HOSTS, the session and the user (loaded lazily, by the
view, on a database thread), the language as LocaleMiddleware would choose it, the
headers and HTTPS redirect of SecurityMiddleware, and behind Pushpin django-grip's GRIP
headers. Views here must be async (a test holds it).
"""

import asyncio
import io
import logging
from contextlib import aclosing
from functools import partial
from importlib import import_module

from django.conf import settings
from django.contrib.auth import aget_user, get_user
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, resolve, set_script_prefix
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from .sse import EventStreamResponse

logger = logging.getLogger("django.request")


class AsyncViewHandler:
    def __init__(self):
        self.sessions = import_module(settings.SESSION_ENGINE).SessionStore
        # Only its two hooks are called, which look at the request and set headers.
        self.security = SecurityMiddleware(get_response=lambda request: None)
        # Behind Pushpin (GRIP_URL set), django-grip's two hooks likewise: one verifies that
        # Pushpin signed the request, the other turns a view's GRIP hold into its headers.
        self.grip = None
        if getattr(settings, "GRIP_URL", ""):
            from django_grip import GripMiddleware

            self.grip = GripMiddleware(get_response=lambda request: None)

    async def __call__(self, scope, receive, send):
        set_script_prefix(settings.FORCE_SCRIPT_NAME or scope.get("root_path", ""))
        request = ASGIRequest(scope, io.BytesIO())
        response = await self.get_response(request)
        try:
            await self.send_response(response, receive, send)
        finally:
            response.close()

    async def get_response(self, request) -> HttpResponse:
        try:
            request.get_host()  # in ALLOWED_HOSTS
            match = resolve(request.path_info)
        except SuspiciousOperation:
            return HttpResponse(status=400)
        except Resolver404:
            return HttpResponse(status=404)
        if redirect := self.security.process_request(request):
            return redirect
        request.resolver_match = match
        request.session = self.sessions(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        request.user = SimpleLazyObject(partial(get_user, request))
        request.auser = partial(aget_user, request)
        if self.grip is not None:
            self.grip.process_request(request)
        language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            try:
                response = await match.func(request, *match.args, **match.kwargs)
            except Http404:
                response = HttpResponse(status=404)
            except PermissionDenied:
                response = HttpResponse(status=403)
            except SuspiciousOperation:
                response = HttpResponse(status=400)
            except Exception:
                logger.exception("Internal Server Error: %s", request.path)
                response = HttpResponse(status=500)
        response.headers.setdefault("Content-Language", language)
        if self.grip is not None:
            response = self.grip.process_response(request, response)
        return self.security.process_response(request, response)

    async def send_response(self, response: HttpResponse, receive, send) -> None:
        headers = [
            (name.encode("latin1"), value.encode("latin1")) for name, value in response.items()
        ]
        for cookie in response.cookies.values():
            headers.append((b"set-cookie", cookie.OutputString().encode("latin1")))
        await send(
            {"type": "http.response.start", "status": response.status_code, "headers": headers}
        )
        if not response.streaming:
            await send({"type": "http.response.body", "body": response.content})
            return
        # The body goes on until it ends or the reader leaves, whichever comes first.
        sending = asyncio.ensure_future(self._send_streaming(response, send))
        leaving = asyncio.ensure_future(_disconnected(receive))
        await asyncio.wait({sending, leaving}, return_when=asyncio.FIRST_COMPLETED)
        leaving.cancel()
        if not sending.done():
            sending.cancel()
        try:
            await sending
        except asyncio.CancelledError:
            if not leaving.done():
                raise  # this task itself was cancelled (the server stops)

    @staticmethod
    async def _send_streaming(response, send) -> None:
        # An event stream's events are bytes already: each goes out as it is.
        events = response.events if isinstance(response, EventStreamResponse) else aiter(response)
        async with aclosing(events) as chunks:
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body"})


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
