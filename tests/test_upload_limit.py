import asyncio
import io
import os

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from video_share.asgi_limits import BodySizeLimit, body_limit

from .factories import make_user

MB = 1024 * 1024


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
        "http_version": "1.1",
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


@pytest.mark.django_db
def test_a_declared_oversized_upload_gets_413_before_the_app_runs(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 1
    called = []

    async def app(scope, receive, send):
        called.append(True)

    send = Recorder()
    headers = [signed_in(), ("content-length", str(body_limit() + 1))]
    async_to_sync(BodySizeLimit(app))(scope(headers), chunks(0), send)
    assert called == []
    assert send.status == 413
    assert b"File too large" in send.body
    assert b"1.0\xc2\xa0MB" in send.body


def test_the_413_page_speaks_the_users_language(settings):
    send = Recorder()
    headers = [("content-length", str(25 * MB)), ("cookie", "django_language=ar")]
    async_to_sync(BodySizeLimit(None))(scope(headers, path="/login/"), chunks(0), send)
    assert 'lang="ar" dir="rtl"' in send.body.decode()


@pytest.mark.django_db
def test_a_chunked_body_is_refused_unread_and_nothing_stays_on_disk(settings):
    from video_project.asgi import pages

    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 2
    send = Recorder()
    headers = [
        signed_in(),
        ("content-type", "multipart/form-data; boundary=x"),
        ("transfer-encoding", "chunked"),
    ]
    received = chunks(50 * 1024 * 1024)
    async_to_sync(pages)(scope(headers), received, send)
    # Django's handler reads a body of declared length only: a chunked one is refused.
    assert send.status == 411
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


@pytest.mark.django_db
def test_a_declared_oversized_upload_through_the_site_is_refused_unread(settings):
    from video_project.asgi import application

    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 2
    send = Recorder()
    headers = [
        signed_in(),
        ("content-type", "multipart/form-data; boundary=x"),
        ("content-length", str(50 * MB)),
    ]
    async_to_sync(application)(scope(headers), chunks(50 * MB), send)
    assert send.status == 413
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


async def reading_app(scope, receive, send):
    """Reads the whole body and answers how many bytes it got."""
    total = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        total += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(total).encode()})


def signed_in(username="uploader") -> tuple[str, str]:
    client = Client()
    client.force_login(make_user(username))
    return ("cookie", f"sessionid={client.cookies['sessionid'].value}")


def upload_path():
    return reverse("upload")


