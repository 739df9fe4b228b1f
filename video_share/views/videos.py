import html
import math
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import actions, media, resumable
from ..events import live_event_id
from ..forms import OEmbedSizeForm, PosterForm, UploadForm, VideoEditForm
from ..htmx import HtmxHttpRequest, field_errors, navigate, wants_partial
from ..models import Reaction, Video, WatchProgress
from ..prepared import Prepared
from ..shared_pages import personal_part, personal_to, shared_page, shared_pages_unchanged
from ..templatetags.video_share import media_url
from ..timezones import viewer_timezone
from ..viewers import give_viewer_cookie, viewer_cookie
from .comment_section import comment_context, video_stream_context
from .lookups import video_for
from .playlists import playlist_context


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HtmxHttpRequest):
    # The publish time is entered, and shown, in the uploader's time zone.
    with timezone.override(viewer_timezone(request)):
        return _upload(request)


def _upload(request: HtmxHttpRequest):
    form = UploadForm(request.POST or None, request.FILES or None, owner=request.user)
    try:
        if request.method == "POST" and (inline := field_errors(request, form)):
            return inline
        if request.method == "POST" and form.is_valid():
            video = actions.do_upload_video(
                owner=request.user,
                upload=form.cleaned_data["file"],
                probe=form.probe,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                tag_names=form.cleaned_data["tags_text"],
                visibility=form.cleaned_data["visibility"],
                publish_at=form.cleaned_data["publish_at"],
                allow_download=form.cleaned_data["allow_download"],
                comment_policy=form.cleaned_data["comment_policy"],
                language=request.LANGUAGE_CODE,
            )
            if form.finished_upload is not None:  # sent by the resumable protocol: now stored
                resumable.remove(form.finished_upload.upload)
            messages.success(request, _("Upload complete. We’re preparing your video now."))
            return navigate(request, video.get_absolute_url())
    finally:
        if form.finished_upload is not None:
            form.finished_upload.close()
    return render(request, "video_share/upload.html", {"form": form})


@require_safe
def storyboard(request, public_id: str):
    """The video's scrub previews as a WebVTT thumbnails track: for each stretch of time, the
    sheet that shows it and the frame's place there (#xywh=), as media URLs that are checked
    like the video's other files."""
    video = video_for(request, public_id)
    board = dict(video.storyboard)
    sheets = board.pop("sheets", None)
    if not sheets:
        raise Http404
    plan = media.Storyboard(**board)
    cues = ["WEBVTT", ""]
    for index in range(plan.count):
        sheet, x, y = plan.tile(index)
        start = index * plan.interval
        end = max(start + 0.001, min(video.duration or 0, start + plan.interval))
        url = media_url(video, sheets[sheet])
        frame = f"#xywh={x},{y},{plan.width},{plan.height}"
        cues += [f"{_cue_time(start)} --> {_cue_time(end)}", url + frame, ""]
    return _vtt_response(cues)


@require_safe
def chapters(request, public_id: str):
    """The chapters its description lists, as a WebVTT chapters track."""
    video = video_for(request, public_id)
    if not video.chapters:
        raise Http404
    cues = ["WEBVTT", ""]
    for chapter in video.chapters:
        end = max(chapter.end, chapter.start + 0.001)
        # Cue text is markup: "<" and "&" are written as text.
        title = html.escape(chapter.title, quote=False)
        cues += [f"{_cue_time(chapter.start)} --> {_cue_time(end)}", title, ""]
    return _vtt_response(cues)


