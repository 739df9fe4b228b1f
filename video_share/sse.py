"""Serving event streams without a thread or a database connection per open stream.

django-eventstream's own view reads its storage through `sync_to_async`, which under ASGI runs
in a thread dedicated to the request: every open stream keeps a thread, and that thread's
database connection, for as long as the stream is open. This view speaks the same protocol
with the same pieces — django-eventstream's EventRequest, ChannelManager permissions, storage,
listener manager and encoding — but does its blocking work (loading the session, checking
permissions, reading stored events) on the event loop when all it needs is in memory, and
otherwise on the process's few database threads (video_share.db_pool). An idle stream is
then a coroutine waiting on an event, and holds no thread and no database connection.

Behind Pushpin, a request Pushpin signed is answered with a GRIP hold instead (Pushpin keeps
the connection open: video_share.grip).
"""

import asyncio
import copy
import functools
import logging
import threading
from collections import Counter
from urllib.parse import quote

import jwt
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.translation import gettext as _
from django_eventstream import views as eventstream_views
from django_eventstream.eventrequest import EventRequest
from django_eventstream.eventstream import EventPermissionError, get_events
from django_eventstream.utils import (
    add_default_headers,
    get_channelmanager,
    sse_encode_error,
    sse_encode_event,
    sse_error_response,
)

from . import db_pool, grip

logger = logging.getLogger(__name__)
read = db_pool.run  # blocking work of a stream

KEEP_ALIVE_SECONDS = 20
KEEP_ALIVE = b"event: keep-alive\ndata:\n\n"


def _open(request, streams, listener=None):
    """Parse the request (streams, Last-Event-ID) and load its user; with a listener that
    is already listening, also read what the reader missed (one trip to a database thread
    instead of two). Returns an error response, or (event request, first read or None)."""
    if callable(streams):
        streams = streams(request)
    try:
        event_request = EventRequest(request, view_kwargs={"channels": streams})
    except EventRequest.ResumeNotAllowedError:
        return _bad_request(_("A stream that ended with an error cannot resume: reload the page."))
    except EventRequest.Error:
        return _bad_request(_("The last event id of this stream is not valid."))
    # django-eventstream hands the ids to storage as they are: int() of anything.
    if not all(_is_event_id(last_id) for last_id in event_request.channel_last_ids.values()):
        return _bad_request(_("The last event id of this stream is not valid."))
    if listener is None:
        return event_request, None
    listener.user_id = event_request.user.pk if event_request.user else "anonymous"
    try:
        return event_request, get_events(event_request)
    except EventPermissionError as error:
        return event_request, error


def _is_event_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


# Parameters of django-eventstream's protocol with a GRIP proxy (Pushpin), which it reads
# unchecked (an invalid token or a missing proxy is an exception): valid only in a request
# that Pushpin signed (answered by _hold).
PROXY_PARAMETERS = ("es-meta", "recover")


async def events(request, streams, *, on_change=None, visitor: str = "") -> HttpResponse:
    """The SSE response for `streams`, chosen by our URL and never by the query string: a
    list, or a function of the request for streams that depend on its user. `on_change` is
    called (on the event loop) once the stream is open and once it has closed. `visitor`
    tells a reader who is not signed in from others (their browser's viewer cookie), so that
    a person's streams can be counted once (see Listener.person)."""
    if grip.proxied(request):
        return await read(_hold, request, streams)
    if any(name in request.GET for name in PROXY_PARAMETERS):
        return _answer(request, _bad_request(_("This stream takes no proxy parameters.")))
    listener = Listener()
    listener.assign_loop()
    address = request.META.get("REMOTE_ADDR", "")
    if not listener.take_place(("address", address), settings.VIDEO_SHARE_STREAMS_PER_ADDRESS):
        return _answer(request, _too_many(_("Too many open streams from this address.")))
    # Listen before anything is read (the reader, permissions, storage), as
    # django-eventstream does, so that nothing published meanwhile is missed: for streams
    # that depend on the reader, their control streams at least.
    known = [] if callable(streams) else streams
    signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
    listener.control = get_channelmanager().control_streams(known, signed_in=signed_in)
    listener.listen([*known, *listener.control])
    try:
        opened = await db_pool.run_soon(_open, request, streams, listener if known else None)
    except BaseException:
        listener.stop()
        raise
    if isinstance(opened, HttpResponse):
        listener.stop()
        return _answer(request, opened)
    event_request, first_read = opened
    listener.user_id = event_request.user.pk if event_request.user else "anonymous"
    if event_request.user:
        listener.person = ("user", event_request.user.pk)
    else:
        listener.person = ("visitor", visitor) if visitor else ("stream", id(listener))
    if event_request.user and not listener.take_place(
        ("user", event_request.user.pk), settings.VIDEO_SHARE_STREAMS_PER_USER
    ):
        listener.stop()
        return _answer(request, _too_many(_("Too many open streams for this account.")))
    if not known:
        listener.listen(event_request.channels)
    stream = _Stream(_stream(request, event_request, listener, first_read, on_change), listener)
    response = EventStreamResponse(stream, content_type="text/event-stream")
    add_default_headers(response, request=request)
    return response


