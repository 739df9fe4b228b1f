"""WSGI entry point, for page traffic on a WSGI server; event streams need asgi.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

from video_share.body_limits import BodySizeLimit  # noqa: E402

# Large bodies only for a signed-in user's upload (video_share.body_limits).
application = BodySizeLimit(get_wsgi_application())
