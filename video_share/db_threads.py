"""The threads that do the database work of the uvicorn process: pages and event streams.

Django's ASGI handler gives every request a thread of its own (a ThreadSensitiveContext): the
request's synchronous work — its view, the request signals, any middleware hook that does
I/O — runs in a thread started for that request and stopped after it, with a new database
connection each time. Here there are VIDEO_SHARE_DB_THREADS long-lived threads ("lanes"),
each keeping its connection (DATABASE_CONN_MAX_AGE): a page request is given the lane with
the least in hand, and all its synchronous calls run there, in order, as Django expects; an
event stream's reads (its session, permissions, stored events) go to a lane one at a time.
The process then holds at most that many connections for pages and streams, however many
requests and streams there are. Uploads are the exception: a request whose body is too big to
keep in memory gets a thread (and connection) of its own, as in Django, for as long as it
takes. Only a signed-in user's upload and the picture forms may send such a body, and uploads
only so many at once (video_share.asgi_limits).

VIDEO_SHARE_DB_THREADS = 0 keeps Django's own behaviour (the tests: their database
transaction is the test thread's).
"""

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync, ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import connections

LANE_THREAD_PREFIX = "db-lane"


class Lane:
    """One thread; stands where a ThreadSensitiveContext would, asgiref mapping it to that
    thread."""

    __slots__ = ("busy", "executor", "__weakref__")
    _exited = False  # a lane never closes

    def __init__(self):
        self.busy = 0
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=LANE_THREAD_PREFIX)
        SyncToAsync.context_to_thread_executor[self] = self.executor


_lanes: list[Lane] = []


def lanes() -> list[Lane]:
    if not _lanes:
        _lanes.extend(Lane() for _ in range(settings.VIDEO_SHARE_DB_THREADS))
    return _lanes


def _least_busy() -> Lane:
    return min(lanes(), key=lambda lane: lane.busy)


async def run(function, *args, **kwargs):
    """Blocking work outside a page request (an event stream's reads) on a lane — never the
    lane of the request this is called under, which may be waiting for it."""
    if not settings.VIDEO_SHARE_DB_THREADS:
        return await sync_to_async(function)(*args, **kwargs)
    current = SyncToAsync.thread_sensitive_context.get(None)
    lane = min(
        (lane for lane in lanes() if lane is not current), key=lambda lane: lane.busy, default=None
    )
    if lane is None:
        return await sync_to_async(_tidy_after(function), thread_sensitive=False)(*args, **kwargs)
    lane.busy += 1
    try:
        work = sync_to_async(_tidy_after(function), thread_sensitive=False, executor=lane.executor)
        return await work(*args, **kwargs)
    finally:
        lane.busy -= 1


def _tidy_after(function):
    """What the request signals do for a page: drop a connection that broke or grew old."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()

    return run


def error_page(view):
    """Under ASGI, Django renders error pages (404, 500: they show who is signed in) in a
    thread of the event loop's default pool, where no request signal ever looks at the
    database connection they open: close it after each page, so that connections stay those
    of the lanes. (Under WSGI the page is rendered in the request's thread: left to the
    request signals.)"""

    @functools.wraps(view)
    def render(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        finally:
            if (
                settings.VIDEO_SHARE_DB_THREADS
                and getattr(SyncToAsync.threadlocal, "main_event_loop", None) is not None
                and not threading.current_thread().name.startswith(LANE_THREAD_PREFIX)
            ):
                connections.close_all()

    return render


def _large_body(scope) -> bool:
    """An upload: its form is parsed, and its file copied, in the request's thread."""
    headers = dict(scope.get("headers", ()))
    if b"transfer-encoding" in headers:
        return True
    length = headers.get(b"content-length", b"0")
    return not length.isdigit() or int(length) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE


class PageHandler(ASGIHandler):
    """Page requests on the lanes; uploads (bodies too big to keep in memory) on a thread of
    their own, as Django does, so that minutes of copying never hold up a lane."""

    async def __call__(self, scope, receive, send):
        if not settings.VIDEO_SHARE_DB_THREADS:
            return await super().__call__(scope, receive, send)
        if scope["type"] == "http" and _large_body(scope):
            async with ThreadSensitiveContext():
                try:
                    await self.handle(scope, receive, send)
                finally:
                    # The thread ends with the request: so does its connection.
                    await sync_to_async(connections.close_all)()
            return
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        lane = _least_busy()
        lane.busy += 1
        token = SyncToAsync.thread_sensitive_context.set(lane)
        try:
            await self.handle(scope, receive, send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)
            lane.busy -= 1