@require_safe
def hls_master(request, public_id: str):
    """The video's HLS master playlist: each rendition packaged as HLS, with what it needs
    (its bitrate cap, media.MAXRATE_MBPS), its size and codecs, and its own playlist as a
    media URL (checked like the video's other files, as are the segments it names)."""
    video = video_for(request, public_id)
    renditions = [r for r in video.renditions.order_by("height") if r.hls]
    if not video.is_playable or not renditions:
        raise Http404
    audio = ",mp4a.40.2" if video.audio_codec else ""
    fps = min(video.fps or 0, media.MAX_FPS)
    # H.264 High profile; level 4.0 (to 1080p30) or 4.2 (to 1080p60): x264 chooses at most so.
    codecs = f"avc1.6400{'2a' if fps > 30 else '28'}{audio}"
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for rendition in renditions:
        kbps = media.MAXRATE_MBPS.get(rendition.height, 1) * 1000
        peak = int((kbps + (media.AUDIO_KBPS if audio else 0)) * 1000 * 1.1)  # with the boxes
        average = min(peak, int(rendition.size * 8 / video.duration)) if video.duration else peak
        attributes = [
            f"BANDWIDTH={peak}",
            f"AVERAGE-BANDWIDTH={average}",
            f"RESOLUTION={rendition.width}x{rendition.frame_height}",
            f'CODECS="{codecs}"',
            *([f"FRAME-RATE={fps:.3f}"] if fps else []),
        ]
        lines += [f"#EXT-X-STREAM-INF:{','.join(attributes)}", media_url(video, rendition.hls)]
    response = HttpResponse("\n".join(lines) + "\n", content_type="application/vnd.apple.mpegurl")
    response["Cache-Control"] = "private, no-cache"
    return response


def _vtt_response(lines: list[str]) -> HttpResponse:
    # Checked like the page: a video made private stops being read at once.
    response = HttpResponse("\n".join(lines), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


def _cue_time(seconds: float) -> str:
    milliseconds = round(seconds * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02}:{minutes:02}:{rest // 1000:02}.{rest % 1000:03}"


_REACTION = Prepared(
    lambda user_id, video_id: Reaction.objects.filter(user=user_id, video=video_id).values_list(
        "value"
    )
)
_PROGRESS = Prepared(
    lambda user_id, video_id: WatchProgress.objects.filter(
        user=user_id, video=video_id
    ).values_list("position", "duration")
)


def my_reaction(user, video: Video) -> int:
    if not user.is_authenticated:
        return 0
    row = _REACTION.row(user_id=user.pk, video_id=video.pk)
    return row[0] if row else 0


@personal_part("reactions")
def reactions_part(request, context) -> dict:
    return {"my_reaction": my_reaction(request.user, context["video"])}


def _start_at(request, video: Video) -> int:
    """Where playback starts: ?t=83 (a shared link), else where this viewer left off."""
    try:
        wanted = int(request.GET.get("t", ""))
    except ValueError:
        wanted = None
    if wanted is not None:
        return max(0, min(wanted, int(video.duration or 0)))
    if request.user.is_authenticated:
        row = _PROGRESS.row(user_id=request.user.pk, video_id=video.pk)
        if row:
            return int(WatchProgress(position=row[0], duration=row[1]).resume_at)
    return 0


@personal_part("player")
def player_part(request, context) -> dict:
    video = context["video"]
    # Owners watching their own videos don't count.
    return {"start": _start_at(request, video), "counts_views": request.user.pk != video.owner_id}


@shared_page
@require_safe
def watch(request: HtmxHttpRequest, public_id: str):
    # Read the stream position before the video: an event sent in between is then replayed
    # to the page, never lost between the state we render and the stream it opens.
    event_id = live_event_id(request.user)
    video = video_for(request, public_id)
    return render_watch_page(request, video, event_id=event_id)


RELATED_SHOWN = 8
RELATED_SECONDS = 60


def related_videos(video: Video) -> list[Video]:
    """The related videos beside the player. Ranking them is the costliest query of the
    page, so the ranking is cached for a minute per video; whether each may still be listed is
    read every time."""

    def rank() -> list[int]:  # with spares, for any that stop being listed
        ranked = Video.objects.related_to(video).values_list("pk", flat=True)
        return list(ranked[: RELATED_SHOWN * 2])

    ids = cache.get_or_set(f"related:{video.pk}", rank, RELATED_SECONDS)
    found = Video.objects.listed().for_cards().order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found][:RELATED_SHOWN]


# The size of the player in embed codes, unless asked otherwise (oEmbed's maxwidth, maxheight).
EMBED_SIZE = (640, 360)


def embed_code(src: str, video: Video, width: int, height: int) -> str:
    """The <iframe> that plays `video` on another site (`src`: its embed page's address)."""
    return format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" frameborder="0" '
        'allow="fullscreen; picture-in-picture" allowfullscreen></iframe>',
        src,
        width,
        height,
        video.title,
    )


