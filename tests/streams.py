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
        return text

    return async_to_sync(run)()