def _hold(request, streams) -> HttpResponse:
    """For Pushpin (video_share.grip): what the reader missed, and a GRIP hold of the
    streams, from django-eventstream's GRIP response; on a database thread."""
    try:
        opened = _open(request, streams)
    except (jwt.InvalidTokenError, ValueError, ObjectDoesNotExist):
        # A hold's next link past django-eventstream's signed expiry in it (an hour), or of
        # a reader since deleted: the stream ends, and the browser opens it again, with its
        # own cookies and the last event id it had (grip.NEXT_LINK_SECONDS).
        return _answer(request, HttpResponse(content_type="text/event-stream"))
    if isinstance(opened, HttpResponse):
        return _answer(request, opened)
    event_request, _first_read = opened
    try:
        event_response = get_events(event_request)
    except EventPermissionError as error:
        refused = sse_error_response("forbidden", str(error), {"channels": error.channels})
        return _answer(request, refused)
    response = event_response.to_grip_response(request)
    grip.hold(request, event_response, event_request.user)
    return _answer(request, response)


def _answer(request, response: HttpResponse) -> HttpResponse:
    add_default_headers(response, request=request)
    return response


def _too_many(message: str) -> HttpResponse:
    message = f"{message} {_('Close some pages, then try again.')}"
    return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")


class EventStreamResponse(StreamingHttpResponse):
    """An event stream. Its `events` are bytes, ready to send as they come: the async path
    (video_share.async_handler) sends them without Django's generators around each one."""

    def __init__(self, stream: "_Stream", **kwargs):
        super().__init__(stream, **kwargs)
        self.events = stream.events


class _Stream:
    """The response's content; Django closes it when the response ends, even one whose
    streaming never started (the reader left at once): its listener stops then."""

    def __init__(self, events, listener):
        self.events, self.listener = events, listener

    def __aiter__(self):
        return self.events

    def close(self):
        self.listener.stop()


