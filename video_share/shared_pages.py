"""Pages shared by everyone, kept a few seconds in each process, with what is personal in
them filled in for each request.

A page of the views marked `@shared_page` is rendered, as a visitor who is not signed in sees
it, at most once every VIDEO_SHARE_SHARED_PAGE_SECONDS per process, address, language and htmx
headers, and served again from memory:

- to visitors who are not signed in (no session, no message waiting) as it is: no query, their
  own CSRF token put in the place of the placeholder the page was rendered with. A burst of
  visitors on one link (a video shared outside the site) costs one render every few seconds.
- to people who are signed in, with its personal parts rendered for them: the blocks of the
  templates inside `{% personal %}` (the account menu and bell, the like buttons, Subscribe,
  where the player resumes, the comment form, each comment's buttons...), each given what it
  needs of the person by its `@personal_part`. A page then costs the session, the user and
  those parts, not the whole render; a part that most people see as visitors do (a comment
  that is not theirs) is copied, and one that shows only the person (the account menu) is
  cached for them.

Someone whom a page shows differently beyond those parts gets it rendered for themselves:
staff; whoever the page names while it renders (`personal_to`: the owner of the video or
channel, people with videos of their own that a search finds...); and whoever has just
changed something (a POST): for the seconds a shared page may lag by, so that they see their
own change at once.

What a shared page may lag by is bounded by those seconds: a new video, a changed title, a
video made private (its media are refused at once: media permissions are checked apart).
Live parts catch up by themselves: a page's event streams resume from the event current when
it was rendered, so what happened since is replayed, not lost.

Kept in the process rather than in the cache backend: a visitor's hit then does no I/O.
"""

import contextlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import Node, RequestContext
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

MAX_PAGES = 500
# What a shared page, and a personal part cached for someone, hold in the place of the CSRF
# token (see the context processor shared_page_csrf_token): each response puts its own
# request's token there. Drawn anew in each process and never served, so that nobody can
# write it into a page.
CSRF_PLACEHOLDER = f"csrf-placeholder-{secrets.token_hex(16)}"
_CSRF_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
# Set for a few seconds on the answer to any POST: whoever changed something sees it at once.
FRESH_COOKIE = "vs_fresh"
# The htmx request headers a view may answer differently to.
HTMX_HEADERS = (
    "HX-Request",
    "HX-Boosted",
    "HX-Target",
    "HX-Trigger-Name",
    "HX-Current-URL",
    "HX-History-Restore-Request",
)


def shared_pages_unchanged(view):
    """Mark a view whose POSTs change nothing that a shared page shows but its personal parts
    (the player's progress reports, view counts): they leave pages shared for whoever sent
    them."""
    view.shared_pages_unchanged = True
    return view


def shared_page(view):
    """Mark a view whose page depends only on its address, the language and the htmx headers,
    but for its personal parts and the people it names with `personal_to`."""
    view.shared_page = True
    return view


_parts = {}
_same_as_visitors = {}
_cache_keys = {}


def personal_part(name: str, *, same_as_visitors=None, cache_key=None):
    """Register what the `{% personal name %}` blocks need of the person they are rendered
    for: `function(request, context) -> dict`, called for each request that shows them.
    `same_as_visitors(request, context)`, if given, tells when the person sees the block
    just as visitors do (`context`: the block's, as a mapping); it is then copied from the
    page rendered for everyone instead of rendered again (for blocks a page shows many
    times, such as each comment's buttons). `cache_key(request, context)`, if given, names
    all the block shows of the person (say their name, avatar and unread count): what was
    rendered for that is cached, and served again to them on any page (for the account
    menu)."""

    def register(function):
        _parts[name] = function
        if same_as_visitors is not None:
            _same_as_visitors[name] = same_as_visitors
        if cache_key is not None:
            _cache_keys[name] = cache_key
        return function

    return register


def personal_to(request, check) -> None:
    """The page being rendered is not the same, beyond its personal parts, for the people for
    whom `check(request)` is true: they get it rendered for themselves."""
    shared_render = getattr(request, "shared_render", None)
    if shared_render is not None:
        shared_render.checks.append(check)


def renders_shared_copy(request) -> bool:
    """Whether this request is rendering a page for everyone."""
    return getattr(request, "shared_render", None) is not None


