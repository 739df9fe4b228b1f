import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..chapters import Chapter, chapters_in
from ..text import clean_tag, fold
from .watching import View

# Related videos are chosen among this many of the newest sharing a tag, and as many of the
# newest from the same channel.
RELATED_CANDIDATES = 200


def new_public_id() -> str:
    # 11 URL-safe characters (64 random bits): short, unguessable, not the database pk.
    return secrets.token_urlsafe(8)


class Tag(models.Model):
    name = models.CharField(max_length=30)
    key = models.CharField(max_length=60, unique=True, editable=False)

    def __str__(self):
        return self.name

    @classmethod
    def for_names(cls, names: list[str]) -> list["Tag"]:
        tags = []
        for name in names:
            tag, _created = cls.objects.get_or_create(
                key=fold(name), defaults={"name": clean_tag(name)}
            )
            tags.append(tag)
        return tags


class VideoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Videos `user` may open: listed or unlisted ones that are watchable, plus their own."""
        shared = Q(
            status=Video.Status.READY,
            visibility__in=[Video.Visibility.PUBLIC, Video.Visibility.UNLISTED],
        )
        if user.is_authenticated:
            return self.filter(shared | Q(owner=user))
        return self.filter(shared)

    def listed(self):
        return self.filter(status=Video.Status.READY, visibility=Video.Visibility.PUBLIC)

    def not_listed_of(self, user):
        """`user`'s videos that are not listed (unlisted, private, or not ready)."""
        return self.filter(owner=user).exclude(
            status=Video.Status.READY, visibility=Video.Visibility.PUBLIC
        )

    def for_cards(self):
        """What a video card shows, in the same query."""
        return self.select_related("owner")

    def trending(self, days: int = 7):
        """Most views counted in the last `days` days first; ties (and no views) by recency."""
        since = timezone.now() - timedelta(days=days)
        recent = View.objects.filter(video=OuterRef("pk"), created_at__gte=since)
        recent_count = recent.values("video").annotate(n=models.Count("pk")).values("n")
        return self.annotate(recent_views=Coalesce(Subquery(recent_count), 0)).order_by(
            "-recent_views", "-created_at", "-pk"
        )

    def from_subscriptions(self, user):
        return self.filter(owner__subscribers__subscriber=user)

    def sorted_by(self, sort: str):
        """Channel and search orders: "latest", "popular", "oldest"."""
        orders = {
            "popular": ("-view_count", "-created_at", "-pk"),
            "oldest": ("created_at", "pk"),
        }
        return self.order_by(*orders.get(sort, ("-created_at", "-pk")))

    def related_to(self, video: "Video"):
        """Listed videos from the same channel or sharing a tag, most shared tags first.

        Only the newest RELATED_CANDIDATES of each are weighed: a popular tag can have
        thousands of videos, and ranking them all would cost more than the rest of the page.
        """
        tag_ids = list(video.tags.values_list("pk", flat=True))
        tagged = (
            Video.tags.through.objects.filter(tag_id__in=tag_ids)
            .exclude(video_id=video.pk)
            .order_by("-video_id")
            .values("video_id")[:RELATED_CANDIDATES]
        )
        same_channel = (
            Video.objects.filter(owner_id=video.owner_id)
            .exclude(pk=video.pk)
            .order_by("-pk")
            .values("pk")[:RELATED_CANDIDATES]
        )
        return (
            self.listed()
            .filter(Q(pk__in=Subquery(tagged)) | Q(pk__in=Subquery(same_channel)))
            .annotate(shared=models.Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
            .order_by("-shared", "-created_at")
        )

    def waiting(self):
        return self.filter(status__in=[Video.Status.UPLOADED, Video.Status.PROCESSING])

    def with_work_left(self):
        """Videos the worker still has to do something for: their first rendition, or a
        higher one."""
        return self.filter(
            Q(status__in=[Video.Status.UPLOADED, Video.Status.PROCESSING])
            | (Q(status=Video.Status.READY) & ~Q(pending_heights=[]))
        )

    def stored_bytes(self) -> int:
        """The size of these videos' uploads, as counted against a storage quota."""
        return self.aggregate(total=models.Sum("source_size"))["total"] or 0


class Video(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Waiting to be processed")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        UNLISTED = "unlisted", _("Unlisted")
        PRIVATE = "private", _("Private")

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="videos")
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.PUBLIC
    )

    class CommentPolicy(models.TextChoices):
        OPEN = "open", _("On")
        HELD = "held", _("Held for review")
        OFF = "off", _("Off")

    status = models.CharField(max_length=12, choices=Status, default=Status.UPLOADED)
    failure_reason = models.TextField(blank=True)
    # Percent done of the step running now, which step (rendition height; 0 = preparing,
    # STORYBOARD_STEP = the scrub previews), and when that step began.
    progress = models.PositiveSmallIntegerField(default=0)
    progress_step = models.PositiveSmallIntegerField(default=0)
    step_started_at = models.DateTimeField(null=True, blank=True)
    # Renditions still to make, lowest first; the video is watchable once one exists.
    pending_heights = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queue_priority = models.SmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    source = models.FileField(max_length=200, blank=True)
    source_size = models.BigIntegerField(default=0)
    source_name = models.CharField(max_length=255, blank=True)  # shown to the owner only
    demuxer = models.CharField(max_length=20, blank=True)
    duration = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    video_codec = models.CharField(max_length=30, blank=True)
    audio_codec = models.CharField(max_length=30, blank=True)
    rotation = models.SmallIntegerField(default=0)
    view_count = models.PositiveBigIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    dislike_count = models.PositiveIntegerField(default=0)
    poster = models.FileField(max_length=200, blank=True)
    frames = models.JSONField(default=list, blank=True)  # candidate poster frames (names)
    # Scrub previews: {"sheets": [names], "interval", "width", "height", "count", "columns",
    # "rows"} as media.Storyboard says, or {} until made (after the first rendition).
    storyboard = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    # While set, the video is private, and the worker makes it public then
    # (actions.videos.publish_scheduled).
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    allow_download = models.BooleanField(_("allow downloads"), default=False)
    comment_policy = models.CharField(
        _("comments"), max_length=4, choices=CommentPolicy, default=CommentPolicy.OPEN
    )
    # When its channel's subscribers were told about it (once, when it first went public).
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "visibility", "-created_at"]),
            models.Index(fields=["owner", "-created_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("watch", kwargs={"public_id": self.public_id})

    @property
    def media_dir(self) -> str:
        """Storage folder of every file this video has; named by our id, never the upload's."""
        return f"videos/{self.public_id}"

    @property
    def is_waiting(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.PROCESSING)

    @property
    def is_playable(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_listed(self) -> bool:
        """Shown to everyone: in listings, feeds, the sitemap and link previews."""
        return self.is_playable and self.visibility == self.Visibility.PUBLIC

    STORYBOARD_STEP = 1

    @property
    def ladder_labels(self) -> str:
        """The renditions a one-pass ladder job is making ("720p, 1080p"), if it is one."""
        if not self.is_playable or len(self.pending_heights) < 2:
            return ""
        return ", ".join(f"{height}p" for height in self.pending_heights)

    @property
    def step_seconds_left(self) -> int | None:
        """About how long the running step has left, from its pace so far (None until it has
        gone far enough to tell)."""
        if not self.step_started_at or self.progress < 3 or self.progress >= 100:
            return None
        elapsed = (timezone.now() - self.step_started_at).total_seconds()
        return max(1, round(elapsed / self.progress * (100 - self.progress)))

    @property
    def works_on(self) -> bool:
        """A playable video with more to make (renditions, previews): its owner is told."""
        making_previews = self.progress_step == self.STORYBOARD_STEP and self.progress < 100
        return self.is_playable and bool(self.pending_heights or making_previews)

    @cached_property
    def chapters(self) -> list[Chapter]:
        """The chapters its description lists (video_share.chapters), if any."""
        return chapters_in(self.description, self.duration)

    def can_view(self, user) -> bool:
        if self.can_edit(user):
            return True
        return self.is_playable and self.visibility != self.Visibility.PRIVATE

    def can_edit(self, user) -> bool:
        return user.is_authenticated and (user.pk == self.owner_id or user.is_staff)

    # Sharper renditions than this are not offered outside the site: a podcast app downloads
    # the whole file, a link preview plays it in a small box.
    SHARED_HEIGHT = 720

    def rendition_to_share(self, renditions=None) -> "Rendition | None":
        """The MP4 offered outside the site (feed enclosures, link previews): the sharpest up
        to SHARED_HEIGHT, else the smallest. Among `renditions` if the caller has them."""
        if renditions is None:
            renditions = self.renditions.all()
        renditions = sorted(renditions, key=lambda rendition: rendition.height)
        fitting = [r for r in renditions if r.height <= self.SHARED_HEIGHT]
        return (fitting or renditions[:1] or [None])[-1]

    def queue_position(self) -> int:
        """1 when this video's job is next; counts waiting jobs that will run before it."""
        if self.status != self.Status.UPLOADED:
            return 0
        ahead = Video.objects.filter(status=self.Status.UPLOADED).filter(
            Q(queue_priority__gt=self.queue_priority)
            | Q(queue_priority=self.queue_priority, created_at__lt=self.created_at)
        )
        return ahead.count() + 1

    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags.all()]


class Rendition(models.Model):
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="renditions")
    height = models.PositiveSmallIntegerField()  # the "p" number: 360, 720, 1080
    width = models.PositiveIntegerField()
    frame_height = models.PositiveIntegerField()
    file = models.FileField(max_length=200)
    size = models.BigIntegerField()
    # The same as HLS (media.package_hls): its playlist's stored name; its init segment and
    # segments are stored beside it, their names starting as the playlist's does (hls_prefix).
    hls = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-height"]
        constraints = [
            models.UniqueConstraint(fields=["video", "height"], name="one_rendition_per_height")
        ]

    def __str__(self):
        return f"{self.video} {self.height}p"

    @property
    def label(self) -> str:
        return f"{self.height}p"

    @property
    def hls_prefix(self) -> str:
        """What the stored names of this rendition's HLS files start with ("" without)."""
        return self.hls.removesuffix(".m3u8")
