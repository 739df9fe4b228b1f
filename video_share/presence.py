""" "N watching now": how many people have a video's page open, pushed to its viewers.

People, not streams: a signed-in viewer counts once however many tabs (streams) they have
open, on however many browsers; a visitor who is not signed in counts once per browser, known
by the viewer cookie its stream carries (a browser that has none yet is given one by its first
stream, and until its next one, each of its streams counts apart).

Counted from the streams this process holds; with several web processes behind Redis, each
shares its people of the video there, and announces everyone's count to every viewer
(video_share.audience). Presence events are not stored: a count is only worth its latest
value.

Behind Pushpin (video_share.grip) no process holds the streams: the one process given
VIDEO_SHARE_PUSHPIN_STATS reads Pushpin's statistics, which say how many holds subscribe to
each channel (`PushpinCounter`). There, open pages are counted, not people: a person with
two tabs counts twice. A channel of each reader's own, to count people by, would cost a
request to the site for each new reader, ten a second (see video_share.grip.hold).
"""

import asyncio
import json
import logging
import threading
import time
from urllib.parse import quote, unquote

from django_eventstream.views import get_listener_manager

from . import audience
from .events import presence_stream_name, send

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.5
# Each announcement goes to every viewer: a big audience hears of itself less often.
DEBOUNCE_PER_THOUSAND = 1.0
DEBOUNCE_MOST = 10.0
_pending: set[str] = set()


def people(public_id: str) -> set[str]:
    """The people with an open stream of this video in this process (whose stream is still
    opening, and so may yet be refused, is not counted), as audience.person_key gives them."""
    manager = get_listener_manager()
    with manager.lock:
        listeners = tuple(manager.listeners_by_channel.get(presence_stream_name(public_id), ()))
    return {audience.person_key(person) for listener in listeners if (person := listener.person)}


def watching(public_id: str) -> int:
    """How many people watch this video: in every process that shares its count (Redis),
    else in this one; behind Pushpin, in the process that reads its statistics, the pages
    it holds streams of. Blocking with Redis: call from a thread."""
    if _counter is not None:
        return _counter.count(public_id)
    count = audience.total(public_id)
    return len(people(public_id)) if count is None else count


_announced: dict[str, int] = {}  # video → the count this process announced last
_refreshing: dict = {}  # event loop → its refresh task


def _announce(public_id: str, present: set[str], *, if_changed: bool = False) -> None:
    """Share this process's people of the video and announce everyone's count (in a thread)."""
    count = audience.share(public_id, present)
    if if_changed and _announced.get(public_id) == count:
        return
    _announced[public_id] = count
    if not present:
        _announced.pop(public_id, None)
    send(presence_stream_name(public_id), "watching", str(count))


async def _refresh() -> None:
    """Now and then, share this process's people of each video again (they expire in Redis
    otherwise), and announce a count that others changed without telling (a process gone)."""
    prefix = presence_stream_name("")
    while True:
        await asyncio.sleep(audience.REFRESH_SECONDS)
        manager = get_listener_manager()
        with manager.lock:
            streams = [name for name in manager.listeners_by_channel if name.startswith(prefix)]
        for stream in streams:
            public_id = stream.removeprefix(prefix)
            if public_id not in _pending:
                present = people(public_id)
                await asyncio.to_thread(_announce, public_id, present, if_changed=True)


def _delay(size: int) -> float:
    return min(DEBOUNCE_MOST, DEBOUNCE_SECONDS + DEBOUNCE_PER_THOUSAND * size / 1000)


def _schedule(public_id: str) -> None:
    """Publish the count soon, once for a burst of arrivals and departures."""
    if public_id in _pending:
        return
    _pending.add(public_id)

    delay = _delay(len(people(public_id)))

    async def publish():
        await asyncio.sleep(delay)
        _pending.discard(public_id)
        await asyncio.to_thread(_announce, public_id, people(public_id))

    loop = asyncio.get_running_loop()
    loop.create_task(publish())
    if audience.shared() and loop not in _refreshing:
        _refreshing[loop] = loop.create_task(_refresh())


def count_changed(public_id: str) -> None:
    """A stream of this video opened or closed (called on the event loop): announce the new
    count soon."""
    _schedule(public_id)


# Behind Pushpin.


class PushpinCounter(threading.Thread):
    """Reads Pushpin's statistics (its ZeroMQ stats socket, in JSON: deploy/pushpin/) and
    announces each video's count of open pages as the subscribers of its presence channel
    change. A channel whose statistics are not refreshed within their TTL is taken as gone
    (Pushpin refreshes them while they have subscribers)."""

    def __init__(self, address: str):
        super().__init__(name="pushpin-counter", daemon=True)
        self.address = address
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.counts: dict[str, tuple[int, float]] = {}  # video → (subscribers, until when)
        self.due: dict[str, float] = {}  # video → when to announce its count

    def count(self, public_id: str) -> int:
        count, until = self.counts.get(public_id, (0, 0))
        return count if until > time.monotonic() else 0

    def noted(self, stats: dict) -> None:
        """One "sub" record of Pushpin's statistics."""
        prefix = f"events-{quote(presence_stream_name(''))}"
        channel = stats.get("channel", "")
        if not channel.startswith(prefix):
            return
        public_id = unquote(channel.removeprefix(prefix))
        now = time.monotonic()
        with self.lock:
            was = self.count(public_id)
            count = 0 if stats.get("unavailable") else int(stats.get("subscribers", 0))
            if count:
                self.counts[public_id] = (count, now + int(stats.get("ttl", 60)) + 10)
            else:
                self.counts.pop(public_id, None)
            if count != was:
                self.due.setdefault(public_id, now + _delay(count))

    def announce_due(self) -> None:
        now = time.monotonic()
        with self.lock:
            # A channel that expired unannounced has no subscribers left.
            for public_id in [v for v, (_count, until) in self.counts.items() if until <= now]:
                del self.counts[public_id]
                self.due.setdefault(public_id, now)
            due = [v for v, t in self.due.items() if t <= now]
            for public_id in due:
                del self.due[public_id]
        for public_id in due:
            send(presence_stream_name(public_id), "watching", str(self.count(public_id)))

    def run(self):
        import zmq

        socket = zmq.Context.instance().socket(zmq.SUB)
        socket.setsockopt(zmq.RCVHWM, 0)  # a crowd arriving at once: keep every record
        socket.connect(self.address)
        socket.setsockopt(zmq.SUBSCRIBE, b"sub ")
        try:
            while not self.stopping.is_set():
                if socket.poll(200):
                    kind, _, body = socket.recv().partition(b" ")
                    if body.startswith(b"J"):
                        try:
                            self.noted(json.loads(body[1:]))
                        except ValueError:
                            logger.warning("Unreadable statistics from Pushpin: %r", body[:200])
                self.announce_due()
        finally:
            socket.close(linger=0)

    def stop(self, timeout: float = 2) -> None:
        self.stopping.set()
        self.join(timeout)


_counter: PushpinCounter | None = None


def count_from_pushpin(address: str):
    """Start reading Pushpin's statistics at `address` (VIDEO_SHARE_PUSHPIN_STATS) in this
    process; returns the function that stops it."""
    global _counter
    _counter = PushpinCounter(address)
    _counter.start()
    return _counter.stop