class PersonalNode(Node):
    """`{% personal [part] %}…{% endpersonal %}`: rendered for the request at hand, or, in a
    page being rendered for everyone, left out (a placeholder stands in its place) and
    rendered for each request the page is served to."""

    def __init__(self, nodelist, part: str):
        self.nodelist, self.part = nodelist, part

    def render(self, context):
        request = context.get("request")
        shared_render = getattr(request, "shared_render", None)
        if shared_render is not None:
            return shared_render.leave_out(self, context)
        return self.render_for(request, context)

    def render_for(self, request, context) -> str:
        # Without a request (a live event for everyone) there is nobody to render it for.
        values = _parts[self.part](request, context) if self.part and request else {}
        with context.push(values):
            return self.nodelist.render(context)


class PersonalBlock(NamedTuple):
    """A personal block left out of a page rendered for everyone."""

    node: PersonalNode
    # Its context, but for what the context processors give (user, csrf_token, messages...):
    # that comes from the request it is rendered for.
    context: dict
    # As visitors see it, for the parts that most people see so too (see same_as_visitors).
    visitor_html: bytes | None


class SharedRender:
    """A page being rendered for everyone: the personal blocks left out of it, and the people
    it is not for."""

    def __init__(self, request):
        self.request = request
        self.marker = f"\x00personal:{secrets.token_hex(8)}:"
        self.blocks: list[PersonalBlock] = []
        self.checks: list = []
        self.template = None
        self.processor_keys: set[str] | None = None
        # Counted from before the render reads anything: a page never outlives, by the time its
        # render took, a change made just after it began (see FRESH_COOKIE).
        self.expires = time.monotonic() + settings.VIDEO_SHARE_SHARED_PAGE_SECONDS

    def leave_out(self, node: PersonalNode, context) -> str:
        """The placeholder of this block in the page."""
        if self.template is None:
            self.template = context.template
            engine = context.template.engine
            self.processor_keys = {
                key
                for processor in engine.template_context_processors
                for key in processor(self.request)
            }
        block_context = {
            key: value for key, value in context.flatten().items() if key not in self.processor_keys
        }
        visitor_html = None
        if node.part in _same_as_visitors:
            self.request.shared_render = None  # whole: what it holds is copied as it is
            try:
                visitor_html = node.render_for(self.request, context).encode()
            finally:
                self.request.shared_render = self
        self.blocks.append(PersonalBlock(node, block_context, visitor_html))
        return mark_safe(f"{self.marker}{len(self.blocks) - 1}\x00")  # noqa: S308 - our marker


class NotShared:
    """A page that came out different from a visitor's (an error, a redirect): everyone gets
    it rendered for themselves for a while, without trying again first."""

    __slots__ = ("expires",)

    def __init__(self, expires: float):
        self.expires = expires


class Page:
    __slots__ = (
        "expires", "status", "headers", "template", "blocks", "checks", "segments",
        "visitor_content",
    )  # fmt: skip

    def __init__(self, response: HttpResponse, shared_render: SharedRender):
        """`response` rendered with CSRF_PLACEHOLDER as its CSRF token."""
        self.expires = shared_render.expires
        self.status = response.status_code
        self.headers = list(response.items())
        self.template, self.checks = shared_render.template, shared_render.checks
        self.blocks = shared_render.blocks
        # The page around its personal blocks.
        pattern = re.escape(shared_render.marker.encode()) + rb"\d+\x00"
        self.segments = re.split(pattern, response.content)
        self.visitor_content: bytes | None = None  # as visitors get it, once one has asked

    def _filled(self, request, *, signed_in: bool) -> bytes:
        """The page with its personal blocks rendered for `request`, CSRF_PLACEHOLDER for
        their CSRF token."""
        context = RequestContext(request)
        pieces = [self.segments[0]]
        with context.bind_template(self.template) if self.blocks else contextlib.nullcontext():
            for block, segment in zip(self.blocks, self.segments[1:], strict=True):
                pieces += [_block_html(block, request, context, signed_in=signed_in), segment]
        return b"".join(pieces)

    def _response(self, request, content: bytes) -> HttpResponse:
        if _CSRF_PLACEHOLDER in content:
            content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        # The same address answers others differently.
        patch_vary_headers(response, ("Cookie",))
        return response

    def visitor_response(self, request) -> HttpResponse:
        """The page as every visitor who is not signed in gets it."""
        if self.visitor_content is None:
            # Its personal blocks rendered for a visitor, once.
            self.visitor_content = self._filled(request, signed_in=False)
        return self._response(request, self.visitor_content)

    def serves(self, request) -> bool:
        """Whether this signed-in person may be given this page with their parts filled in."""
        user = request.user
        return (
            user.is_authenticated
            and not user.is_staff
            and not any(check(request) for check in self.checks)
        )

    def serve(self, request) -> HttpResponse | None:
        """This request's page, or None when it is to be rendered for this person alone."""
        if not _signed_in(request):
            return self.visitor_response(request)
        if getattr(request, "shared_page_refused", False) or not self.serves(request):
            request.shared_page_refused = True
            return None
        return self._response(request, self._filled(request, signed_in=True))


