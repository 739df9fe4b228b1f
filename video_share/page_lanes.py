"""Page requests under ASGI on a fixed set of threads.

Django's ASGI handler gives every request a thread of its own (a ThreadSensitiveContext):
the request's synchronous work — its view, the request signals, any middleware hook that does
I/O — runs in a thread started for that request and stopped after it, with a new database
connection each time. Here each request is given one of VIDEO_SHARE_PAGE_THREADS long-lived
threads instead (the one with the fewest requests in hand), so a page's database work is one
hop to a thread that already has its connection, and a process holds at most that many
connections for pages. A request's synchronous calls all run on its one thread, in order, as
Django expects.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from django.core.handlers.asgi import ASGIHandler


class Lane:
    """Stands where a ThreadSensitiveContext would: asgiref maps it to its one thread."""

    __slots__ = ("busy", "__weakref__")
    _exited = False  # a lane never closes

    def __init__(self):
        self.busy = 0


class PageHandler(ASGIHandler):
    def __init__(self, threads: int):
        super().__init__()
        self.lanes = [Lane() for _ in range(threads)]
        for lane in self.lanes:
            SyncToAsync.context_to_thread_executor[lane] = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="page"
            )

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        lane = min(self.lanes, key=lambda lane: lane.busy)
        lane.busy += 1
        token = SyncToAsync.thread_sensitive_context.set(lane)
        try:
            await self.handle(scope, receive, send)
        finally:
            SyncToAsync.thread_sensitive_context.reset(token)
            lane.busy -= 1
