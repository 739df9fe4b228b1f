"""The ASGI application that uvicorn serves: `uvicorn video_project.asgi:application`.

- Pages and forms: Django's WSGI handler with its middleware as it is, run on a pool of
  VIDEO_SHARE_PAGE_THREADS threads (video_share.wsgi_pool). Uploads (bodies too big to keep
  in memory) are streamed into a pool of their own by a2wsgi, so that minutes of receiving a
  file never hold up the pages.
- Event streams (everything under /events/) and media files (/media/): async views, served
  on the event loop without holding a thread (video_share.async_handler).
- While the server runs (the ASGI lifespan), the task worker and its watchdog run in threads
  of this process, unless VIDEO_SHARE_IN_PROCESS_WORKER is false (workers of their own:
  `manage.py worker`); behind Pushpin, in the process given VIDEO_SHARE_PUSHPIN_STATS, the
  thread that counts who is watching from Pushpin's statistics (video_share.presence). It
  does not start on a database not migrated or static files not collected (`manage.py
  prepare`; video_share.readiness).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

wsgi = get_wsgi_application()

from a2wsgi import WSGIMiddleware  # noqa: E402
from django.conf import settings  # noqa: E402

from video_share import db_pool, readiness  # noqa: E402
from video_share.async_handler import AsyncViewHandler  # noqa: E402
from video_share.body_limits import BodySizeLimit, NoBody, large_body  # noqa: E402
from video_share.presence import count_from_pushpin  # noqa: E402
from video_share.urls import STREAMS_PREFIX  # noqa: E402
from video_share.worker import run_in_background  # noqa: E402
from video_share.wsgi_pool import WSGIPool  # noqa: E402

async_views = NoBody(AsyncViewHandler())
pages = WSGIPool(BodySizeLimit(wsgi), threads=settings.VIDEO_SHARE_PAGE_THREADS)
uploads = WSGIMiddleware(BodySizeLimit(wsgi), workers=settings.VIDEO_SHARE_UPLOADS_AT_ONCE)
ASYNC_PREFIXES = (f"/{STREAMS_PREFIX}", settings.MEDIA_URL)


def make_application(*, worker: bool):
    """The site; `worker`: whether the task worker runs in this process while it serves."""

    async def application(scope, receive, send):
        if scope["type"] == "http":
            if scope["path"].startswith(ASYNC_PREFIXES):
                return await async_views(scope, receive, send)
            if large_body(scope):
                return await uploads(scope, receive, send)
        elif scope["type"] == "lifespan":
            return await lifespan(receive, send)
        await pages(scope, receive, send)

    async def lifespan(receive, send):
        await receive()  # lifespan.startup
        if problems := await db_pool.run(readiness.missing):
            message = readiness.explain(problems)
            return await send({"type": "lifespan.startup.failed", "message": message})
        stop = run_in_background(worker=worker)
        if address := settings.VIDEO_SHARE_PUSHPIN_STATS:
            stop_counting = count_from_pushpin(address)
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        stop()
        if address:
            stop_counting()
        await send({"type": "lifespan.shutdown.complete"})

    return application


application = make_application(worker=settings.VIDEO_SHARE_IN_PROCESS_WORKER)