def _block_html(block: PersonalBlock, request, context, *, signed_in: bool) -> bytes:
    node = block.node
    if block.visitor_html is not None and (
        not signed_in or _same_as_visitors[node.part](request, block.context)
    ):
        return block.visitor_html
    with context.push(block.context, csrf_token=CSRF_PLACEHOLDER):
        if signed_in and node.part in _cache_keys:
            return part_cache.render(node, request, context)
        return node.render_for(request, context).encode()


class PartCache:
    """Personal parts rendered for someone, cached for when they show the same again (see
    personal_part's `cache_key`), CSRF_PLACEHOLDER for their CSRF token: the most recently
    used MAX_CACHED_PARTS of this process."""

    def __init__(self):
        self.parts: OrderedDict[tuple, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def render(self, node: PersonalNode, request, context) -> bytes:
        key = (node.part, get_language(), _cache_keys[node.part](request, context))
        with self.lock:
            html = self.parts.get(key)
            if html is not None:
                self.parts.move_to_end(key)
        if html is None:
            html = node.render_for(request, context).encode()
            with self.lock:
                self.parts[key] = html
                while len(self.parts) > MAX_CACHED_PARTS:
                    self.parts.popitem(last=False)
        return html

    def clear(self):
        with self.lock:
            self.parts.clear()


part_cache = PartCache()
MAX_CACHED_PARTS = 2000


class PageCache:
    """The shared pages of this process, the most recently used MAX_PAGES of them, and the
    renders under way (a crowd arriving at once waits for one render, not one each)."""

    def __init__(self):
        self.pages: OrderedDict[tuple, Page | NotShared] = OrderedDict()
        self.rendering: dict[tuple, threading.Event] = {}
        self.lock = threading.Lock()

    def get(self, key) -> Page | NotShared | None:
        with self.lock:
            page = self.pages.get(key)
            if page is None or page.expires < time.monotonic():
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key, page: Page | NotShared):
        now = time.monotonic()
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            # The least recently used go first: past MAX_PAGES, or once they have expired
            # (a page with its personal blocks may hold a few hundred kilobytes).
            while self.pages and (
                len(self.pages) > MAX_PAGES or next(iter(self.pages.values())).expires < now
            ):
                self.pages.popitem(last=False)

    def wait_for_render(self, key) -> "Page | NotShared | None":
        """The page of a render under way in another thread, once it is kept; None when there
        is none (or it ends without a page, or takes longer than WAIT_SECONDS)."""
        with self.lock:
            rendering = self.rendering.get(key)
        if rendering is not None:
            rendering.wait(WAIT_SECONDS)
        # Read again even without a render under way: one may have ended just before.
        return self.get(key)

    def start_render(self, key) -> threading.Event | None:
        """Registers this thread's render of the page, that others wait for; None when another
        thread's is already under way (this one renders all the same, without being waited
        for)."""
        with self.lock:
            if key in self.rendering:
                return None
            rendering = self.rendering[key] = threading.Event()
            return rendering

    def end_render(self, key, rendering: threading.Event):
        with self.lock:
            if self.rendering.get(key) is rendering:
                del self.rendering[key]
        rendering.set()

    def clear(self):
        with self.lock:
            self.pages.clear()
        part_cache.clear()


pages = PageCache()
# How long a request waits for another's render of the same page before rendering its own.
WAIT_SECONDS = 5