async def _stream(request, event_request: EventRequest, listener, first_read=None, on_change=None):
    """django-eventstream's stream loop, reading storage on the event loop or a database
    thread; it ends with stream-error when a control event shows its reader refused."""
    channel_manager = get_channelmanager()
    reliable = channel_manager.is_channel_reliable
    manager = eventstream_views.get_listener_manager()

    def recheck():
        return read(
            channel_manager.refused_now, request, event_request.user, event_request.channels
        )

    opened = False
    try:
        first = True
        while True:
            # Catch up from storage (everything after the client's last id), then wait.
            try:
                if first_read is not None:
                    response, first_read = first_read, None
                    if isinstance(response, EventPermissionError):
                        raise response
                else:
                    response = await db_pool.run_soon(get_events, event_request)
            except EventPermissionError as error:
                yield sse_encode_error(
                    "forbidden", str(error), extra={"channels": error.channels}
                ).encode()
                return
            last_ids = copy.deepcopy(response.channel_last_ids)
            event_id = make_id(last_ids)
            body = ""
            if first:
                first = False
                body += ":" + " " * 2048 + "\n\n"  # padding for proxies that buffer
                body += "event: stream-open\ndata:\n\n"
            if response.channel_reset:
                body += sse_encode_event(
                    "stream-reset",
                    {"channels": list(response.channel_reset)},
                    event_id=event_id,
                    json_encode=True,
                )
            for stream, items in response.channel_items.items():
                for item in items:
                    last_ids[stream] = item.id
                    body += sse_encode_event(item.type, item.data, event_id=make_id(last_ids))
            # A read again (more to read, or events published meanwhile) goes on from what
            # was just sent: from the request's ids it would send those events twice, or,
            # for a stream that gave none, skip what was published meanwhile.
            event_request.channel_last_ids = dict(last_ids)
            yield body.encode()
            if on_change is not None and not opened:
                opened = True
                on_change()
            if response.channel_more:
                continue
            with manager.lock:
                queued, listener.channel_items = listener.channel_items, {}
                if not listener.overflow:
                    listener.aevent.clear()  # else _live reads storage again at once
            if _take_control(queued, listener) and (refused := await recheck()):
                yield _refusal(refused)
                return
            # Events published while storage was read: stored ones are read again from
            # storage; unstored ones (presence, unread counts) are only here.
            unstored = {c: items for c, items in queued.items() if not reliable(c)}
            if unstored:
                yield _encode(unstored, {})
            if len(unstored) < len(queued):
                continue
            async for body, ended in _live(listener, manager, last_ids, recheck):
                if body:
                    yield body
                if ended:
                    return
            # The queue overflowed: catch up from storage again.
            event_request.channel_last_ids = last_ids
    finally:
        listener.aevent.set()
        listener.stop()
        if opened:
            on_change()


@functools.lru_cache(maxsize=4096)
def _quoted(stream: str) -> str:
    return quote(stream)


def make_id(ids: dict) -> str:
    """django_eventstream.utils.make_id, with each stream's name quoted once, not once per
    event per reader."""
    return ",".join(f"{_quoted(stream)}:{event_id}" for stream, event_id in ids.items())


def _encode(channel_items: dict, last_ids: dict) -> bytes:
    """Queued events as SSE, each with the id to resume after it (updating `last_ids`).

    The same event goes to every stream on its stream, mostly with the same id: each event
    keeps its encodings, so a broadcast is encoded once, not once per reader."""
    body = []
    for stream, items in channel_items.items():
        for item in items:
            if stream in last_ids:
                if item.id is not None:
                    last_ids[stream] = item.id
                else:
                    del last_ids[stream]
            ids = tuple(last_ids.items())
            encodings = item.__dict__.setdefault("_encodings", {})
            if (encoded := encodings.get(ids)) is None:
                event_id = make_id(last_ids) if last_ids else None
                encoded = sse_encode_event(item.type, item.data, event_id=event_id).encode()
                encodings[ids] = encoded
            body.append(encoded)
    return b"".join(body)


def _take_control(channel_items: dict, listener) -> bool:
    """Takes the control events out of `channel_items` (they are for the stream, never for
    its reader); whether one may concern the reader: it does, or the queue of its stream
    was full and may have dropped one that did."""
    manager, concerned = get_channelmanager(), False
    for stream in listener.control & channel_items.keys():
        items = channel_items.pop(stream)
        concerned = concerned or len(items) >= eventstream_views.MAX_PENDING
        concerned = concerned or any(
            manager.concerns(stream, item.data, listener.user_id) for item in items
        )
    return concerned


def _refusal(streams: list[str]) -> bytes:
    """The end of a stream whose reader was refused (a video made private, a user banned):
    nothing queued for them is sent any more."""
    text = f"Permission denied to channels: {', '.join(streams)}"
    return sse_encode_error("forbidden", text, extra={"channels": streams}).encode()


async def _live(listener, manager, last_ids: dict, recheck):
    """(text, ended) as events are published, with keep-alives. Returns when the queue
    overflowed; `ended` when the stream must end (its reader was refused)."""
    while True:
        if not listener.ending:
            await listener.aevent.wait()
        if listener.ending:
            yield b"", True
            return
        with manager.lock:
            channel_items, overflow = listener.channel_items, listener.overflow
            listener.aevent.clear()
            listener.channel_items, listener.overflow = {}, False
        keep_alive, listener.keep_alive_due = listener.keep_alive_due, False
        if _take_control(channel_items, listener) and (refused := await recheck()):
            yield _refusal(refused), True
            return
        body = _encode(channel_items, last_ids)
        if body:
            yield body, False
        elif keep_alive:
            yield KEEP_ALIVE, False
        if overflow:
            return


