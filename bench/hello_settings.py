"""Django's ASGI ceiling for bench/pages.py: the same settings, a hello view, no middleware."""

from video_project.settings import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "bench.hello_urls"
