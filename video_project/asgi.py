"""The ASGI application that uvicorn serves: pages, htmx fragments and SSE streams."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

django_application = get_asgi_application()

from video_share.asgi_limits import BodySizeLimit  # noqa: E402  (needs Django set up)
from video_share.sse import StreamHandler, StreamRouter  # noqa: E402

# Event streams hold no thread while they wait (video_share.sse).
application = BodySizeLimit(StreamRouter(django_application, StreamHandler()))
