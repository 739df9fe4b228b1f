"""WSGI entry point, for page traffic on a WSGI server; event streams need asgi.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

from video_share.asgi_limits import WSGIBodySizeLimit  # noqa: E402

# Large bodies only for the upload view, as under ASGI (video_share.asgi_limits).
application = WSGIBodySizeLimit(get_wsgi_application())
