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
"""

import asyncio

from django_eventstream.views import get_listener_manager

from .events import presence_stream_name, send

DEBOUNCE_SECONDS = 0.5
# Each announcement goes to every viewer: a big audience hears of itself less often.
DEBOUNCE_PER_THOUSAND = 1.0
DEBOUNCE_MOST = 10.0
_pending: set[str] = set()


def watching(public_id: str) -> int:
    """How many people have an open stream of this video in this process (whose stream is
    still opening, and so may yet be refused, is not counted)."""
    manager = get_listener_manager()
    with manager.lock:
        listeners = tuple(manager.listeners_by_channel.get(presence_stream_name(public_id), ()))
    return len({listener.person for listener in listeners} - {None})


def _schedule(public_id: str) -> None:
    """Publish the count soon, once for a burst of arrivals and departures."""
    if public_id in _pending:
        return
    _pending.add(public_id)

    audience = watching(public_id)
    delay = min(DEBOUNCE_MOST, DEBOUNCE_SECONDS + DEBOUNCE_PER_THOUSAND * audience / 1000)

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
