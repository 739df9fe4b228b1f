""" "N watching now": how many people have a video's page open, pushed to its viewers.

People, not streams: a signed-in viewer counts once however many tabs (streams) they have
open, on however many browsers; a visitor who is not signed in counts once per browser, known
by the viewer cookie its stream carries (a browser that has none yet is given one by its first
stream, and until its next one, each of its streams counts apart).

Counted from the streams this process holds. With several web processes behind Redis, each
counts the people whose streams it holds and announces that to every viewer, whatever process
they are on, so the count shown is the latest announced: a lower bound (someone with tabs on
two processes is in both counts, but counted once in each). Presence events are not stored: a
count is only worth its latest value.

Behind Pushpin (video_share.grip) no process holds the streams: each hold of a video's stream
also subscribes to a channel of its reader (`person_channel`), and the one process given
VIDEO_SHARE_PUSHPIN_STATS reads Pushpin's statistics, which say when such a channel gains
its first subscriber or loses its last (`PushpinAudience`): the people watching a video are
its person channels with subscribers.
"""

import asyncio
import hashlib
import json
import logging
import threading
import time
from urllib.parse import quote

from django_eventstream.views import get_listener_manager

from .events import presence_stream_name, send

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.5
# Each announcement goes to every viewer: a big audience hears of itself less often.
DEBOUNCE_PER_THOUSAND = 1.0
DEBOUNCE_MOST = 10.0
_pending: set[str] = set()


def watching(public_id: str) -> int:
    """How many people have an open stream of this video in this process (whose stream is
    still opening, and so may yet be refused, is not counted); behind Pushpin, in the
    process that reads its statistics, how many Pushpin holds."""
    if _audience is not None:
        return _audience.count(public_id)
    manager = get_listener_manager()
    with manager.lock:
        listeners = tuple(manager.listeners_by_channel.get(presence_stream_name(public_id), ()))
    return len({listener.person for listener in listeners} - {None})


def _delay(audience: int) -> float:
    return min(DEBOUNCE_MOST, DEBOUNCE_SECONDS + DEBOUNCE_PER_THOUSAND * audience / 1000)


def _schedule(public_id: str) -> None:
    """Publish the count soon, once for a burst of arrivals and departures."""
    if public_id in _pending:
        return
    _pending.add(public_id)

    delay = _delay(watching(public_id))

    async def publish():
        await asyncio.sleep(delay)
        _pending.discard(public_id)
        count = str(watching(public_id))
        await asyncio.to_thread(send, presence_stream_name(public_id), "watching", count)

    asyncio.get_running_loop().create_task(publish())


def count_changed(public_id: str) -> None:
    """A stream of this video opened or closed (called on the event loop): announce the new
    count soon."""
    _schedule(public_id)


# Behind Pushpin.

PERSON_PREFIX = "person-"


def person_channel(stream: str, person: tuple) -> str:
    """The GRIP channel that a hold of the presence `stream` also subscribes to, for its
    reader `person` (("user", pk), ("visitor", viewer cookie) or ("stream", anything unique),
    as sse.Listener.person): one channel per person, however many tabs. A viewer cookie is
    hashed: channel names show in Pushpin's logs."""
    kind, key = person
    if kind == "visitor":
        key = hashlib.sha256(str(key).encode()).hexdigest()[:20]
    return f"{PERSON_PREFIX}{quote(stream)}-{kind[0]}{key}"


def person_channels(streams, person: tuple) -> list[str]:
    prefix = presence_stream_name("")
    return [person_channel(s, person) for s in streams if s.startswith(prefix)]


class PushpinAudience(threading.Thread):
    """Reads Pushpin's statistics (its ZeroMQ stats socket, in JSON: deploy/pushpin/) and
    announces each video's count of people as its person channels gain or lose their
    subscribers. A channel whose statistics are not refreshed within their TTL is taken as
    gone (Pushpin refreshes them while they have subscribers)."""

    def __init__(self, address: str):
        super().__init__(name="pushpin-audience", daemon=True)
        self.address = address
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.expires: dict[str, dict[str, float]] = {}  # video → person channel → when
        self.due: dict[str, float] = {}  # video → when to announce its count

    def count(self, public_id: str) -> int:
        now = time.monotonic()
        with self.lock:
            return sum(1 for t in self.expires.get(public_id, {}).values() if t > now)

    def noted(self, stats: dict) -> None:
        """One "sub" record of Pushpin's statistics."""
        channel = stats.get("channel", "")
        prefix = PERSON_PREFIX + presence_stream_name("")
        if not channel.startswith(prefix):
            return
        public_id, _, person = channel.removeprefix(prefix).rpartition("-")
        now = time.monotonic()
        with self.lock:
            people = self.expires.setdefault(public_id, {})
            was = people.get(channel, 0) > now
            if stats.get("unavailable") or not stats.get("subscribers", 1):
                people.pop(channel, None)
                present = False
            else:
                people[channel] = now + int(stats.get("ttl", 60)) + 10
                present = True
            if not people:
                del self.expires[public_id]
            if was != present:
                self.due.setdefault(public_id, now + _delay(len(people)))

    def announce_due(self) -> None:
        now = time.monotonic()
        with self.lock:
            # A person whose channel expired unannounced is gone too.
            for public_id, people in list(self.expires.items()):
                for channel in [c for c, t in people.items() if t <= now]:
                    del people[channel]
                    self.due.setdefault(public_id, now)
                if not people:
                    del self.expires[public_id]
            due = [v for v, t in self.due.items() if t <= now]
            for public_id in due:
                del self.due[public_id]
        for public_id in due:
            send(presence_stream_name(public_id), "watching", str(self.count(public_id)))

    def run(self):
        import zmq

        socket = zmq.Context.instance().socket(zmq.SUB)
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


_audience: PushpinAudience | None = None


def count_from_pushpin(address: str):
    """Start reading Pushpin's statistics at `address` (VIDEO_SHARE_PUSHPIN_STATS) in this
    process; returns the function that stops it."""
    global _audience
    _audience = PushpinAudience(address)
    _audience.start()
    return _audience.stop
