"""The objects a URL names, found only for those who may see them."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Playlist, Video


def video_for(request, public_id: str, *, edit: bool = False) -> Video:
    """The video, if this user may see it (or edit it); 404 otherwise, so that private
    videos don't even reveal that they exist."""
    video = get_object_or_404(Video.objects.select_related("owner"), public_id=public_id)
    allowed = video.can_edit(request.user) if edit else video.can_view(request.user)
    if not allowed:
        raise Http404
    return video


def playlist_for(request, public_id: str, *, edit: bool = False) -> Playlist:
    """The playlist, if this user may see it (or change it); 404 otherwise, so that private
    lists don't even reveal that they exist."""
    playlist = get_object_or_404(
        Playlist.objects.select_related("owner"), public_id=public_id, owner__is_active=True
    )
    allowed = playlist.can_edit(request.user) if edit else playlist.can_view(request.user)
    if not allowed:
        raise Http404
    return playlist
