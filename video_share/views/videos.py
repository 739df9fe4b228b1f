from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseLocation

from .. import actions
from ..events import live_event_id
from ..forms import PosterForm, UploadForm, VideoEditForm
from ..htmx import HtmxHttpRequest
from ..models import Video


def _video_for(request, public_id: str, *, edit: bool = False) -> Video:
    """The video, if this user may see it (or edit it); 404 otherwise, so that private
    videos don't even reveal that they exist."""
    video = get_object_or_404(Video.objects.select_related("owner"), public_id=public_id)
    allowed = video.can_edit(request.user) if edit else video.can_view(request.user)
    if not allowed:
        raise Http404
    return video


def _go(request: HtmxHttpRequest, url: str):
    """Redirect; for htmx, a client-side navigation that pushes the new URL."""
    if request.htmx:
        return HttpResponseLocation(url, target="body")
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HtmxHttpRequest):
    form = UploadForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        video = actions.do_upload_video(
            owner=request.user,
            upload=form.cleaned_data["file"],
            probe=form.probe,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            tag_names=form.cleaned_data["tags_text"],
            visibility=form.cleaned_data["visibility"],
            language=request.LANGUAGE_CODE,
        )
        messages.success(request, _("Upload complete. We’re preparing your video now."))
        return _go(request, video.get_absolute_url())
    return render(request, "video_share/upload.html", {"form": form})


@require_GET
def watch(request: HtmxHttpRequest, public_id: str):
    # Read the stream position before the video: an event sent in between is then replayed
    # to the page, never lost between the state we render and the stream it opens.
    event_id = live_event_id(request.user)
    video = _video_for(request, public_id)
    context = {
        "video": video,
        "renditions": list(video.renditions.all()),
        "user_event_id": event_id,
    }
    return render(request, "video_share/watch.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HtmxHttpRequest, public_id: str):
    video = _video_for(request, public_id, edit=True)
    form = VideoEditForm(request.POST or None, instance=video)
    if request.method == "POST" and form.is_valid():
        actions.do_edit_video(video, form.cleaned_data)
        messages.success(request, _("Your changes are saved."))
        return _go(request, video.get_absolute_url())
    return render(request, "video_share/video_edit.html", {"video": video, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def poster(request: HtmxHttpRequest, public_id: str):
    video = _video_for(request, public_id, edit=True)
    form = PosterForm(request.POST or None, request.FILES or None, video=video)
    if request.method == "POST" and form.is_valid():
        actions.do_set_poster(
            video, frame=form.cleaned_data["frame"], image=form.cleaned_data["image"]
        )
        messages.success(request, _("The new poster is set."))
        return _go(request, video.get_absolute_url())
    return render(request, "video_share/video_poster.html", {"video": video, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HtmxHttpRequest, public_id: str):
    video = _video_for(request, public_id, edit=True)
    if request.method == "POST":
        owner = video.owner
        actions.do_delete_video(video)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": video.title})
        return _go(request, owner.get_absolute_url())
    return render(request, "video_share/video_delete.html", {"video": video})


@login_required
@require_POST
def retry(request: HtmxHttpRequest, public_id: str):
    video = _video_for(request, public_id, edit=True)
    actions.do_retry_video(video)
    return _go(request, video.get_absolute_url())
