"""Where live events are stored, for readers who reconnect (django-eventstream's storage).

The database storage, plus each stream's current event id kept in memory when this process
writes every event there is: `serve` running its own worker, without Redis (set by `serve`).
A stream that opens or reconnects then reads the database only when it has missed something.
With several processes (Redis configured, or separate workers) every read goes to the
database, as django-eventstream does.
"""

import json
import re
import threading

from django_eventstream.storage import DjangoModelStorage

_current: dict[str, int] = {}
_lock = threading.Lock()
_sole_writer = False


def this_process_writes_every_event(sole: bool = True) -> None:
    """Called by `serve` when it runs the worker in-process and no Redis is configured."""
    global _sole_writer
    with _lock:
        _sole_writer = sole
        _current.clear()


class EventStorage(DjangoModelStorage):
    def append_event(self, stream, event_type, data):
        event = super().append_event(stream, event_type, data)
        # Known before the event is queued to the open streams: a stream reading storage
        # now either finds it or gets it from its queue.
        with _lock:
            if _sole_writer:
                _current[stream] = max(_current.get(stream, 0), event.id)
        return event

    def get_current_id(self, stream):
        with _lock:
            if _sole_writer and stream in _current:
                return _current[stream]
        value = super().get_current_id(stream)
        with _lock:
            if _sole_writer:
                # An event appended meanwhile has already put its newer id here.
                value = _current.setdefault(stream, value)
        return value

    def get_events(self, stream, last_id, limit=100):
        with _lock:
            caught_up = _sole_writer and _current.get(stream) == last_id
        if caught_up:
            return []
        return super().get_events(stream, last_id, limit=limit)


def rewrite_marked(stream: str, key: str, replace) -> int:
    """Rewrite every stored event of `stream` that holds a part marked ``<!--key-->`` …
    ``<!--/key-->``: the part becomes ``replace(match)`` (a string, or a function of the
    match). Readers who reconnect are replayed stored events, so a replay must never show what
    the page would no longer show (a comment deleted, hidden or edited since). Returns how many
    events changed.

    Stored data is the JSON of the event's text, as DjangoModelStorage writes it (a test
    replays rewritten events through a real stream)."""
    from django_eventstream.models import Event

    pattern = re.compile(rf"<!--{re.escape(key)}-->.*?<!--/{re.escape(key)}-->", re.DOTALL)
    changed = 0
    for pk, data in Event.objects.filter(
        channel=stream, data__contains=f"<!--{key}-->"
    ).values_list("pk", "data"):
        text = json.loads(data)
        Event.objects.filter(pk=pk).update(data=json.dumps(pattern.sub(replace, text)))
        changed += 1
    return changed