def _signed_in(request) -> bool:
    """Whether the request may be someone's: it has a session (its user is read only if so)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _key(request) -> tuple | None:
    """The page's key, or None when this request must be rendered for itself."""
    if request.method != "GET":
        return None
    if not settings.VIDEO_SHARE_SHARED_PAGE_SECONDS:
        return None
    cookies = request.COOKIES
    if "messages" in cookies or FRESH_COOKIE in cookies:
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
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (session is not None and session.modified)
        and not getattr(get_messages(request), "added_new", False)
        and not (user is not None and user.is_authenticated)
    )


CSRF_PLACEHOLDER_PROCESSOR = "video_share.context_processors.shared_page_csrf_token"


def _check_settings() -> None:
    """Shared pages are rendered with a placeholder for the CSRF token: without the context
    processor that gives it, the token of whoever renders a page would be served to others."""
    processors = [
        processor
        for engine in settings.TEMPLATES
        for processor in engine.get("OPTIONS", {}).get("context_processors", [])
    ]
    if settings.VIDEO_SHARE_SHARED_PAGE_SECONDS and CSRF_PLACEHOLDER_PROCESSOR not in processors:
        raise ImproperlyConfigured(
            f"{CSRF_PLACEHOLDER_PROCESSOR} is missing from the context processors of "
            "TEMPLATES: shared pages need it."
        )


class SharedPageMiddleware:
    """Serves and keeps shared pages (see the module). Goes last in MIDDLEWARE: what it keeps
    is the view's own response; the middleware above adds headers and cookies to every copy."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        _check_settings()

    def process_view(self, request, view, args, kwargs):
        if getattr(view, "shared_pages_unchanged", False):
            request.shared_pages_unchanged = True
        if not getattr(view, "shared_page", False) or hasattr(request, "shared_page_refused"):
            return None
        key = _key(request)
        if key is None:
            return None
        # A crowd arriving at once (a link shared outside the site) waits for one render.
        page = pages.get(key)
        if page is None:
            page = pages.wait_for_render(key)
        if isinstance(page, NotShared):
            return None
        if page is not None:
            return page.serve(request)
        request.shared_page_rendering = (key, pages.start_render(key))
        # This request renders the page for everyone: as a visitor who is not signed in (its
        # own user is set aside until the page is kept), with CSRF_PLACEHOLDER for its CSRF
        # token (see context_processors.shared_page_csrf_token).
        request.shared_page_key = key
        request.shared_render = SharedRender(request)
        if _signed_in(request):
            request.shared_page_person = request.user  # not read: it stays lazy
            request.user = AnonymousUser()
        return None

    def __call__(self, request):
        try:
            response = self.get_response(request)
            if hasattr(request, "shared_page_key"):
                response = self.keep(request, response)
        finally:
            # Whoever waits for this render is let go before this person's own render below.
            key, rendering = request.__dict__.pop("shared_page_rendering", (None, None))
            if rendering is not None:
                pages.end_render(key, rendering)
        if response is None:  # this person gets the page rendered for themselves
            response = self.get_response(request)
        return _mark_fresh(request, response)

    def keep(self, request, response) -> HttpResponse | None:
        """Keep the page just rendered for everyone, and answer this request with it; None
        when the person asking is to get the page rendered for themselves instead."""
        key = request.__dict__.pop("shared_page_key")
        shared_render = request.__dict__.pop("shared_render")
        shareable = _shareable(request, response)
        person = request.__dict__.pop("shared_page_person", None)
        if person is not None:
            request.user = person
        if response.streaming:
            pages.put(key, NotShared(shared_render.expires))
            request.shared_page_refused = True
            return response if person is None else None
        page = Page(response, shared_render)
        pages.put(key, page if shareable else NotShared(shared_render.expires))
        if person is not None:
            if shareable:
                return page.serve(request)
            request.shared_page_refused = True  # the second pass renders, never shares
            return None
        # A visitor gets the page as the next one will (an error page too, not kept), with a
        # token of their own.
        answer = page.visitor_response(request)
        answer.cookies = response.cookies
        return answer


def _mark_fresh(request, response):
    """Whoever changed something gets pages rendered for themselves for as long as a shared
    page may lag, so that they see what they did."""
    seconds = settings.VIDEO_SHARE_SHARED_PAGE_SECONDS
    if (
        seconds
        and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        and not getattr(request, "shared_pages_unchanged", False)
    ):
        response.set_cookie(
            FRESH_COOKIE,
            "1",
            max_age=seconds,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
