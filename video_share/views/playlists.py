"""Playlists: one's library of them, a playlist's page and its editing, and saving a video
to lists (the watch page's Save menu, and Watch later on the watch page and on cards)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import actions
from ..forms import PlaylistForm
from ..htmx import HtmxHttpRequest, navigate, wants_partial
from ..models import Playlist, PlaylistItem, Video
from ..models.playlists import MAX_ITEMS
from ..prepared import Prepared
from ..shared_pages import personal_part, personal_to
from .lookups import playlist_for, video_for

# How many of a long list the watch page shows beside the player, before and after the video.
PANEL_BEFORE, PANEL_AFTER = 50, 150


def _back(request, default: str) -> str:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return back
    return default


@login_required
@require_safe
def library(request: HtmxHttpRequest):
    """The person's playlists, Watch later first."""
    watch_later = actions.watch_later_of(request.user)
    mine = Playlist.objects.filter(owner=request.user).order_by("-watch_later", "-updated_at")
    context = {
        "playlists": mine.with_summary_for(request.user),
        "watch_later": watch_later,
        "form": PlaylistForm(owner=request.user),
    }
    return render(request, "video_share/playlists.html", context)


@login_required
@require_safe
def watch_later(request: HtmxHttpRequest):
    return render_playlist(request, actions.watch_later_of(request.user))


@require_safe
def playlist(request: HtmxHttpRequest, public_id: str):
    return render_playlist(request, playlist_for(request, public_id))


def render_playlist(request, playlist: Playlist, *, status: str = "", partial: bool = False):
    """The playlist's page, or its list alone (`partial`, or htmx asking for it)."""
    entries = playlist.entries_for(request.user)
    context = {
        "playlist": playlist,
        "entries": entries,
        "playable": [entry for entry in entries if entry.available],
        "own": playlist.can_edit(request.user),
        "status": status,
        "oob": partial,
    }
    if partial or (wants_partial(request) and request.htmx.target == "playlist-items"):
        return render(request, "video_share/playlist.html#playlist-items", context)
    return render(request, "video_share/playlist.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HtmxHttpRequest):
    """A new playlist; with `video`, holding that video from the start (the Save menu's
    "New playlist")."""
    public_id = request.POST.get("video") or request.GET.get("video")
    video = video_for(request, public_id) if public_id else None
    form = PlaylistForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        playlist = actions.do_create_playlist(request.user, **form.cleaned_data, video=video)
        if video is None:
            messages.success(request, _("Your playlist is made."))
            return navigate(request, playlist)
        saved = _("Saved to %(name)s.") % {"name": playlist.name}
        if wants_partial(request):
            return render_save_menu(request, video, status=saved)
        messages.success(request, saved)
        return navigate(request, _back(request, video.get_absolute_url()))
    if video is not None and wants_partial(request):
        return render_save_menu(request, video, new_form=form)
    return render(request, "video_share/playlist_form.html", {"form": form, "video": video})


def _made_list(request, public_id: str) -> Playlist:
    """A list the person made (Watch later is neither renamed nor deleted)."""
    playlist = playlist_for(request, public_id, edit=True)
    if playlist.watch_later:
        raise Http404
    return playlist


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HtmxHttpRequest, public_id: str):
    playlist = _made_list(request, public_id)
    form = PlaylistForm(request.POST or None, instance=playlist, owner=request.user)
    if request.method == "POST" and form.is_valid():
        actions.do_edit_playlist(playlist, form.cleaned_data)
        messages.success(request, _("Your changes are saved."))
        return navigate(request, playlist)
    return render(request, "video_share/playlist_form.html", {"form": form, "playlist": playlist})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HtmxHttpRequest, public_id: str):
    playlist = _made_list(request, public_id)
    if request.method == "POST":
        actions.do_delete_playlist(playlist)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": playlist.title})
        return navigate(request, "playlists")
    return render(request, "video_share/playlist_delete.html", {"playlist": playlist})


def _item_of(request, playlist: Playlist) -> PlaylistItem:
    """The item the form names by its video; the owner may move or remove any of theirs,
    whether or not they may still watch it."""
    return get_object_or_404(
        playlist.items.select_related("video"), video__public_id=request.POST.get("video", "")
    )


@login_required
@require_POST
def move(request: HtmxHttpRequest, public_id: str):
    """Move a video up or down one place (the buttons), or to a place (`to` is its number,
    from 1: dragging with the mouse)."""
    playlist = playlist_for(request, public_id, edit=True)
    item = _item_of(request, playlist)
    order = list(playlist.items.order_by("position", "pk").values_list("pk", flat=True))
    index = order.index(item.pk)
    to = request.POST.get("to", "")
    if to in ("up", "down"):
        index += -1 if to == "up" else 1
    elif to.isdecimal():
        index = int(to) - 1
    else:
        return HttpResponseBadRequest()
    index = max(0, min(index, len(order) - 1))
    actions.do_move_in_playlist(playlist, item.video, index)
    title = item.video.title if item.video.can_view(request.user) else _("Unavailable video")
    status = _("“%(title)s” is now number %(number)s of %(count)s.") % {
        "title": title,
        "number": index + 1,
        "count": len(order),
    }
    if wants_partial(request):
        return render_playlist(request, playlist, status=status, partial=True)
    return navigate(request, f"{playlist.get_absolute_url()}#item-{item.video.public_id}")


