"""The ASGI application as uvicorn runs it: pages on Django's WSGI handler (a2wsgi), event
streams and media on the async path (video_share.async_handler)."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from video_project.asgi import application

# Django's request signals look at the test thread's database connection.
pytestmark = pytest.mark.django_db


def handler_of(request):
    return HttpResponse(type(request).__name__)


async def async_handler_of(request):
    user = await request.auser()
    return HttpResponse(f"{type(request).__name__} {request.LANGUAGE_CODE} {user.is_anonymous}")


@csrf_exempt
def echo(request):
    return HttpResponse(request.POST["words"])


def streamed(request):
    return StreamingHttpResponse(iter([b"one ", b"two ", b"three"]))


async def fails(request):
    raise ValueError("a bug")


urlpatterns = [
    path("page", handler_of),
    path("echo", echo),
    path("streamed", streamed),
    path("events/probe", async_handler_of),
    path("media/probe", async_handler_of),
    path("media/fails", fails),
    path("", include("video_share.urls")),
]


def call(path: str, *, method="GET", headers=(), body=b"", app=None) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    app = application if app is None else app.application
    async_to_sync(asyncio.wait_for)(app(scope, receive, send), 10)
    start = sent[0]
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def probes(settings):
    settings.ROOT_URLCONF = __name__


def test_pages_go_to_djangos_wsgi_handler_streams_and_media_to_the_async_path(probes):
    assert call("/page")[2] == b"WSGIRequest"
    assert call("/events/probe")[2] == b"ASGIRequest en True"
    assert call("/media/probe")[2] == b"ASGIRequest en True"


def test_the_async_path_knows_the_reader_their_language_and_the_site_protections(probes, settings):
    from tests.factories import make_user
    from tests.streams import session_cookie

    cookie = f"{session_cookie(make_user('reader'))}; {settings.LANGUAGE_COOKIE_NAME}=ar"
    status, headers, body = call("/media/probe", headers=[(b"cookie", cookie.encode())])
    assert (status, body) == (200, b"ASGIRequest ar False")
    assert headers["content-language"] == "ar"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    # A host the site does not serve, an address nothing answers, a view that fails.
    assert call("/media/probe", headers=[(b"host", b"evil.example")])[0] == 400
    assert call("/events/nothing")[0] == 404
    assert call("/media/fails")[0] == 500


def test_every_view_on_the_async_path_is_async():
    from asgiref.sync import iscoroutinefunction
    from django.urls import get_resolver

    from video_project.asgi import ASYNC_PREFIXES

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, route)
            else:
                yield "/" + route, pattern.callback

    found = [(route, view) for route, view in walk(get_resolver().url_patterns)
             if route.startswith(ASYNC_PREFIXES)]  # fmt: skip
    assert len(found) >= 5  # three streams, two kinds of media
    assert all(iscoroutinefunction(view) for _route, view in found), found


def test_a_page_gets_its_form_and_a_streaming_page_comes_whole(probes):
    form = [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"15")]
    assert call("/echo", method="POST", headers=form, body=b"words=all+there")[2] == b"all there"
    assert call("/streamed")[2] == b"one two three"


def test_djangos_protections_apply_to_pages(probes):
    status, headers, _ = call("/page")
    assert status == 200
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in headers
    assert headers["content-language"] == "en"
    # A form sent without its CSRF token is refused before any view runs.
    assert call("/page", method="POST", body=b"a=1")[0] == 403


def test_collected_static_files_are_served(settings):
    import importlib

    from django.core.management import call_command

    import video_project.asgi

    call_command("collectstatic", interactive=False, verbosity=0)
    # whitenoise lists the collected files when the application is made, as at start-up.
    status, _headers, body = call("/static/css/site.css", app=importlib.reload(video_project.asgi))
    assert status == 200
    assert body == (settings.BASE_DIR / "static/css/site.css").read_bytes()


def test_the_server_lifespan_runs_the_background_threads_while_it_lasts(monkeypatch, db):
    import threading

    from video_project.asgi import make_application
    from video_share import media

    sent, running, stopped = [], [], []
    # Stopping kills this process's ffmpeg jobs for good, as a server that stops should.
    monkeypatch.setattr(media, "stop_all", lambda: stopped.append(True))
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message["type"])
        running.append({thread.name for thread in threading.enumerate()})

    async_to_sync(make_application(worker=False))({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert "job-watchdog" in running[0]
    assert stopped == [True]


def test_the_wsgi_environ_a2wsgi_builds_is_what_the_page_pool_relies_on():
    """video_share/wsgi_pool.py builds each page's WSGI environ with a2wsgi's build_environ,
    which a2wsgi does not export: pinned to 1.10 (pyproject.toml), and held here."""
    import io
    from importlib.metadata import version

    from a2wsgi.wsgi import build_environ

    assert version("a2wsgi").startswith("1.10.")
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": "/v/abc",
        "root_path": "",
        "query_string": b"t=5",
        "headers": [(b"content-length", b"3"), (b"content-type", b"text/plain"), (b"x-a", b"1")],
        "server": ("testserver", 443),
        "client": ("10.0.0.1", 5000),
    }
    body = io.BytesIO(b"abc")
    environ = build_environ(scope, body)
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["PATH_INFO"] == "/v/abc"
    assert environ["QUERY_STRING"] == "t=5"
    assert environ["CONTENT_LENGTH"] == "3"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["HTTP_X_A"] == "1"
    assert environ["REMOTE_ADDR"] == "10.0.0.1"
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["wsgi.input"] is body
