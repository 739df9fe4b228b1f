"""Settings for the unit tests: the real ones, plus speed-ups that only tests may have."""

import os
import tempfile

# Tests never touch the developer's ./var.
os.environ["VIDEO_SHARE_DATA_DIR"] = tempfile.mkdtemp(prefix="video-share-tests-")

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Stream reads run in the test's own thread, so that they see the test's transaction.
VIDEO_SHARE_DB_THREADS = 0
# Every request rendered, unless a test asks for shared pages.
VIDEO_SHARE_SHARED_PAGE_SECONDS = 0
# Tests render pages without collecting static files first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
