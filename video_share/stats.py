"""Creators' statistics: what a video, or a whole channel, got each day (or month) of a period,
counted in the database (one grouped query per figure, whatever the audience), with the days
in the site's time zone.

Views, likes, comments and subscribers are the rows the site counts them from (View,
Reaction, the comments the watch page shows, Subscription), so their totals are the counters
shown elsewhere. Watch time comes from WatchTime, which the players of signed-in viewers feed;
the average percentage watched is that watch time over the length of those viewers' views."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateField, F, FloatField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from .models import Comment, Reaction, Subscription, User, Video, View, WatchTime

PERIODS = ("28d", "all")
RECENT_DAYS = 28
# All time is shown day by day while it is no longer than this, month by month beyond.
MOST_DAYS = 92
TOP_VIDEOS = 10


@dataclass(frozen=True)
class Period:
    key: str  # one of PERIODS
    first: date
    today: date
    by_month: bool

    @property
    def buckets(self) -> list[date]:
        """The first day of each day (or month) shown, oldest first."""
        if not self.by_month:
            days = (self.today - self.first).days + 1
            return [self.first + timedelta(days=n) for n in range(days)]
        months, month = [], self.first.replace(day=1)
        while month <= self.today:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_default_timezone())


def period_of(key: str, started: datetime, today: date | None = None) -> Period:
    """The period `key` names (28 days unless "all"), for something that began at `started`."""
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    if key != "all":
        return Period("28d", today - timedelta(days=RECENT_DAYS - 1), today, by_month=False)
    first = min(timezone.localdate(started, timezone.get_default_timezone()), today)
    return Period("all", first, today, by_month=(today - first).days >= MOST_DAYS)


@dataclass(frozen=True)
class Figure:
    """One measure over the period: its value per bucket, its total then and for all time."""

    key: str
    values: list[float]
    total: float
    all_time: float


def _per_bucket(rows, field: str, period: Period, **aggregates) -> dict[date, dict]:
    """`aggregates` of `rows` grouped by the day (or month) of their `field`, from the start
    of the period: {first day of the bucket: {name: value}}."""
    site = timezone.get_default_timezone()
    if field == "day":  # a DateField, already a day of the site's
        since = {"day__gte": period.first}
        bucket = TruncMonth("day") if period.by_month else F("day")
    else:
        since = {f"{field}__gte": period.since}
        bucket = (
            TruncMonth(field, tzinfo=site, output_field=DateField())
            if period.by_month
            else TruncDate(field, tzinfo=site)
        )
    grouped = rows.filter(**since).annotate(bucket=bucket).values("bucket").order_by("bucket")
    return {row.pop("bucket"): row for row in grouped.annotate(**aggregates)}


def _figure(key: str, counted: dict, name: str, period: Period, all_time: float) -> Figure:
    values = [counted.get(bucket, {}).get(name) or 0 for bucket in period.buckets]
    return Figure(key, values, sum(values), all_time)


def _figures(scope: dict, period: Period, all_time: dict) -> dict:
    """The figures of `scope` (the rows of one video or one channel) over `period`."""
    views = _per_bucket(
        scope["views"],
        "created_at",
        period,
        views=Count("pk"),
        # What the views of signed-in viewers (whose players report watch time) would be,
        # had each watched the whole video: what the average percentage is of.
        whole=Sum("video__duration", filter=Q(user__isnull=False)),
    )
    watched = _per_bucket(scope["watch_times"], "day", period, seconds=Sum("seconds"))
    figures = {
        "views": _figure("views", views, "views", period, all_time["views"]),
        "watch_time": _figure(
            "watch_time",
            {day: {"minutes": row["seconds"] / 60} for day, row in watched.items()},
            "minutes",
            period,
            all_time["seconds"] / 60,
        ),
        "likes": _figure(
            "likes",
            _per_bucket(scope["likes"], "created_at", period, n=Count("pk")),
            "n",
            period,
            all_time["likes"],
        ),
        "comments": _figure(
            "comments",
            _per_bucket(scope["comments"], "created_at", period, n=Count("pk")),
            "n",
            period,
            all_time["comments"],
        ),
    }
    if "subscribers" in scope:
        figures["subscribers"] = _figure(
            "subscribers",
            _per_bucket(scope["subscribers"], "created_at", period, n=Count("pk")),
            "n",
            period,
            all_time["subscribers"],
        )
    whole = sum(row["whole"] or 0 for row in views.values())
    seconds = sum(row["seconds"] or 0 for row in watched.values())
    return {
        "period": period,
        "figures": figures,
        "average_percent": _percent(seconds, whole),
        "all_time_average_percent": _percent(all_time["seconds"], all_time["whole"]),
    }


def _percent(seconds: float, whole: float | None) -> int | None:
    """None when there is nothing to take a percentage of."""
    if not whole:
        return None
    return min(100, round(seconds / whole * 100))


def _watching(views, watch_times) -> dict:
    """All-time watch time, and what the average percentage watched is of."""
    return {
        "seconds": watch_times.aggregate(s=Sum("seconds"))["s"] or 0,
        "whole": views.filter(user__isnull=False).aggregate(s=Sum("video__duration"))["s"],
    }


def video_stats(video: Video, period: Period) -> dict:
    """The statistics of one video (a fixed number of queries)."""
    scope = {
        "views": View.objects.filter(video=video),
        "watch_times": WatchTime.objects.filter(video=video),
        "likes": Reaction.objects.filter(video=video, value=Reaction.LIKE),
        "comments": Comment.objects.filter(video=video).visible(),
    }
    all_time = {
        "views": video.view_count,
        "likes": video.like_count,
        "comments": scope["comments"].count(),
        **_watching(scope["views"], scope["watch_times"]),
    }
    return _figures(scope, period, all_time)


def channel_stats(owner: User, period: Period) -> dict:
    """The statistics of a whole channel, and its top videos over the period (a fixed number
    of queries)."""
    scope = {
        "views": View.objects.filter(video__owner=owner),
        "watch_times": WatchTime.objects.filter(video__owner=owner),
        "likes": Reaction.objects.filter(video__owner=owner, value=Reaction.LIKE),
        "comments": Comment.objects.filter(video__owner=owner).visible(),
        "subscribers": Subscription.objects.filter(channel=owner),
    }
    counters = Video.objects.filter(owner=owner).aggregate(
        views=Coalesce(Sum("view_count"), 0), likes=Coalesce(Sum("like_count"), 0)
    )
    all_time = {
        **counters,
        "comments": scope["comments"].count(),
        "subscribers": owner.subscriber_count,
        **_watching(scope["views"], scope["watch_times"]),
    }
    return {**_figures(scope, period, all_time), "top_videos": top_videos(owner, period)}


def top_videos(owner: User, period: Period) -> list[Video]:
    """The channel's most viewed videos over the period, each with its views, watch time
    (`watch_minutes`) and likes then."""

    def over_period(rows, field: str, total):
        counted = rows.filter(video=OuterRef("pk"), **{f"{field}__gte": since})
        return Subquery(counted.values("video").annotate(n=total).values("n"))

    since = period.since
    videos = Video.objects.filter(owner=owner).annotate(
        period_views=Coalesce(over_period(View.objects, "created_at", Count("pk")), 0),
        period_likes=Coalesce(
            over_period(Reaction.objects.filter(value=Reaction.LIKE), "created_at", Count("pk")),
            0,
        ),
    )
    watched = WatchTime.objects.filter(video=OuterRef("pk"), day__gte=period.first)
    videos = videos.annotate(
        watch_seconds=Coalesce(
            Subquery(watched.values("video").annotate(s=Sum("seconds")).values("s")),
            0.0,
            output_field=FloatField(),
        )
    )
    top = list(videos.order_by("-period_views", "-watch_seconds", "-created_at")[:TOP_VIDEOS])
    for video in top:
        video.watch_minutes = video.watch_seconds / 60
    return top
