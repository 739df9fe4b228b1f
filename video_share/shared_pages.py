"""Pages shared by every visitor who is not signed in, kept a few seconds in each process.

A visitor without a session (not signed in, no message waiting) sees what every other such
visitor sees at the same address, in the same language — all but the CSRF token. The views
marked `@shared_page` are, for such visitors, rendered at most once every
VIDEO_SHARE_SHARED_PAGE_SECONDS per process and served again from memory: no thread, no query,
a fresh token put in the place of the old one. A burst of visitors on one link (a video
shared outside the site) then costs one render every few seconds.

What a shared page may lag by is bounded by those seconds: a new video, a changed title, a
video made private (its media are refused at once: media permissions are checked apart).
Live parts catch up by themselves: a page's event streams resume from the event current when
it was rendered, so what happened since is replayed, not lost. Signed-in visitors are never
served a shared page.

Kept in the process rather than in the cache backend: a hit then does no I/O, so it is served
on the event loop under ASGI.
"""

import asyncio
import contextlib
import re
import threading
import time
from collections import OrderedDict

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import _get_new_csrf_string, _unmask_cipher_token, get_token
from django.utils.cache import patch_vary_headers

MAX_PAGES = 500
TOKEN = re.compile(rb"\b[A-Za-z0-9]{64}\b")
HOLE = b"\x00csrf-token\x00"
# The htmx request headers a view may answer differently to.
HTMX_HEADERS = (
    "HX-Request",
    "HX-Boosted",
    "HX-Target",
    "HX-Trigger-Name",
    "HX-Current-URL",
    "HX-History-Restore-Request",
)


def shared_page(view):
    """Mark a view whose page, for visitors who are not signed in, depends only on its
    address, the language and the htmx headers."""
    view.shared_page = True
    return view


class Page:
    __slots__ = ("expires", "status", "headers", "content", "has_token")

    def __init__(self, response: HttpResponse, secret: str, seconds: float):
        """`response` rendered with `secret` as its CSRF secret: one made up for this page
        alone, so that only the tokens the page itself put in unmask to it (a token-like
        string in what a user wrote cannot)."""
        self.expires = time.monotonic() + seconds
        self.status = response.status_code
        self.headers = list(response.items())
        self.has_token = False

        def hole(match):
            if _unmask_cipher_token(match.group().decode()) != secret:
                return match.group()
            self.has_token = True
            return HOLE

        self.content = TOKEN.sub(hole, response.content)

    def response(self, request) -> HttpResponse:
        content = self.content
        if self.has_token:
            content = content.replace(HOLE, get_token(request).encode())
        response = HttpResponse(content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        # The same address answers a signed-in visitor differently.
        patch_vary_headers(response, ("Cookie",))
        return response


class Pages:
    """The shared pages of this process, the most recently used MAX_PAGES of them, and the
    renders under way (a crowd arriving at once waits for one render, not one each)."""

    def __init__(self):
        self.pages: OrderedDict[tuple, Page] = OrderedDict()
        self.rendering: dict[tuple, asyncio.Future] = {}
        self.lock = threading.Lock()

    def get(self, key) -> Page | None:
        with self.lock:
            page = self.pages.get(key)
            if page is None or page.expires < time.monotonic():
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key, page: Page):
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > MAX_PAGES:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.pages.clear()


pages = Pages()
# How long a request waits for another's render of the same page before rendering its own.
WAIT_SECONDS = 5


def _key(request) -> tuple | None:
    """The page's key, or None when this request must be rendered for itself."""
    if request.method != "GET" or not settings.VIDEO_SHARE_SHARED_PAGE_SECONDS:
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    headers = request.headers
    return (
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", ""),
        *(headers.get(name, "") for name in HTMX_HEADERS),
    )


def _shareable(request, response) -> bool:
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (session is not None and session.modified)
        and not (messages is not None and messages.added_new)
        and not (user is not None and user.is_authenticated)
    )


class SharedPageMiddleware:
    """Serves and keeps shared pages (see the module). Goes last in MIDDLEWARE: what it keeps
    is the view's own response; the middleware above adds headers and cookies to every copy."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
            # Django adapts a hook to the handler's mode by its name.
            self.process_view = self.process_view_async

    def process_view(self, request, view, args, kwargs):
        if not getattr(view, "shared_page", False):
            return None
        key = _key(request)
        if key is None:
            return None
        page = pages.get(key)
        if page is not None:
            return page.response(request)
        self._render_shared(request, key)
        return None

    async def process_view_async(self, request, view, args, kwargs):
        if not getattr(view, "shared_page", False):
            return None
        key = _key(request)
        if key is None:
            return None
        page = pages.get(key)
        if page is None and (rendering := pages.rendering.get(key)) is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(rendering), WAIT_SECONDS)
            page = pages.get(key)
        if page is not None:
            return page.response(request)
        if key not in pages.rendering:
            request.shared_page_rendering = pages.rendering[key] = (
                asyncio.get_running_loop().create_future()
            )
        self._render_shared(request, key)
        return None

    @staticmethod
    def _render_shared(request, key):
        """This request renders the page for everyone: with a CSRF secret of the page's own
        (see Page), its visitor's secret set aside until the page is kept."""
        request.shared_page = (key, request.META.get("CSRF_COOKIE"), _get_new_csrf_string())
        request.META["CSRF_COOKIE"] = request.shared_page[2]

    def __call__(self, request):
        if self.is_async:
            return self.__acall__(request)
        return self.keep(request, self.get_response(request))

    async def __acall__(self, request):
        try:
            return self.keep(request, await self.get_response(request))
        finally:
            rendering = getattr(request, "shared_page_rendering", None)
            if rendering is not None:
                key = request.shared_page[0]
                if pages.rendering.get(key) is rendering:
                    del pages.rendering[key]
                rendering.set_result(None)

    def keep(self, request, response):
        shared = getattr(request, "shared_page", None)
        if shared is None or request.META.get("CSRF_COOKIE") != shared[2]:
            return response
        key, visitor_secret, page_secret = shared
        if response.streaming or response.cookies:
            return response  # as rendered: this visitor keeps the page's secret, as its tokens
        page = Page(response, page_secret, settings.VIDEO_SHARE_SHARED_PAGE_SECONDS)
        if _shareable(request, response):
            pages.put(key, page)
        # This visitor gets the page as the next one will, with a token of their own secret.
        if visitor_secret is None:
            del request.META["CSRF_COOKIE"]
        else:
            request.META["CSRF_COOKIE"] = visitor_secret
        request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
        return page.response(request)