class Listener(eventstream_views.Listener):
    """django-eventstream's listener, woken in batches, that starts and stops listening once.

    Its listener manager wakes the listeners of a stream one by one from the publishing
    thread, each with a `call_soon_threadsafe` into the event loop, and each such call hands
    the interpreter lock over to the loop and back: for 5,000 readers, most of a second.
    Here one call wakes all the listeners that are waiting by then."""

    listening = False
    keep_alive_due = False
    ending = False  # the stream ends, and its reader reconnects (end_all_streams)
    control = frozenset()  # the streams of its control events (video_share.events)
    places: tuple = ()  # what this stream is counted against (see take_place)
    # Who reads, once known: ("user", pk), ("visitor", their browser's key), or for a visitor
    # whose browser has no key yet, ("stream", …) of this stream alone.
    person: tuple | None = None

    def listen(self, streams=()):
        """Start listening (on the event loop), or listen to more streams."""
        self.channels = self.channels | set(streams)
        eventstream_views.get_listener_manager().add_listener(self)
        self.listening = True
        with _wakeups_lock:
            _listening.setdefault(self.loop, set()).add(self)
            start_ticker = self.loop not in _tickers
            if start_ticker:
                _tickers[self.loop] = None
        if start_ticker:
            _tickers[self.loop] = self.loop.create_task(_keep_alive(self.loop))

    def stop(self):
        """Stop listening (again: nothing). From the stream's end, or from Django closing a
        response whose stream never started."""
        with _wakeups_lock:
            listening, self.listening = self.listening, False
            _listening.get(self.loop, set()).discard(self)
            places, self.places = self.places, ()
            for key in places:
                _places[key] -= 1
                if not _places[key]:
                    del _places[key]
        if listening:
            eventstream_views.get_listener_manager().remove_listener(self)

    def take_place(self, key, most: int) -> bool:
        """Count this stream as one of `key`'s (its user, its address) until it stops; False
        if `most` of them are open in this process already (0: no limit)."""
        with _wakeups_lock:
            if most and _places[key] >= most:
                return False
            _places[key] += 1
            self.places = (*self.places, key)
        return True

    def wake_threadsafe(self):
        with _wakeups_lock:
            waiting = _wakeups.setdefault(self.loop, [])
            waiting.append(self)
            first = len(waiting) == 1
        if first:
            self.loop.call_soon_threadsafe(_wake, self.loop)


_wakeups: dict = {}
_wakeups_lock = threading.Lock()


_listening: dict = {}  # event loop → its listening listeners
_places: Counter = Counter()  # user or address → its open streams in this process
_tickers: dict = {}


async def _keep_alive(loop) -> None:
    """Every KEEP_ALIVE_SECONDS, a keep-alive for every stream of this loop that had nothing
    else to say: one timer for all of them, rather than a timeout on every wait."""
    while True:
        await asyncio.sleep(KEEP_ALIVE_SECONDS)
        with _wakeups_lock:
            listeners = list(_listening.get(loop, ()))
        for listener in listeners:
            listener.keep_alive_due = True
            listener.aevent.set()


def end_all_streams() -> None:
    """End every open stream of this process, as if the server had closed them: each
    reader's browser reconnects and resumes (Last-Event-ID) after its last event."""
    _wake_all(ending=True)


def catch_up_all_streams() -> None:
    """Have every open stream of this process read storage again after its last event."""
    _wake_all(ending=False)


def _wake_all(*, ending: bool) -> None:
    manager = eventstream_views.get_listener_manager()
    with _wakeups_lock:
        listeners = [listener for each in _listening.values() for listener in each]
    with manager.lock:
        for listener in listeners:
            if ending:
                listener.ending = True
            else:
                listener.overflow = True
    for listener in listeners:
        listener.wake_threadsafe()


def _wake(loop) -> None:
    with _wakeups_lock:
        waiting = _wakeups.pop(loop, [])
    for listener in waiting:
        listener.aevent.set()
