"""WSGI entry point, for page traffic on a WSGI server; event streams need asgi.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

from video_share.body_limits import BodySizeLimit  # noqa: E402

# Large bodies only for a signed-in user's upload (video_share.body_limits).
application = BodySizeLimit(get_wsgi_application())

from video_share.readiness import require_ready  # noqa: E402

# A database not migrated, or static files not collected: say so now rather than fail on
# every request (`manage.py prepare`).
require_ready()
