"""Serving stored files over HTTP from an async view: Range (RFC 9110 §14), HEAD, validators
and conditional requests, streamed in chunks that are read off the event loop.

Media goes through here so that permissions are checked on every request, and a production
site can hand the bytes to nginx instead (X-Accel-Redirect) once the check has passed. On
object storage, what is served here (private media) is read with ranged GETs.
"""

import asyncio
import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from . import storage

# Large enough that a typical seek (a few MB) costs a couple of thread hops, small enough to
# keep memory per stream low.
CHUNK = 1024 * 1024
UNSATISFIABLE = object()
_RANGE = re.compile(r"^bytes\s*=\s*(\d{0,19})\s*-\s*(\d{0,19})\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int):
    """The one byte range a Range header asks for, as (first, last) inclusive.

    None: no usable range, serve the whole file (absent, malformed, or several ranges —
    which a server may ignore). UNSATISFIABLE: a well-formed range outside the file (416).
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - length), size - 1
    first = int(first)
    if last != "" and int(last) < first:
        return None
    if first >= size:
        return UNSATISFIABLE
    last = size - 1 if last == "" else min(int(last), size - 1)
    return first, last


@dataclass(frozen=True)
class StoredFile:
    name: str  # storage name
    path: Path | None  # local path, when the storage has one
    size: int
    mtime: float

    @property
    def etag(self) -> str:
        digest = hashlib.blake2b(
            f"{self.name}:{self.size}:{self.mtime}".encode(), digest_size=8
        ).hexdigest()
        return f'"{digest}"'

    @property
    def content_type(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"


def stat(name: str) -> StoredFile:
    """Size and modification time of a stored file (Http404 if it is gone)."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        path = None
    try:
        if path is not None:
            info = path.stat()
            return StoredFile(name, path, info.st_size, info.st_mtime)
        if storage.on_object_storage():
            return StoredFile(name, None, *storage.object_info(name))
        modified = default_storage.get_modified_time(name).timestamp()
        return StoredFile(name, None, default_storage.size(name), modified)
    except (FileNotFoundError, OSError):
        raise Http404 from None


def _if_range_allows(request, stored: StoredFile) -> bool:
    """If-Range: the range applies only if the client's copy is still this file."""
    value = request.headers.get("If-Range")
    if not value:
        return True
    if value.startswith('"'):
        return value == stored.etag  # strong comparison only
    date = parse_http_date_safe(value)
    return date is not None and date == int(stored.mtime)


async def serve(request, stored: StoredFile, *, cache_control: str) -> HttpResponse:
    """The response for GET or HEAD of a stored file, honouring Range and conditionals."""
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": stored.etag,
        "Last-Modified": http_date(int(stored.mtime)),
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
    }
    unchanged = get_conditional_response(request, etag=stored.etag, last_modified=int(stored.mtime))
    if unchanged is not None:
        for key, value in headers.items():
            unchanged.headers.setdefault(key, value)
        return unchanged

    wanted = parse_range(request.headers.get("Range"), stored.size)
    if wanted is not None and not _if_range_allows(request, stored):
        wanted = None
    if wanted is UNSATISFIABLE:
        response = HttpResponse(status=416, headers=headers)
        response["Content-Range"] = f"bytes */{stored.size}"
        return response

    first, last = wanted if wanted else (0, stored.size - 1)
    length = max(0, last - first + 1)
    if (accel := settings.VIDEO_SHARE_MEDIA_ACCEL_REDIRECT) and stored.path is not None:
        # nginx serves the bytes (Range included) from its internal location.
        response = HttpResponse(content_type=stored.content_type, headers=headers)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + stored.name
        return response

    body = _read(stored, first, length) if request.method != "HEAD" else _nothing()
    response = StreamingHttpResponse(
        body, status=206 if wanted else 200, content_type=stored.content_type, headers=headers
    )
    response["Content-Length"] = str(length)
    if wanted:
        response["Content-Range"] = f"bytes {first}-{last}/{stored.size}"
    return response


def serve_elsewhere(url: str) -> HttpResponse:
    """A redirect to the file on object storage, which answers Range itself. The browser may
    reuse it for a while (a page's posters are then fetched once), well within the URL's
    life; no shared cache may keep it."""
    response = HttpResponseRedirect(url)
    seconds = min(300, settings.VIDEO_SHARE_S3_URL_SECONDS // 2)
    response["Cache-Control"] = f"private, max-age={seconds}"
    return response


async def _nothing():
    return
    yield


async def _read(stored: StoredFile, offset: int, length: int):
    """The bytes, chunk by chunk; each read runs in a worker thread, off the event loop."""
    if stored.path is not None:
        fd = None

        def read_chunk(size: int, at: int) -> bytes:
            nonlocal fd
            if fd is None:
                fd = os.open(stored.path, os.O_RDONLY)
            return os.pread(fd, size, at)

        try:
            while length > 0:
                chunk = await asyncio.to_thread(read_chunk, min(CHUNK, length), offset)
                if not chunk:
                    return
                offset += len(chunk)
                length -= len(chunk)
                yield chunk
        finally:
            if fd is not None:
                os.close(fd)
        return
    if storage.on_object_storage():
        if length <= 0:
            return
        # One ranged GET for what was asked, read a chunk at a time as the client takes it.
        body = await asyncio.to_thread(storage.open_range, stored.name, offset, offset + length - 1)
        try:
            while length > 0:
                chunk = await asyncio.to_thread(body.read, min(CHUNK, length))
                if not chunk:
                    return
                length -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(body.close)
        return
    handle = await asyncio.to_thread(default_storage.open, stored.name, "rb")
    try:
        await asyncio.to_thread(handle.seek, offset)
        while length > 0:
            chunk = await asyncio.to_thread(handle.read, min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)
