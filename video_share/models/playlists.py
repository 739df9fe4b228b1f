from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .videos import Video, new_public_id

# A person's playlists, and what one playlist holds, are kept within what a page can show and
# a reorder can renumber in one go.
MAX_PLAYLISTS = 200
MAX_ITEMS = 5000


class PlaylistQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(visibility=Playlist.Visibility.PUBLIC)

    def with_summary_for(self, user):
        """Each playlist with what its card shows `user`: `shown_count`, the number of its
        videos they may watch (all of them, for their own lists), and `cover`, the first of
        those (with its poster), or None."""
        visible = Video.objects.visible_to(user).values("pk")
        shown = Q(items__video__in=visible)
        if user.is_authenticated:
            shown |= Q(owner=user)
        first = (
            PlaylistItem.objects.filter(playlist=OuterRef("pk"), video__in=visible)
            .order_by("position", "pk")
            .values("video")[:1]
        )
        playlists = list(
            self.annotate(shown_count=Count("items", filter=shown), cover_id=Subquery(first))
        )
        covers = Video.objects.in_bulk({p.cover_id for p in playlists if p.cover_id})
        for playlist in playlists:
            playlist.cover = covers.get(playlist.cover_id)
        return playlists

    def made_by(self, user):
        """`user`'s own playlists (not Watch later), the latest changed first."""
        return self.filter(owner=user, watch_later=False).order_by("-updated_at", "-pk")


class Playlist(models.Model):
    """An ordered list of videos that someone keeps: a term's lessons, a series. Each person
    also has one built-in private list, Watch later, made the first time they use it."""

    Visibility = Video.Visibility

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.PUBLIC
    )
    watch_later = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlaylistQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(watch_later=True), name="one_watch_later_per_user"
            )
        ]
        indexes = [models.Index(fields=["owner", "-updated_at"])]

    def __str__(self):
        return str(self.name)

    def get_absolute_url(self):
        return reverse("playlist", kwargs={"public_id": self.public_id})

    @property
    def name(self) -> str:
        """What the list is called: Watch later is called so in every language."""
        return _("Watch later") if self.watch_later else self.title

    def can_view(self, user) -> bool:
        return self.visibility != self.Visibility.PRIVATE or self.can_edit(user)

    def can_edit(self, user) -> bool:
        return user.is_authenticated and user.pk == self.owner_id

    def entries_for(self, user) -> list["PlaylistItem"]:
        """The items, in order, that `user` is shown: the videos they may watch; for the
        playlist's owner also the others (made private or not ready since they were added),
        which the page shows as unavailable so that they can be removed."""
        items = self.items.select_related("video", "video__owner").order_by("position", "pk")
        own = self.can_edit(user)
        entries = []
        for item in items:
            item.available = item.video.can_view(user)
            if item.available or own:
                entries.append(item)
        return entries


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    # A deleted video leaves the lists it was in.
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="playlist_items")
    position = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["playlist", "video"], name="video_once_per_playlist")
        ]
        indexes = [models.Index(fields=["playlist", "position"])]

    def __str__(self):
        return f"{self.video_id} at {self.position} of {self.playlist_id}"
