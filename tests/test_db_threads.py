import asyncio
import threading

import pytest
from django.http import HttpResponse
from django.urls import path


def where(request):
    return HttpResponse(threading.current_thread().name)


urlpatterns = [path("where", where)]


@pytest.fixture
def handler(settings):
    from video_share.db_threads import PageHandler

    settings.VIDEO_SHARE_DB_THREADS = 2
    settings.ROOT_URLCONF = __name__
    settings.MIDDLEWARE = []
    return PageHandler()


def call(handler, method="GET", body=b"") -> str:
    scope = {
        "type": "http",
        "method": method,
        "path": "/where",
        "raw_path": b"/where",
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "headers": [(b"host", b"testserver"), (b"content-length", str(len(body)).encode())],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
    }
    messages, sent = [{"type": "http.request", "body": body, "more_body": False}], []

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays until the answer is sent

    async def send(message):
        sent.append(message)

    # As under uvicorn: an event loop with no synchronous caller above it.
    server = threading.Thread(target=asyncio.run, args=(handler(scope, receive, send),))
    server.start()
    server.join(10)
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()


def test_page_requests_run_on_the_few_database_threads(handler):
    names = {call(handler) for _ in range(6)}
    assert all(name.startswith("db") for name in names)
    assert len(names) <= 2


def test_an_upload_runs_on_a_thread_of_its_own(handler, settings):
    body = b"x" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert not call(handler, "POST", body).startswith("db")
    assert call(handler, "POST", b"small=1").startswith("db")


@pytest.mark.django_db(transaction=True)
def test_an_error_page_rendered_from_the_event_loop_leaves_no_connection_behind(settings):
    from asgiref.sync import sync_to_async
    from django.db import connection

    from video_share.db_threads import error_page

    settings.VIDEO_SHARE_DB_THREADS = 1
    closed = []

    def page():
        connection.ensure_connection()
        connection.close = lambda: closed.append(True)  # (the tests' database is in memory)

    async def as_django_does():  # response_for_exception, in the loop's default pool
        await sync_to_async(error_page(page), thread_sensitive=False)()

    server = threading.Thread(target=asyncio.run, args=(as_django_does(),))
    server.start()
    server.join(10)
    assert closed == [True]
