"""WSGI entry point, for page traffic on a WSGI server; event streams need asgi.py."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")

application = get_wsgi_application()