@login_required
@require_POST
def remove(request: HtmxHttpRequest, public_id: str):
    playlist = playlist_for(request, public_id, edit=True)
    item = _item_of(request, playlist)
    actions.do_remove_from_playlist(playlist, item.video)
    title = item.video.title if item.video.can_view(request.user) else _("Unavailable video")
    status = _("Removed “%(title)s” from %(name)s.") % {"title": title, "name": playlist.name}
    if wants_partial(request):
        return render_playlist(request, playlist, status=status, partial=True)
    messages.success(request, status)
    return navigate(request, playlist)


def _lists_of(user) -> list[Playlist]:
    """What the Save menu offers: Watch later, then the person's playlists."""
    return [actions.watch_later_of(user), *Playlist.objects.made_by(user)]


def render_save_menu(request, video: Video, *, status: str = "", new_form=None):
    playlists = _lists_of(request.user)
    holding = set(
        PlaylistItem.objects.filter(video=video, playlist__in=playlists).values_list(
            "playlist_id", flat=True
        )
    )
    context = {
        "video": video,
        "playlists": playlists,
        "holding": holding,
        "status": status,
        # After a change, the status line outside the menu says what it did.
        "oob": request.method == "POST",
        "new_form": new_form or PlaylistForm(owner=request.user),
    }
    if wants_partial(request):
        return render(request, "video_share/video_save.html#save-menu", context)
    return render(request, "video_share/video_save.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def save(request: HtmxHttpRequest, public_id: str):
    """The Save menu: which of one's lists hold the video. Each box the person ticks or
    clears posts the whole form (htmx), or the form is sent with its button (no JavaScript);
    only the lists the form offered change."""
    video = video_for(request, public_id)
    if request.method == "GET":
        return render_save_menu(request, video)
    mine = {playlist.public_id: playlist for playlist in _lists_of(request.user)}
    offered = [mine[key] for key in dict.fromkeys(request.POST.getlist("offered")) if key in mine]
    chosen = {mine[key].pk for key in request.POST.getlist("playlist") if key in mine}
    added, removed, full = actions.do_set_saved(request.user, video, offered, chosen)
    said = [_("Saved to %(name)s.") % {"name": playlist.name} for playlist in added]
    said += [_("Removed from %(name)s.") % {"name": playlist.name} for playlist in removed]
    said += [_full(playlist) for playlist in full]
    if wants_partial(request):
        return render_save_menu(request, video, status=" ".join(said))
    for message in said:
        messages.success(request, message)
    return navigate(request, _back(request, video.get_absolute_url()))


def _full(playlist: Playlist) -> str:
    return _("%(name)s is full: a playlist holds at most %(count)s videos.") % {
        "name": playlist.name,
        "count": MAX_ITEMS,
    }


_SAVED_FOR_LATER = Prepared(
    lambda user_id, video_id: PlaylistItem.objects.filter(
        playlist__owner=user_id, playlist__watch_later=True, video=video_id
    ).values("pk")
)


def in_watch_later(user, video: Video) -> bool:
    return user.is_authenticated and _SAVED_FOR_LATER.exists(user_id=user.pk, video_id=video.pk)


@personal_part("watch_later")
def watch_later_part(request, context) -> dict:
    return {"saved": in_watch_later(request.user, context["video"])}


@login_required
@require_POST
def toggle_watch_later(request: HtmxHttpRequest, public_id: str):
    """Add the video to Watch later (`action=remove`: take it out): the one-click button on
    the watch page and on cards."""
    video = video_for(request, public_id)
    playlist = actions.watch_later_of(request.user)
    if request.POST.get("action") == "remove":
        actions.do_remove_from_playlist(playlist, video)
        saved, said = False, _("Removed from %(name)s.") % {"name": playlist.name}
    else:
        try:
            actions.do_add_to_playlist(playlist, video)
            saved, said = True, _("Saved to %(name)s.") % {"name": playlist.name}
        except actions.PlaylistFull:
            saved, said = False, _full(playlist)
    if wants_partial(request):
        context = {"video": video, "saved": saved, "card": bool(request.POST.get("card"))}
        return render(request, "includes/watch_later.html", context)
    messages.success(request, said)
    return navigate(request, _back(request, video.get_absolute_url()))


def playlist_context(request, video: Video) -> dict:
    """For the watch page of a video played from a list (`?list=`): the list beside the
    player, where the video is in it, and what comes next."""
    public_id = request.GET.get("list")
    if not public_id:
        return {}
    playlist = (
        Playlist.objects.select_related("owner")
        .filter(public_id=public_id, owner__is_active=True)
        .first()
    )
    if playlist is None:
        return {}
    # The owner sees the videos of theirs that others don't, and their private lists.
    personal_to(request, lambda person: person.user.pk == playlist.owner_id)
    if not playlist.can_view(request.user):
        return {}
    entries = [entry for entry in playlist.entries_for(request.user) if entry.available]
    index = next((i for i, entry in enumerate(entries) if entry.video_id == video.pk), None)
    if index is None:
        return {}
    start = max(0, index - PANEL_BEFORE)
    return {
        "playlist": playlist,
        "playlist_entries": entries[start : index + PANEL_AFTER],
        "playlist_start": start,
        "playlist_index": index,
        "playlist_count": len(entries),
        "next_entry": entries[index + 1] if index + 1 < len(entries) else None,
    }