def render_watch_page(request, video: Video, *, event_id: str = "", comment_form=None):
    # The owner's page has their tools, and their processing stream.
    personal_to(request, lambda person: person.user.pk == video.owner_id)

    # Before reading the comments, for the same reason.
    stream = video_stream_context(request, video)
    renditions = list(video.renditions.all())
    quality = request.GET.get("quality", "")
    # Without JavaScript the browser plays the first source: HLS where it plays it and no
    # quality was chosen ("Auto"), else the chosen quality, else the best MP4.
    hls_available = any(r.hls for r in renditions)
    hls = quality in ("", "auto") and hls_available
    renditions.sort(key=lambda r: (r.label != quality, -r.height))
    embed_url = request.build_absolute_uri(reverse("embed", args=[video.public_id]))
    context = {
        "video": video,
        "renditions": renditions,
        "hls": hls,
        "hls_available": hls_available,
        "quality": "auto" if hls else renditions[0].label if renditions else "",
        "related": related_videos(video),
        "captions": video.captions.for_player(),
        "user_event_id": event_id,
        "share_url": request.build_absolute_uri(video.get_absolute_url()),
        "viewer_timezone": viewer_timezone(request),
        "embed_url": embed_url,
        "embed_size": EMBED_SIZE,
        "embed_code": embed_code(embed_url, video, *EMBED_SIZE),
        "shared_rendition": video.rendition_to_share(renditions),
        **stream,
        **comment_context(request, video, form=comment_form),
        **playlist_context(request, video),
    }
    return render(request, "video_share/watch.html", context)


@shared_pages_unchanged
@require_POST
def count_view(request: HtmxHttpRequest, public_id: str):
    """Count a view: POSTed by the player once playback has really run for a few seconds
    (a GET, which any link or image on another site can make, counts nothing). A viewer
    without the viewer cookie gets it here (or from the video's stream), not with the page, so
    that the page is the same for every visitor."""
    video = video_for(request, public_id)
    cookie, new = viewer_cookie(request)
    if video.is_playable:
        actions.do_count_view(
            video, address=request.META.get("REMOTE_ADDR", ""), cookie=cookie, user=request.user
        )
    response = HttpResponse(status=204)
    if new:
        give_viewer_cookie(response, request, cookie)
    return response


