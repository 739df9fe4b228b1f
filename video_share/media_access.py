"""Who may fetch a video's files, cached briefly in this process.

A seek makes the browser send several Range requests in a row; each would otherwise need a
database round trip (a thread hop and a connection under ASGI) before a byte is sent. The
answer is kept for a couple of seconds, and dropped at once in this process when the video
changes; other processes see a change within ACCESS_TTL seconds.

A lookup that read the database before a change, but stores its answer after the change
dropped the entry, would put the old answer back: every change bumps a generation number,
and a lookup stores its answer only if no change came since it began.
"""

import threading
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from .models import Caption, Rendition, Video

ACCESS_TTL = 2.0
_entries: dict[str, tuple[float, "Access | None"]] = {}
_generation = 0
_lock = threading.Lock()


@dataclass(frozen=True)
class Access:
    video: Video
    renditions: frozenset[str]
    hls_prefixes: tuple[str, ...] = ()  # the renditions' HLS files start so (Rendition.hls)
    captions: frozenset[str] = frozenset()

    def allows(self, user, stored_name: str) -> bool:
        if stored_name in self.video.frames:
            return self.video.can_edit(user)
        if (
            stored_name in self.renditions
            or stored_name == self.video.poster.name
            or stored_name in self.video.storyboard.get("sheets", ())
            or stored_name in self.captions
            or stored_name.startswith(self.hls_prefixes)
        ):
            return self.video.can_view(user)
        return False

    def may_leave_site(self, stored_name: str) -> bool:
        """Whether the file may be handed out as a URL on object storage, which works for
        whoever holds it until it expires: only what everyone with the video's link may see
        (a public or unlisted video's poster and renditions)."""
        return (
            self.video.is_playable
            and self.video.visibility != Video.Visibility.PRIVATE
            and stored_name not in self.video.frames
            # A playlist names its segments relatively: from here, not from the object
            # store, so that each of them is asked of the site (and checked) in turn.
            and not stored_name.endswith(".m3u8")
            # A <track> follows no redirect to another origin (the <video> asks for no CORS).
            and stored_name not in self.captions
        )

    def cache_control(self, stored_name: str) -> str:
        """Media of a public video may stay in the browser for a day; anything narrower is
        revalidated on every use (ETag, Last-Modified: a 304 costs no bytes), so that a
        video made private, or a viewer signed out, is refused at once."""
        if (
            self.video.visibility == Video.Visibility.PUBLIC
            and stored_name not in self.video.frames
        ):
            return "private, max-age=86400"
        return "private, no-cache"


def _load(public_id: str) -> Access | None:
    video = (
        Video.objects.filter(public_id=public_id)
        .prefetch_related(
            Prefetch("renditions", queryset=Rendition.objects.only("file", "hls", "video")),
            Prefetch("captions", queryset=Caption.objects.only("file", "video")),
        )
        .first()
    )
    if video is None:
        return None
    renditions = video.renditions.all()
    return Access(
        video,
        frozenset(r.file.name for r in renditions),
        tuple(r.hls_prefix for r in renditions if r.hls),
        frozenset(c.file.name for c in video.captions.all()),
    )


def cached(public_id: str) -> tuple[bool, Access | None]:
    """(found in cache, access). Safe on the event loop: memory only."""
    with _lock:
        entry = _entries.get(public_id)
    if entry and entry[0] > time.monotonic():
        return True, entry[1]
    return False, None


def load(public_id: str) -> Access | None:
    """Read from the database and remember (call from a thread under ASGI)."""
    with _lock:
        started = _generation
    access = _load(public_id)
    with _lock:
        if _generation == started:
            if len(_entries) > 10_000:
                _entries.clear()
            _entries[public_id] = (time.monotonic() + ACCESS_TTL, access)
    return access


def forget_on_commit(public_id: str) -> None:
    """A write may change who may fetch which files of the video: forget the answer once it is
    committed (a lookup before the commit would still read, and store, the old one)."""
    transaction.on_commit(lambda: forget(public_id))


def forget(public_id: str) -> None:
    """Call after a change to the video is committed."""
    global _generation
    with _lock:
        _generation += 1
        _entries.pop(public_id, None)
