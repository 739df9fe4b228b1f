from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from ..htmx import HtmxHttpRequest
from ..models import Tag, User, Video, handle_key
from ..text import fold

SEARCH_MAX_LENGTH = 200


@require_GET
def home(request: HtmxHttpRequest):
    videos = Video.objects.listed().select_related("owner")[:24]
    return render(request, "video_share/home.html", {"videos": videos})


@require_GET
def channel(request: HtmxHttpRequest, username: str):
    owner = get_object_or_404(User, username_key=handle_key(username), is_active=True)
    if owner.username != username:
        return redirect(owner, permanent=True)
    videos = Video.objects.filter(owner=owner)
    if not (request.user.is_authenticated and request.user.pk == owner.pk):
        videos = videos.listed()
    context = {"owner": owner, "videos": videos.select_related("owner")[:60]}
    return render(request, "video_share/channel.html", context)


@require_GET
def tag(request: HtmxHttpRequest, tag: str):
    found = Tag.objects.filter(key=fold(tag)).first()
    if found is None:
        raise Http404
    videos = Video.objects.listed().filter(tags=found).select_related("owner")[:60]
    return render(request, "video_share/tag.html", {"tag": found, "videos": videos})


@require_GET
def search(request: HtmxHttpRequest):
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    channels = User.objects.none()
    if query:
        channels = User.objects.filter(is_active=True).filter(
            Q(username__icontains=query) | Q(display_name__icontains=query)
        )[:50]
    return render(request, "video_share/search.html", {"search_query": query, "channels": channels})


@login_required
@require_GET
def notifications(request: HtmxHttpRequest):
    return render(request, "video_share/notifications.html")