@shared_pages_unchanged
@require_POST
def save_progress(request: HtmxHttpRequest, public_id: str):
    """The player reports where the viewer is, every few seconds and on pause."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    video = video_for(request, public_id)
    try:
        position = float(request.POST["position"])
        total = float(request.POST.get("duration") or video.duration or 0)
    except (KeyError, ValueError):
        return HttpResponse(status=400)
    if not (math.isfinite(position) and math.isfinite(total)):
        return HttpResponse(status=400)
    actions.do_save_progress(request.user, video, position, total)
    return HttpResponse(status=204)


@require_safe
@xframe_options_exempt
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["*"]})
def embed(request: HtmxHttpRequest, public_id: str):
    """Just the player, for other sites' iframes. Private videos don't embed."""
    video = get_object_or_404(Video.objects.select_related("owner"), public_id=public_id)
    if not video.is_playable or video.visibility == Video.Visibility.PRIVATE:
        raise Http404
    renditions = sorted(video.renditions.all(), key=lambda r: -r.height)
    context = {
        "video": video,
        "renditions": renditions,
        "captions": video.captions.for_player(),
        "watch_url": request.build_absolute_uri(video.get_absolute_url()),
    }
    return render(request, "video_share/embed.html", context)


@require_safe
def oembed(request: HtmxHttpRequest):
    """oEmbed (https://oembed.com) for watch page URLs: JSON only."""
    if request.GET.get("format", "json") != "json":
        return HttpResponse(status=501)
    path = urlsplit(request.GET.get("url", "")).path
    try:
        match = resolve(path)
    except Resolver404:
        raise Http404 from None
    if match.url_name != "watch":
        raise Http404
    video = get_object_or_404(
        Video.objects.select_related("owner"), public_id=match.kwargs["public_id"]
    )
    if not video.is_playable or video.visibility == Video.Visibility.PRIVATE:
        raise Http404
    size = OEmbedSizeForm(request.GET)
    if not size.is_valid():
        errors = [f"{name}: {' '.join(messages)}" for name, messages in size.errors.items()]
        return HttpResponseBadRequest("\n".join(errors), content_type="text/plain; charset=utf-8")
    width = min(size.cleaned_data["maxwidth"] or EMBED_SIZE[0], 1920)
    height = round(width * 9 / 16)
    if (most := size.cleaned_data["maxheight"]) and height > most:
        width, height = max(1, round(most * 16 / 9)), most
    src = request.build_absolute_uri(reverse("embed", args=[video.public_id]))
    data = {
        "version": "1.0",
        "type": "video",
        "provider_name": "Video Share",
        "provider_url": request.build_absolute_uri("/"),
        "title": video.title,
        "author_name": video.owner.name,
        "author_url": request.build_absolute_uri(video.owner.get_absolute_url()),
        "width": width,
        "height": height,
        "html": embed_code(src, video, width, height),
    }
    if video.poster:
        data["thumbnail_url"] = request.build_absolute_uri(media_url(video, video.poster.name))
    return JsonResponse(data)


@login_required
@require_safe
def history(request: HtmxHttpRequest):
    entries = (
        WatchProgress.objects.filter(user=request.user)
        .select_related("video", "video__owner")
        .order_by("-updated_at")
    )
    entries = [e for e in entries[:200] if e.video.can_view(request.user)]
    return render(request, "video_share/history.html", {"entries": entries})


@login_required
@require_POST
def history_remove(request: HtmxHttpRequest, video_id: int):
    actions.do_forget_progress(request.user, video_id)
    if wants_partial(request):
        return HttpResponse("")  # the row swaps itself out
    return navigate(request, "history")


@login_required
@require_POST
def history_clear(request: HtmxHttpRequest):
    actions.do_clear_history(request.user)
    messages.success(request, _("Your watch history is cleared."))
    return navigate(request, "history")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HtmxHttpRequest, public_id: str):
    video = video_for(request, public_id, edit=True)
    with timezone.override(viewer_timezone(request)):
        form = VideoEditForm(request.POST or None, instance=video)
        if request.method == "POST" and form.is_valid():
            actions.do_edit_video(video, form.cleaned_data)
            messages.success(request, _("Your changes are saved."))
            return navigate(request, video.get_absolute_url())
        return render(request, "video_share/video_edit.html", {"video": video, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def poster(request: HtmxHttpRequest, public_id: str):
    video = video_for(request, public_id, edit=True)
    form = PosterForm(request.POST or None, request.FILES or None, video=video)
    if request.method == "POST" and form.is_valid():
        actions.do_set_poster(
            video, frame=form.cleaned_data["frame"], image=form.cleaned_data["image"]
        )
        messages.success(request, _("The new poster is set."))
        return navigate(request, video.get_absolute_url())
    return render(request, "video_share/video_poster.html", {"video": video, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HtmxHttpRequest, public_id: str):
    video = video_for(request, public_id, edit=True)
    if request.method == "POST":
        owner = video.owner
        actions.do_delete_video(video)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": video.title})
        return navigate(request, owner.get_absolute_url())
    return render(request, "video_share/video_delete.html", {"video": video})


@login_required
@require_POST
def retry(request: HtmxHttpRequest, public_id: str):
    video = video_for(request, public_id, edit=True)
    actions.do_retry_video(video)
    return navigate(request, video.get_absolute_url())
