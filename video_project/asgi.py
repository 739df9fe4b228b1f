"""The ASGI application that uvicorn serves: pages, htmx fragments and SSE streams."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

django_application = get_asgi_application()

from video_share.asgi_limits import BodySizeLimit  # noqa: E402  (needs Django set up)

application = BodySizeLimit(django_application)
