"""Video search: one interface over SQLite FTS5 and PostgreSQL full-text search.

Documents and queries are folded the same way (text.fold), so Arabic matches regardless of
diacritics, hamza forms of alef, ta marbuta or tatweel, and Latin regardless of case. Query
words become prefix terms (search as you type); everything else in the query is dropped, so
FTS syntax typed by a user can neither break nor steer the search.
"""

import hashlib
import re
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from .models import Caption, Video, VideoSearch
from .text import fold

MAX_TERMS = 10
# Search shows the best matches, not every match: ranking stays one quick index read.
MAX_MATCHES = 1000
MAX_TERM_LENGTH = 40
# Ranking many matches is the costly part of a search (bm25 or ts_rank over every match);
# the ranked ids of a query are kept this long, and dropped whenever the index changes. Who
# may see each video is checked on every search, so a hidden video never shows.
RANKED_SECONDS = 300
_GENERATION = "search:generation"
DURATIONS = {"short": (0, 240), "medium": (240, 1200), "long": (1200, None)}
UPLOADED = {"today": 1, "week": 7, "month": 31, "year": 366}
SORTS = ("relevance", "date", "views")

_WORDS = re.compile(r"\w+")
# The expression the GIN index of migration 0006 is built on (the same text, or it is unused).
_POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('simple', title), 'A') || "
    "setweight(to_tsvector('simple', tags), 'B') || "
    "setweight(to_tsvector('simple', channel), 'C') || "
    "setweight(to_tsvector('simple', body), 'D')"
)


def terms(query: str) -> list[str]:
    """The words of a query, folded; nothing else survives."""
    return [word[:MAX_TERM_LENGTH] for word in _WORDS.findall(fold(query))][:MAX_TERMS]


def index_videos(videos) -> None:
    """Write the searchable text of these videos (call after their title, description, tags,
    captions or channel name change)."""
    captions = Prefetch("captions", queryset=Caption.objects.only("video", "text"))
    for video in videos.select_related("owner").prefetch_related("tags", captions):
        # What is said in the video counts as its description does.
        body = "\n".join([video.description, *(caption.text for caption in video.captions.all())])
        VideoSearch.objects.update_or_create(
            video=video,
            defaults={
                "title": fold(video.title),
                "tags": fold(" ".join(tag.name for tag in video.tags.all())),
                "channel": fold(f"{video.owner.username} {video.owner.display_name}"),
                "body": fold(body),
            },
        )
    # Now, for searches that follow in this transaction; after the commit, for a search
    # that ranked the old index meanwhile.
    _index_changed()
    transaction.on_commit(_index_changed)


def _index_changed():
    cache.set(_GENERATION, time.time_ns(), None)


def _ranked(words: list[str]) -> list[int]:
    """_ranked_ids, kept RANKED_SECONDS or until the index changes."""
    query = f"{cache.get(_GENERATION, 0)}:" + "|".join(words)
    key = "search:" + hashlib.sha256(query.encode()).hexdigest()
    return cache.get_or_set(key, lambda: _ranked_ids(words), RANKED_SECONDS)


def _ranked_ids(words: list[str]) -> list[int]:
    """Ids of the best MAX_MATCHES matches, most relevant first, in one index read."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = " & ".join(f"{word}:*" for word in words)
            cursor.execute(
                "SELECT video_id FROM video_share_videosearch "  # noqa: S608 - constant SQL
                f"WHERE ({_POSTGRES_DOCUMENT}) @@ to_tsquery('simple', %s) "
                f"ORDER BY ts_rank({_POSTGRES_DOCUMENT}, to_tsquery('simple', %s)) DESC LIMIT %s",
                [query, query, MAX_MATCHES],
            )
        else:
            # bm25: lower is better; title counts most, then tags, channel, description.
            cursor.execute(
                "SELECT rowid FROM video_share_fts WHERE video_share_fts MATCH %s "
                "ORDER BY bm25(video_share_fts, 10.0, 5.0, 3.0, 1.0) LIMIT %s",
                [" ".join(f'"{word}"*' for word in words), MAX_MATCHES],
            )
        return [row[0] for row in cursor.fetchall()]


def search_videos(query: str, *, user, duration: str = "", uploaded: str = "", sort: str = ""):
    """Videos matching `query` that `user` may find: listed ones, plus their own."""
    words = terms(query)
    if not words:
        return Video.objects.none()
    ids = _ranked(words)
    if not ids:
        return Video.objects.none()
    findable = Q(status=Video.Status.READY, visibility=Video.Visibility.PUBLIC)
    if user.is_authenticated:
        findable |= Q(owner=user)
    videos = Video.objects.filter(findable)
    if duration in DURATIONS:
        low, high = DURATIONS[duration]
        videos = videos.filter(duration__gte=low)
        if high is not None:
            videos = videos.filter(duration__lt=high)
    if uploaded in UPLOADED:
        videos = videos.filter(created_at__gte=timezone.now() - timedelta(days=UPLOADED[uploaded]))
    if sort == "date":
        return videos.filter(pk__in=ids).order_by("-created_at", "-pk")
    if sort == "views":
        return videos.filter(pk__in=ids).order_by("-view_count", "-created_at", "-pk")
    return RankedResults(ids, videos)  # reads the ids it needs, a chunk at a time


class RankedResults:
    """Videos in relevance order. Which ranked ids pass the filters (and permissions) is read
    only as far as the page asked for, in chunks that double (at most five queries for
    MAX_MATCHES ids; a first page usually needs one); the page itself is one more query."""

    FIRST_CHUNK = 100

    def __init__(self, ranked_ids: list[int], videos):
        self.ranked, self.videos = ranked_ids, videos
        self.allowed: list[int] = []
        self.checked = 0
        self.chunk = self.FIRST_CHUNK

    def for_cards(self) -> "RankedResults":
        self.videos = self.videos.for_cards()
        return self

    def _allow(self, count: int) -> None:
        while len(self.allowed) < count and self.checked < len(self.ranked):
            chunk = self.ranked[self.checked : self.checked + self.chunk]
            passing = set(self.videos.filter(pk__in=chunk).values_list("pk", flat=True))
            self.allowed += [pk for pk in chunk if pk in passing]
            self.checked += len(chunk)
            self.chunk *= 2

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if isinstance(index, slice):
            self._allow(len(self.ranked) if index.stop is None else index.stop)
            ids = self.allowed[index]
        else:
            self._allow(index + 1)
            ids = [self.allowed[index]]
        found = self.videos.filter(pk__in=ids).in_bulk()
        page = [found[pk] for pk in ids if pk in found]
        return page if isinstance(index, slice) else page[0]
