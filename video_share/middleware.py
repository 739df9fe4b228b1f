"""Middleware for the ASGI path without a thread hop per hook.

Under ASGI, Django runs each hook of a `MiddlewareMixin` (process_request, process_response)
through `sync_to_async`: one hop to a worker thread and back, per hook, per request. Hooks
that only look at the request or set headers can run on the event loop directly; hooks that
may touch the database or disk keep their hop. If a hook marked inline ever touched the ORM,
Django would raise SynchronousOnlyOperation rather than block the loop silently.
"""

import asyncio

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware


def inline(middleware, *, response_in_thread=None):
    """The same middleware, with its hooks run on the event loop (the response hook in a
    thread when `response_in_thread(request)` says it will do I/O)."""

    class Inline(middleware):
        async def __acall__(self, request):
            response = None
            if hasattr(self, "process_request"):
                response = self.process_request(request)
            response = response or await self.get_response(request)
            if hasattr(self, "process_response"):
                if response_in_thread is not None and response_in_thread(request):
                    hook = sync_to_async(self.process_response, thread_sensitive=True)
                    response = await hook(request, response)
                else:
                    response = self.process_response(request, response)
            return response

    Inline.__name__ = Inline.__qualname__ = f"Inline{middleware.__name__}"
    return Inline


def _session_to_save(request) -> bool:
    session = getattr(request, "session", None)
    return session is not None and (session.modified or settings.SESSION_SAVE_EVERY_REQUEST)


def _messages_to_store(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and (storage.used or storage.added_new)


InlineSecurityMiddleware = inline(SecurityMiddleware)
# Loading the session is lazy (in the view); saving it is I/O. An event stream never saves
# it, so that it never takes a request thread for its whole life.
InlineSessionMiddleware = inline(SessionMiddleware, response_in_thread=_session_to_save)
InlineLocaleMiddleware = inline(LocaleMiddleware)
InlineCommonMiddleware = inline(CommonMiddleware)
InlineAuthenticationMiddleware = inline(AuthenticationMiddleware)
# Storing messages may read the session.
InlineMessageMiddleware = inline(MessageMiddleware, response_in_thread=_messages_to_store)
InlineXFrameOptionsMiddleware = inline(XFrameOptionsMiddleware)
InlineContentSecurityPolicyMiddleware = inline(ContentSecurityPolicyMiddleware)


class InlineCsrfViewMiddleware(inline(CsrfViewMiddleware)):
    def __init__(self, get_response):
        super().__init__(get_response)
        if iscoroutinefunction(get_response):
            # Django adapts a hook to the handler's mode by its name: under WSGI the plain
            # hook runs, under ASGI this one.
            self.process_view = self.process_view_async

    async def process_view_async(
        self, request: HttpRequest, callback, callback_args, callback_kwargs
    ):
        check = super().process_view
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return check(request, callback, callback_args, callback_kwargs)
        # An unsafe method: the check reads request.POST, which may spool files to disk.
        return await sync_to_async(check, thread_sensitive=True)(
            request, callback, callback_args, callback_kwargs
        )


class StaticFilesMiddleware:
    """whitenoise for static files only: under ASGI other requests pass by on the event
    loop, instead of every request crossing whitenoise's synchronous middleware in a thread.
    Under WSGI it is whitenoise's middleware as it is."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.whitenoise = WhiteNoiseMiddleware(get_response=get_response)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        return self.whitenoise(request)

    async def __acall__(self, request):
        if request.path_info.startswith(self.whitenoise.static_prefix):
            static_file = (
                self.whitenoise.find_file(request.path_info)
                if self.whitenoise.autorefresh
                else self.whitenoise.files.get(request.path_info)
            )
            if static_file is not None:
                response = await sync_to_async(self.whitenoise.serve)(static_file, request)
                if response.streaming and not response.is_async:
                    # Django would warn, and read the whole file in one go.
                    response.streaming_content = _read_off_the_loop(iter(response))
                return response
        return await self.get_response(request)


async def _read_off_the_loop(chunks):
    """A file response's chunks, each read in a worker thread."""
    end = object()
    while (chunk := await asyncio.to_thread(next, chunks, end)) is not end:
        yield chunk
