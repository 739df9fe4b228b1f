"""The ASGI application that uvicorn serves: pages, htmx fragments and SSE streams."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

import django  # noqa: E402

django.setup(set_prefix=False)


from video_share.asgi_limits import BodySizeLimit  # noqa: E402  (needs Django set up)
from video_share.db_threads import PageHandler  # noqa: E402
from video_share.sse import StreamHandler, StreamRouter  # noqa: E402

# Pages and streams do their database work on a fixed set of threads (video_share.db_threads);
# event streams hold no thread while they wait, and take no request body (video_share.sse).
pages = PageHandler()
application = StreamRouter(BodySizeLimit(pages), StreamHandler())
