"""WSGI entry point, for page traffic on a WSGI server; event streams need asgi.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

from django.conf import settings  # noqa: E402
from werkzeug.middleware.proxy_fix import ProxyFix  # noqa: E402

from video_share.body_limits import BodySizeLimit  # noqa: E402

# Large bodies only for a signed-in user's upload (video_share.body_limits).
application = BodySizeLimit(get_wsgi_application())
if settings.VIDEO_SHARE_WSGI_PROXIES:
    # The client's address, from the X-Forwarded-For that many proxies appended (a WSGI server
    # such as gunicorn leaves the proxy's own address): the limits counted per address
    # (log-in failures, sign-ups) would otherwise count everyone as one.
    application = ProxyFix(application, x_for=settings.VIDEO_SHARE_WSGI_PROXIES)

from video_share.readiness import require_ready  # noqa: E402

# A database not migrated, or static files not collected: say so now rather than fail on
# every request (`manage.py prepare`).
require_ready()
