import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_dirs(settings, tmp_path):
    # Each test gets empty media and upload-spool folders, so "nothing left behind" is checkable.
    media_root = tmp_path / "media"
    spool = tmp_path / "tmp"
    spool.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media_root, "base_url": "/media/"},
        },
    }
    settings.MEDIA_ROOT = media_root
    settings.VIDEO_SHARE_S3_BUCKET = ""  # whatever the environment says (tests/s3.py sets one)
    settings.FILE_UPLOAD_TEMP_DIR = spool


@pytest.fixture(autouse=True)
def _forget_media_access():
    from video_share import media_access

    media_access._entries.clear()


@pytest.fixture
def published(monkeypatch):
    """Every live event sent, as (channel, event type, html)."""
    sent = []
    monkeypatch.setattr(
        "video_share.events.send_event",
        lambda channel, kind, data, json_encode=True: sent.append((channel, kind, data)),
    )
    return sent


@pytest.fixture
def owner(db):
    """A channel owner (test modules may define their own)."""
    from .factories import make_user

    return make_user("owner")


@pytest.fixture
def video(owner):
    """A ready, public video of `owner`."""
    from .factories import make_video

    return make_video(owner, title="A talk")


# A real S3 API (moto's server) for the object-storage tests: fixtures `moto_endpoint`, `s3`.
from .s3 import moto_endpoint, s3  # noqa: E402, F401
