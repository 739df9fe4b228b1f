"""Pages and forms: Django's WSGI handler on a pool of threads inside the ASGI server.

a2wsgi does the same for any WSGI application, handing each message of a response (its
start, its body, its end) from the thread to the event loop and waiting for the loop to take
it: three round trips per page, and in each the thread waits for the interpreter lock while
the other threads render pages. Measured (bench/README.md, "The serving core"), the home
page's p99 was 81 ms through a2wsgi against 37 ms before it. Here a request whose body is
small (the ASGI application sends larger ones, uploads, to a2wsgi, which streams them into
the thread) is read whole on the event loop, the page is rendered in one trip to a thread
and comes back whole; only a streaming response (a static file) comes back chunk by chunk.
The WSGI environ is a2wsgi's own (its build_environ, which it does not export: pinned in
pyproject.toml, held by tests/test_asgi.py).
"""

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

from a2wsgi.wsgi import build_environ


class WSGIPool:
    def __init__(self, app, threads: int):
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pages")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        environ = build_environ(scope, io.BytesIO(bytes(body)))
        loop = asyncio.get_running_loop()
        status, headers, chunks, rest = await loop.run_in_executor(self.pool, self.run, environ)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if rest is not None:
            try:
                while (
                    chunk := await loop.run_in_executor(self.pool, next, rest, None)
                ) is not None:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            finally:
                await loop.run_in_executor(self.pool, _close, rest)
        await send({"type": "http.response.body"})

    def run(self, environ):
        """The response: (status, headers, its chunks, and for a streaming response the
        iterator of the rest)."""
        started = []

        def start_response(status, headers, exc_info=None):
            started[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        response = self.app(environ, start_response)
        if getattr(response, "streaming", False):
            rest = iter(response)
        else:
            try:
                chunks.extend(response)
            finally:
                _close(response)
            rest = None
        status, headers = started
        encoded = [
            (name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers
        ]
        return int(status.split(" ", 1)[0]), encoded, [c for c in chunks if c], rest


def _close(response) -> None:
    if hasattr(response, "close"):
        response.close()
