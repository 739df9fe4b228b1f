"""The threads that do the database work of async code: open event streams and media
permission checks.

An open stream is a coroutine waiting on the event loop. What it must read — its reader's
session and permissions, the stored events it missed — runs on one of VIDEO_SHARE_DB_THREADS
long-lived threads, each keeping its database connection (DATABASE_CONN_MAX_AGE), so that
the process holds that many connections for them however many streams are open. Django's
own way, a thread started for each request, would keep a thread and a connection for as long
as each reader stays.

VIDEO_SHARE_DB_THREADS = 0 runs the work in Django's usual thread instead (the tests: their
database transaction is the test thread's).
"""

import functools
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import close_old_connections

_pool: ThreadPoolExecutor | None = None


def pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=settings.VIDEO_SHARE_DB_THREADS, thread_name_prefix="db-pool"
        )
    return _pool


async def run(function, *args, **kwargs):
    """`function(*args, **kwargs)` on the pool, awaited."""
    if not settings.VIDEO_SHARE_DB_THREADS:
        return await sync_to_async(function)(*args, **kwargs)
    read = sync_to_async(
        _closing_old_connections(function), thread_sensitive=False, executor=pool()
    )
    return await read(*args, **kwargs)


async def run_soon(function, *args, **kwargs):
    """`run`, but first tried right here on the event loop: when everything it needs is in
    memory (an anonymous reader, a video's permission cached, a channel's current event id
    known) it then costs no trip to a thread. Django refuses database access on the event
    loop before any query runs, and what was started is then done again on the pool: only
    for functions that merely read."""
    try:
        return function(*args, **kwargs)
    except SynchronousOnlyOperation:
        return await run(function, *args, **kwargs)


def _closing_old_connections(function):
    """What Django's request signals do around a request: a connection that broke or grew
    old is dropped (and opened again by the next read)."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            close_old_connections()

    return run
