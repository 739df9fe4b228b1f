"""Reading Server-Sent Events from Django's AsyncClient in synchronous tests."""

import asyncio

from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient


def read_stream(path, *, user=None, until, publish=None, timeout=5.0, headers=None) -> str:
    """Open an SSE stream and return its text up to the first chunk containing `until`.

    `publish` is called once the stream is open, in the test's own thread (so it shares
    the test's database connection), to send events while the stream is read.
    """

    async def run():
        client = AsyncClient()
        if user is not None:
            await client.aforce_login(user)
        response = await client.get(path, headers=headers or {})
        if not response.streaming:
            return response.content.decode()
        chunks = aiter(response.streaming_content)
        text, pending = "", publish
        try:
            async with asyncio.timeout(timeout):
                async for chunk in chunks:
                    text += chunk.decode() if isinstance(chunk, bytes) else chunk
                    if pending and "stream-open" in text:
                        await sync_to_async(pending)()
                        pending = None
                    if until in text:
                        break
        finally:
            await chunks.aclose()
            # As the server does when a reader leaves: the stream gives back its place.
            response.close()
        return text

    return async_to_sync(run)()


def stream_scope(path: str, query: str = "", *, cookie: str = "", address="127.0.0.1") -> dict:
    """The ASGI scope of a stream request; `cookie` is a Cookie header's value."""
    headers = [(b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": (address, 5000),
        "server": ("testserver", 80),
    }


def session_cookie(user) -> str:
    """A Cookie header signing `user` in (for requests through the ASGI application)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def serve_stream(
    path: str, *, query: str = "", cookie: str = "", when_open, until: bytes
) -> list[dict]:
    """The ASGI messages the server gets for one stream through the real application:
    `when_open` runs as the first chunk (with stream-open) is sent, which is after the
    stream's first read of storage and before it waits for live events; the reader leaves
    once `until` has been sent."""
    from video_project.asgi import application

    sent = []

    async def run():
        left = asyncio.Event()
        first = True

        async def receive():
            nonlocal first
            if first:
                first = False
                return {"type": "http.request", "body": b"", "more_body": False}
            await left.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            body = message.get("body", b"")
            if b"stream-open" in body:
                await sync_to_async(when_open)()
            if until in b"".join(m.get("body", b"") for m in sent):
                left.set()

        scope = stream_scope(path, query, cookie=cookie)
        await asyncio.wait_for(application(scope, receive, send), 5)

    async_to_sync(run)()
    return sent


def body_of(sent: list[dict]) -> bytes:
    return b"".join(message.get("body", b"") for message in sent[1:])


class HeldStream:
    """A request to a stream through the real application, held open (async with) until the
    block ends: then the reader leaves. `status` and `body` are what the server sent."""

    def __init__(self, path: str, query: str = "", *, cookie: str = "", address="127.0.0.1"):
        self.scope = stream_scope(path, query, cookie=cookie, address=address)
        self.sent: list[dict] = []

    @property
    def status(self) -> int:
        return self.sent[0]["status"]

    @property
    def body(self) -> bytes:
        return body_of(self.sent)

    async def __aenter__(self):
        from video_project.asgi import application

        self.answered, self.left, self.asked = asyncio.Event(), asyncio.Event(), False
        self.task = asyncio.create_task(application(self.scope, self.receive, self.send))
        await asyncio.wait_for(self.answered.wait(), 5)
        return self

    async def __aexit__(self, *exc):
        self.left.set()
        await asyncio.wait_for(self.task, 5)

    async def receive(self):
        if not self.asked:
            self.asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.left.wait()
        return {"type": "http.disconnect"}

    async def send(self, message):
        self.sent.append(message)
        ended = message["type"] == "http.response.body" and not message.get("more_body")
        if ended or b"stream-open" in message.get("body", b""):
            self.answered.set()
