"""The site's own settings and URLs, plus a hello view behind the same middleware: the price
of a trivial request through our stack, to compare opening a stream with (bench/sse.py), and
a small template page (bench/pages.py)."""

from video_project.settings import *  # noqa: F403

ROOT_URLCONF = "bench.app_hello_urls"
