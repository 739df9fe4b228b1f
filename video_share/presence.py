""" "N watching now": how many people have a video's page open, pushed to its viewers.

People, not streams: a signed-in viewer counts once however many tabs (streams) they have
open, on however many browsers; a visitor who is not signed in counts once per browser, known
by the viewer cookie its stream carries (a browser that has none yet is given one by its first
stream, and until its next one, each of its streams counts apart).

Counted from the streams this process holds; with several web processes behind Redis, each
shares its people of the video there, and announces everyone's count to every viewer
(video_share.audience). Presence events are not stored: a count is only worth its latest
value.
"""

import asyncio

from django_eventstream.views import get_listener_manager

from . import audience
from .events import presence_stream_name, send

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
    else in this one. Blocking with Redis: call from a thread."""
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


def _schedule(public_id: str) -> None:
    """Publish the count soon, once for a burst of arrivals and departures."""
    if public_id in _pending:
        return
    _pending.add(public_id)

    size = len(people(public_id))
    delay = min(DEBOUNCE_MOST, DEBOUNCE_SECONDS + DEBOUNCE_PER_THOUSAND * size / 1000)

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