@pytest.mark.django_db
def test_a_signed_in_users_upload_under_the_limit_passes_through(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 4
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    send = Recorder()
    request = scope([signed_in(), ("content-length", str(3 * MB))], path=upload_path())
    async_to_sync(BodySizeLimit(reading_app))(request, chunks(3 * MB), send)
    assert (send.status, send.body) == (200, str(3 * MB).encode())


@pytest.mark.django_db
def test_an_anonymous_large_body_to_the_login_page_is_refused_before_a_byte_is_read(settings):
    called = []

    async def app(scope, receive, send):
        called.append(True)

    send = Recorder()
    headers = [("content-length", str(25 * MB)), ("content-type", "multipart/form-data; b=x")]
    async_to_sync(BodySizeLimit(app))(scope(headers, path=reverse("login")), chunks(0), send)
    assert called == []
    assert send.status == 413


@pytest.mark.django_db
def test_a_large_body_to_another_page_is_refused_at_the_small_limit(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 2
    send = Recorder()
    request = scope([signed_in(), ("content-length", str(50 * MB))], path=reverse("login"))
    async_to_sync(BodySizeLimit(reading_app))(request, chunks(50 * MB), send)
    assert send.status == 413
    assert b"2.0\xc2\xa0MB" in send.body


@pytest.mark.django_db
def test_a_large_upload_without_a_signed_in_session_is_refused_before_it_is_read(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    called = []

    async def app(scope, receive, send):
        called.append(True)

    for cookie in [(), [("cookie", "sessionid=made-up")]]:
        send = Recorder()
        headers = [*cookie, ("content-length", str(3 * MB))]
        async_to_sync(BodySizeLimit(app))(scope(headers, path=upload_path()), chunks(0), send)
        assert called == []
        assert send.status == 403
        assert b"Sign in to upload videos" in send.body


@pytest.mark.django_db
def test_a_picture_form_has_a_limit_of_its_own(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    settings.VIDEO_SHARE_MAX_AVATAR_MB = 3
    path = reverse("profile_edit")
    send = Recorder()
    request = scope([("content-length", str(3 * MB))], path=path)
    async_to_sync(BodySizeLimit(reading_app))(request, chunks(3 * MB), send)
    assert send.status == 200
    send = Recorder()
    request = scope([("content-length", str(5 * MB))], path=path)
    async_to_sync(BodySizeLimit(reading_app))(request, chunks(5 * MB), send)
    assert send.status == 413


def uploads_at_once(settings, users: list[tuple[str, str]]) -> list[Recorder]:
    """Starts one large upload per entry, all under way together; their answers in order."""

    async def run():
        release = asyncio.Event()
        started = []

        async def app(scope, receive, send):
            started.append(True)
            await release.wait()
            await reading_app(scope, receive, send)

        guard = BodySizeLimit(app)
        sends = [Recorder() for _ in users]
        tasks = []
        for cookie, send in zip(users, sends, strict=True):
            headers = [cookie, ("content-length", str(2 * MB))]
            before = len(started)
            request = guard(scope(headers, path=upload_path()), chunks(2 * MB), send)
            tasks.append(asyncio.ensure_future(request))
            # Each upload starts (or is refused) before the next one comes.
            while len(started) == before and not send.messages:
                await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*tasks)
        return sends

    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    return async_to_sync(run)()


@pytest.mark.django_db
def test_a_user_may_send_only_so_many_large_uploads_at_once(settings):
    settings.VIDEO_SHARE_UPLOADS_PER_USER = 2
    alice, bob = signed_in("alice"), signed_in("bob")
    sends = uploads_at_once(settings, [alice, alice, alice, bob])
    assert [send.status for send in sends] == [200, 200, 429, 200]
    assert b"You are already sending 2 videos" in sends[2].body
    # Finished uploads free their places.
    assert [send.status for send in uploads_at_once(settings, [alice, alice])] == [200, 200]


@pytest.mark.django_db
def test_only_so_many_large_uploads_run_at_once_in_all(settings):
    settings.VIDEO_SHARE_UPLOADS_AT_ONCE = 2
    people = [signed_in(name) for name in ("ann", "ben", "cid")]
    sends = uploads_at_once(settings, people)
    assert [send.status for send in sends] == [200, 200, 503]
    assert b"Try again in a few minutes" in sends[2].body


@pytest.mark.django_db
def test_a_refused_upload_says_why_in_the_users_language(settings):
    settings.VIDEO_SHARE_UPLOADS_PER_USER = 1
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    cookie = signed_in()
    arabic = ("cookie", cookie[1] + "; django_language=ar")
    first, second = uploads_at_once(settings, [cookie, arabic])
    assert (first.status, second.status) == (200, 429)
    assert 'lang="ar" dir="rtl"' in second.body.decode()


def wsgi_request(path, length):
    from video_project.wsgi import application

    started = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }
    body = b"".join(application(environ, lambda status, headers: started.append(status)))
    return int(started[0].split()[0]), body


@pytest.mark.django_db
def test_under_wsgi_a_large_body_outside_the_upload_view_is_refused(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 2
    assert wsgi_request(reverse("login"), 25 * MB)[0] == 413
    assert wsgi_request(reverse("upload"), 25 * MB)[0] != 413


def test_the_413_page_states_the_limit_in_decimal_units():
    from video_share.asgi_limits import Limit, Refusal, render_refusal

    body = render_refusal(Refusal.TOO_LARGE, {}, "/upload/", Limit(95_000_000, 94_000_000))
    assert "Uploads can be at most 94.0\xa0MB." in body.decode()
