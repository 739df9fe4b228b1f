import os

import pytest
from asgiref.sync import async_to_sync

from video_share.asgi_limits import BodySizeLimit, body_limit


class Recorder:
    def __init__(self):
        self.messages = []

    async def __call__(self, message):
        self.messages.append(message)

    @property
    def status(self):
        return next(m["status"] for m in self.messages if m["type"] == "http.response.start")

    @property
    def body(self):
        return b"".join(
            m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"
        )


def scope(headers=(), path="/upload/"):
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in headers],
        "query_string": b"",
    }


def chunks(total, size=1024 * 1024):
    sent = 0

    async def receive():
        nonlocal sent
        if sent >= total:
            return {"type": "http.disconnect"}
        sent += size
        return {"type": "http.request", "body": b"x" * size, "more_body": sent < total}

    return receive


def test_a_declared_oversized_body_gets_413_before_the_app_runs(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 1
    called = []

    async def app(scope, receive, send):
        called.append(True)

    send = Recorder()
    length = str(body_limit() + 1)
    async_to_sync(BodySizeLimit(app))(scope([("content-length", length)]), chunks(0), send)
    assert called == []
    assert send.status == 413
    assert b"File too large" in send.body


def test_the_413_page_speaks_the_users_language(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 1
    send = Recorder()
    headers = [("content-length", str(body_limit() + 1)), ("cookie", "django_language=ar")]
    async_to_sync(BodySizeLimit(None))(scope(headers), chunks(0), send)
    assert 'lang="ar" dir="rtl"' in send.body.decode()


@pytest.mark.django_db
def test_a_streamed_body_is_cut_off_at_the_limit_and_nothing_stays_on_disk(settings):
    from video_project.asgi import pages

    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 2
    send = Recorder()
    headers = [("content-type", "multipart/form-data; boundary=x")]
    async_to_sync(BodySizeLimit(pages))(scope(headers), chunks(50 * 1024 * 1024), send)
    assert send.status == 413
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_a_body_under_the_limit_passes_through(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 4

    async def app(scope, receive, send):
        total = 0
        while True:
            message = await receive()
            total += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(total).encode()})

    send = Recorder()
    async_to_sync(BodySizeLimit(app))(scope(), chunks(3 * 1024 * 1024), send)
    assert (send.status, send.body) == (200, str(3 * 1024 * 1024).encode())
