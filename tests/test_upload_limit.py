import io
import os
import threading

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from video_share.body_limits import BodySizeLimit, body_limit

from .factories import make_user

MB = 1024 * 1024


class Answer:
    """What a WSGI application answered: status and body."""

    def __init__(self, app, path="/upload/", headers=(), length=0, method="POST"):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.input": io.BytesIO(b"x" * length),
            "wsgi.url_scheme": "http",
        }
        if length:
            environ["CONTENT_LENGTH"] = str(length)
        for name, value in headers:
            environ[f"HTTP_{name.upper().replace('-', '_')}"] = value
        environ["CONTENT_LENGTH"] = environ.pop(
            "HTTP_CONTENT_LENGTH", environ.get("CONTENT_LENGTH", "")
        )
        started = []
        self.body = b"".join(app(environ, lambda status, headers: started.append(status)))
        self.status = int(started[0].split()[0])


def reading_app(environ, start_response):
    """Reads the whole body and answers how many bytes it got."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    total = len(environ["wsgi.input"].read(length))
    start_response("200 OK", [])
    return [str(total).encode()]


def not_called(environ, start_response):
    raise AssertionError("the application was called")


@pytest.mark.django_db
def test_a_declared_oversized_upload_gets_413_before_the_app_runs(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 1
    headers = [signed_in(), ("content-length", str(body_limit() + 1))]
    answer = Answer(BodySizeLimit(not_called), headers=headers)
    assert answer.status == 413
    assert b"File too large" in answer.body
    assert b"1.0\xc2\xa0MB" in answer.body


def test_the_413_page_speaks_the_users_language(settings):
    headers = [("content-length", str(25 * MB)), ("cookie", "django_language=ar")]
    answer = Answer(BodySizeLimit(not_called), path="/login/", headers=headers)
    assert 'lang="ar" dir="rtl"' in answer.body.decode()


@pytest.mark.django_db
def test_a_chunked_body_is_refused_unread_and_nothing_stays_on_disk(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 2
    headers = [
        signed_in(),
        ("content-type", "multipart/form-data; boundary=x"),
        ("transfer-encoding", "chunked"),
    ]
    status, received = through_the_site(headers, 50 * MB)
    # Django's handler reads a body of declared length only: a chunked one is refused.
    assert status == 411
    assert received == 0
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


# Through the site, the check runs in a thread of the upload pool: it reads committed rows.
@pytest.mark.django_db(transaction=True)
def test_a_declared_oversized_upload_through_the_site_is_refused_unread(settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 2
    headers = [
        signed_in(),
        ("content-type", "multipart/form-data; boundary=x"),
        ("content-length", str(50 * MB)),
    ]
    status, received = through_the_site(headers, 50 * MB)
    assert status == 413
    assert received == 0
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def through_the_site(headers, size) -> tuple[int, int]:
    """A POST to the upload page through the ASGI application, as uvicorn hands it over:
    (status, bytes of the body the application read)."""
    from video_project.asgi import application

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/upload/",
        "raw_path": b"/upload/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")] + [(k.encode(), v.encode()) for k, v in headers],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
    }
    received, sent = 0, []

    async def receive():
        nonlocal received
        received += MB
        return {"type": "http.request", "body": b"x" * MB, "more_body": received < size}

    async def send(message):
        sent.append(message)

    async_to_sync(application)(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), received


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
    guard = BodySizeLimit(reading_app)
    answer = Answer(guard, path=upload_path(), headers=[signed_in()], length=3 * MB)
    assert (answer.status, answer.body) == (200, str(3 * MB).encode())


@pytest.mark.django_db
def test_an_anonymous_large_body_to_the_login_page_is_refused_before_a_byte_is_read(settings):
    headers = [("content-length", str(25 * MB)), ("content-type", "multipart/form-data; b=x")]
    assert Answer(BodySizeLimit(not_called), path=reverse("login"), headers=headers).status == 413


@pytest.mark.django_db
def test_a_large_body_to_another_page_is_refused_at_the_small_limit(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 2
    headers = [signed_in(), ("content-length", str(50 * MB))]
    answer = Answer(BodySizeLimit(not_called), path=reverse("login"), headers=headers)
    assert answer.status == 413
    assert b"2.0\xc2\xa0MB" in answer.body


@pytest.mark.django_db
def test_a_large_upload_without_a_signed_in_session_is_refused_before_it_is_read(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    for cookie in [(), [("cookie", "sessionid=made-up")]]:
        headers = [*cookie, ("content-length", str(3 * MB))]
        answer = Answer(BodySizeLimit(not_called), path=upload_path(), headers=headers)
        assert answer.status == 403
        assert b"Sign in to upload videos" in answer.body


@pytest.mark.django_db
def test_a_picture_form_has_a_limit_of_its_own(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    settings.VIDEO_SHARE_MAX_AVATAR_MB = 3
    path = reverse("profile_edit")
    assert Answer(BodySizeLimit(reading_app), path=path, length=3 * MB).status == 200
    assert Answer(BodySizeLimit(not_called), path=path, length=5 * MB).status == 413


def uploads_at_once(settings, users: list[tuple[str, str]], path=None) -> list[Answer]:
    """Starts one large upload per entry (to `path`, by default the form's), each in a thread
    of its own as a server would, all under way together; their answers in order."""
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    release = threading.Event()
    started = []

    def app(environ, start_response):
        started.append(True)
        release.wait(10)
        return reading_app(environ, start_response)

    guard = BodySizeLimit(app)
    answers: list = [None] * len(users)
    threads = []
    for index, cookie in enumerate(users):

        def upload(index=index, cookie=cookie):
            answers[index] = Answer(
                guard, path=path or upload_path(), headers=[cookie], length=2 * MB
            )

        before = len(started)
        thread = threading.Thread(target=upload)
        thread.start()
        threads.append(thread)
        # Each upload starts (or is refused) before the next one comes.
        while len(started) == before and answers[index] is None:
            thread.join(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    return answers


@pytest.mark.django_db(transaction=True)
def test_a_user_may_send_only_so_many_large_uploads_at_once(settings):
    settings.VIDEO_SHARE_UPLOADS_PER_USER = 2
    alice, bob = signed_in("alice"), signed_in("bob")
    sends = uploads_at_once(settings, [alice, alice, alice, bob])
    assert [send.status for send in sends] == [200, 200, 429, 200]
    assert b"You are already sending 2 videos" in sends[2].body
    # Finished uploads free their places.
    assert [send.status for send in uploads_at_once(settings, [alice, alice])] == [200, 200]


@pytest.mark.django_db(transaction=True)
def test_only_so_many_large_uploads_run_at_once_in_all(settings):
    settings.VIDEO_SHARE_UPLOADS_AT_ONCE = 2
    people = [signed_in(name) for name in ("ann", "ben", "cid")]
    sends = uploads_at_once(settings, people)
    assert [send.status for send in sends] == [200, 200, 503]
    assert b"Try again in a few minutes" in sends[2].body


@pytest.mark.django_db(transaction=True)
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
def test_under_a_wsgi_server_the_same_limits_hold(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 2
    assert wsgi_request(reverse("login"), 25 * MB)[0] == 413
    # The upload page, for someone who is not signed in.
    status, body = wsgi_request(reverse("upload"), 25 * MB)
    assert status == 403
    assert b"Sign in to upload videos" in body


def test_the_413_page_states_the_limit_in_decimal_units():
    from video_share.body_limits import Limit, Refusal, render_refusal

    body = render_refusal(Refusal.TOO_LARGE, {}, "/upload/", Limit(95_000_000, 94_000_000))
    assert "Uploads can be at most 94.0\xa0MB." in body.decode()


@pytest.mark.django_db
def test_behind_a_proxy_a_wsgi_server_sees_each_clients_address(settings):
    """gunicorn leaves REMOTE_ADDR the proxy's: with VIDEO_SHARE_WSGI_PROXIES the address the
    proxy appended to X-Forwarded-For is the one log-in failures are counted against."""
    import importlib

    from axes.models import AccessAttempt

    import video_project.wsgi

    settings.VIDEO_SHARE_WSGI_PROXIES = 1
    application = importlib.reload(video_project.wsgi).application
    token = "t" * 32
    body = b"username=nobody&password=wrong"
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": reverse("login"),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.5",
        "HTTP_COOKIE": f"csrftoken={token}",
        "HTTP_X_CSRFTOKEN": token,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }
    try:
        b"".join(application(environ, lambda status, headers: None))
    finally:
        settings.VIDEO_SHARE_WSGI_PROXIES = 0
        importlib.reload(video_project.wsgi)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


@pytest.mark.django_db(transaction=True)
def test_the_resumable_uploads_requests_are_held_to_the_upload_limits(settings):
    """A PATCH of a resumable upload (video_share.resumable) is an upload like the form's: a
    large one needs a signed-in session, counts among the user's uploads at once, and is held
    to VIDEO_SHARE_MAX_UPLOAD_MB."""
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 4
    path = reverse("upload_file", args=["some-upload"])
    headers = [("content-length", str(3 * MB))]
    refused = Answer(BodySizeLimit(not_called), path=path, headers=headers, method="PATCH")
    assert refused.status == 403
    alice = signed_in("alice")
    sent = Answer(BodySizeLimit(reading_app), path=path, headers=[alice], length=3 * MB)
    assert sent.status == 200
    too_large = [alice, ("content-length", str(5 * MB))]
    assert Answer(BodySizeLimit(not_called), path=path, headers=too_large).status == 413
    settings.VIDEO_SHARE_UPLOADS_PER_USER = 1
    assert [a.status for a in uploads_at_once(settings, [alice, alice], path)] == [200, 429]


@pytest.mark.django_db
def test_the_caption_form_has_a_limit_of_its_own(settings):
    settings.VIDEO_SHARE_MAX_REQUEST_MB = 1
    settings.VIDEO_SHARE_MAX_CAPTION_MB = 2
    path = reverse("video_captions", args=["abc"])
    assert Answer(BodySizeLimit(reading_app), path=path, length=2 * MB).status == 200
    refused = Answer(BodySizeLimit(not_called), path=path, length=4 * MB)
    assert refused.status == 413
    assert "Uploads can be at most 2.0\u00a0MB." in refused.body.decode()
