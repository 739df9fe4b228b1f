"""Actions on playlists: making them, what they hold and in which order, and Watch later."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ..models import Playlist, PlaylistItem, User, Video
from ..models.playlists import MAX_ITEMS


class PlaylistFull(Exception):
    """The playlist holds MAX_ITEMS videos already."""


def watch_later_of(user: User) -> Playlist:
    """The person's Watch later list, made the first time it is needed."""
    try:
        with transaction.atomic():
            playlist, _created = Playlist.objects.get_or_create(
                owner=user,
                watch_later=True,
                defaults={"title": "", "visibility": Playlist.Visibility.PRIVATE},
            )
    except IntegrityError:  # made by a request of theirs at the same moment
        playlist = Playlist.objects.get(owner=user, watch_later=True)
    return playlist


def do_create_playlist(
    owner: User, *, title: str, description: str = "", visibility: str, video: Video | None = None
) -> Playlist:
    """Make a playlist, holding `video` from the start if one is given."""
    with transaction.atomic():
        playlist = Playlist.objects.create(
            owner=owner, title=title, description=description, visibility=visibility
        )
        if video is not None:
            do_add_to_playlist(playlist, video)
    return playlist


def do_edit_playlist(playlist: Playlist, data: dict) -> None:
    """Save the owner's edits: title, description, visibility."""
    fields = ("title", "description", "visibility")
    for field in fields:
        setattr(playlist, field, data[field])
    playlist.save(update_fields=[*fields, "updated_at"])


def do_delete_playlist(playlist: Playlist) -> None:
    """Delete a playlist (never its videos)."""
    playlist.delete()


def _locked(playlist: Playlist) -> None:
    # Changes to one list take turns, so that positions stay unique and in order.
    Playlist.objects.select_for_update().filter(pk=playlist.pk).values_list("pk").get()


def _changed(playlist: Playlist) -> None:
    # Only a list whose videos changed moves up the owner's lists ("Updated …").
    Playlist.objects.filter(pk=playlist.pk).update(updated_at=timezone.now())


def do_add_to_playlist(playlist: Playlist, video: Video) -> bool:
    """Put `video` at the end of the list; False if it was there already. Raises PlaylistFull."""
    with transaction.atomic():
        _locked(playlist)
        items = playlist.items.all()
        if items.filter(video=video).exists():
            return False
        if items.count() >= MAX_ITEMS:
            raise PlaylistFull
        last = items.aggregate(last=Max("position"))["last"]
        PlaylistItem.objects.create(
            playlist=playlist, video=video, position=0 if last is None else last + 1
        )
        _changed(playlist)
    return True


def do_remove_from_playlist(playlist: Playlist, video: Video) -> bool:
    """Take `video` out of the list; False if it was not there."""
    with transaction.atomic():
        _locked(playlist)
        removed, _kinds = playlist.items.filter(video=video).delete()
        if removed:
            _changed(playlist)
    return bool(removed)


def do_move_in_playlist(playlist: Playlist, video: Video, index: int) -> bool:
    """Move `video` to the `index`-th place of the list (0 is the first; beyond the end is
    the last); False if it is not in the list."""
    with transaction.atomic():
        _locked(playlist)
        items = list(playlist.items.order_by("position", "pk"))
        moving = next((item for item in items if item.video_id == video.pk), None)
        if moving is None:
            return False
        items.remove(moving)
        items.insert(max(0, min(index, len(items))), moving)
        changed = []
        for position, item in enumerate(items):
            if item.position != position:
                item.position = position
                changed.append(item)
        PlaylistItem.objects.bulk_update(changed, ["position"])
        if changed:
            _changed(playlist)
    return True


def do_set_saved(user: User, video: Video, offered: list[Playlist], chosen: set[int]):
    """Of the playlists `offered` to `user` for `video` (the Save menu), make those whose pk
    is in `chosen` hold it and the others not. Returns the playlists it was added to and
    those it was removed from; one that is full is left as it was, and listed as such."""
    added, removed, full = [], [], []
    for playlist in offered:
        if playlist.pk in chosen:
            try:
                if do_add_to_playlist(playlist, video):
                    added.append(playlist)
            except PlaylistFull:
                full.append(playlist)
        elif do_remove_from_playlist(playlist, video):
            removed.append(playlist)
    return added, removed, full
