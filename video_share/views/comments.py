import secrets
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_eventstream import get_current_event_id
from django_htmx.http import reswap

from .. import actions
from ..events import track_delivery
from ..forms import CommentForm
from ..htmx import HtmxHttpRequest
from ..models import Comment, CommentLike, Reaction, Video
from ..pagination import page_of
from ..prepared import Prepared
from ..presence import count_changed, presence_channel, watching
from ..shared_pages import personal_part, personal_to
from ..sse import events
from ..throttle import comment_allowed
from .videos import _video_for, give_viewer_cookie, render_watch_page, viewer_cookie

COMMENTS_PER_PAGE = 20
DELAYED = _lazy("Your comment is saved, but others will only see it when they reload the page.")
SORTS = ("top", "newest")


def live_channel(video: Video, language: str) -> str:
    return f"{video.channel}~{language}"


_LIKED = Prepared(
    lambda user_id, video_id: CommentLike.objects.filter(
        user=user_id, comment__video=video_id
    ).values_list("comment_id")
)


def _concerning(request, video: Video) -> tuple[int | None, set[int]]:
    """Who is asking, and which comments of `video` they like: read once per request (a
    page asks for each comment it shows)."""
    # By user too: the request that renders a shared page does so as a visitor first.
    user = request.user
    known = request.__dict__.setdefault("liked_comments", {})
    if (video.pk, user.pk) not in known:
        liked = set()
        if user.is_authenticated:
            liked = {row[0] for row in _LIKED.rows(user_id=user.pk, video_id=video.pk)}
        known[video.pk, user.pk] = user.pk, liked
    return known[video.pk, user.pk]


def liked_comments(request, video: Video) -> set[int]:
    """The comments of `video` this person likes."""
    return _concerning(request, video)[1]


def _sees_comment_as_visitors(request, context) -> bool:
    """Whether this person sees a comment's buttons as visitors do: not their comment, not
    their video, not a comment they like."""
    comment, video = context["comment"], context["video"]
    person, liked = _concerning(request, video)
    return person not in (comment.author_id, video.owner_id) and comment.pk not in liked


@personal_part("comment", same_as_visitors=_sees_comment_as_visitors)
def comment_part(request, context) -> dict:
    return {"liked": liked_comments(request, context["video"])}


def comment_context(request, video: Video, *, form=None) -> dict:
    """What the comment section of the watch page needs (a fixed number of queries)."""
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "top"
    comments = (
        Comment.objects.filter(video=video)
        .visible()
        .top_level()
        .select_related("author")
        .with_replies()
        .sorted_by(sort)
    )
    page = page_of(request, comments, per_page=COMMENTS_PER_PAGE)
    # A link to one comment (from a notification): its thread comes first, open, marked.
    target = request.GET.get("comment", "")
    target = (
        Comment.objects.filter(video=video, pk=target).visible().first()
        if target.isdigit()
        else None
    )
    thread = comments.filter(pk=target.parent_id or target.pk).first() if target else None
    reply_to = request.GET.get("reply", "")
    # A reply form opened by the address is shown to anyone signed in.
    personal_to(request, lambda person: bool(reply_to))
    return {
        "video": video,
        "sort": sort,
        "comment_page": page,
        "thread": thread,
        "highlight_id": target.pk if thread else None,
        "comment_count": Comment.objects.filter(video=video).visible().count(),
        "comment_form": form or new_comment_form(),
        "reply_to": reply_to,
        "can_comment": can_comment(request.user, video),
    }


def can_comment(user, video: Video) -> bool:
    return user.is_authenticated and video.is_playable


def new_comment_form() -> CommentForm:
    # The one-time token makes a double submit post once.
    return CommentForm(initial={"client_token": secrets.token_urlsafe(16)})


@personal_part("comment_form")
def comment_form_part(request, context) -> dict:
    """The comment form, with a one-time token of its own for each page (a form sent back
    with its errors stays as it was)."""
    form = context.get("comment_form")
    return {
        "can_comment": can_comment(request.user, context["video"]),
        "comment_form": form if form is not None and form.is_bound else new_comment_form(),
    }


def video_stream_context(request, video: Video) -> dict:
    """The video's live channel in the reader's language, and the event id to resume from:
    read before the comments are, so nothing sent in between is missed."""
    channel = live_channel(video, request.LANGUAGE_CODE)
    return {
        "live_channel_event_id": get_current_event_id([channel]),
        # The page being rendered will be one more (if its reader has no other open: their
        # stream's announcement corrects it within a second).
        "watching": watching(video.public_id) + 1,
    }


@require_GET
def comment_list(request: HtmxHttpRequest, public_id: str):
    """More comments ("Load more"), or the list in another order."""
    video = _video_for(request, public_id)
    context = comment_context(request, video)
    if request.htmx and not request.htmx.boosted:
        if request.GET.get("page"):
            return render(request, "video_share/comments.html#comment-page", context)
        # Another order: the list, and the sort chips out of band.
        return render(
            request, "video_share/comments.html#comment-list", {**context, "sort_oob": True}
        )
    return redirect(f"{video.get_absolute_url()}?sort={context['sort']}#comments")


@login_required
@require_POST
def post_comment(request: HtmxHttpRequest, public_id: str):
    video = _video_for(request, public_id)
    if not video.is_playable:
        raise Http404
    form = CommentForm(request.POST)
    parent = None
    if form.is_valid() and form.cleaned_data["parent"]:
        parent = (
            Comment.objects.visible().filter(pk=form.cleaned_data["parent"], video=video).first()
        )
        if parent is None:
            form.add_error(None, _("That comment is gone; your reply could not be posted."))
    if form.is_valid() and not comment_allowed(request.user.pk):
        form.add_error("body", _("You are commenting too fast. Wait a minute, then try again."))
    if not form.is_valid():
        if request.htmx:
            return render(
                request,
                "video_share/comments.html#comment-form",
                {"video": video, "comment_form": form, "parent_id": request.POST.get("parent", "")},
            )
        # Without JavaScript: the watch page again, with the form and its errors.
        return render_watch_page(request, video, comment_form=form)
    with track_delivery() as delivery:
        comment = actions.do_post_comment(
            video=video,
            author=request.user,
            body=form.cleaned_data["body"],
            parent=parent,
            client_token=form.cleaned_data["client_token"],
        )
    if request.htmx:
        # A fresh, empty form; the comment itself arrives out of band (and over SSE for
        # everyone else).
        context = {
            "delayed": delivery.failed,
            "video": video,
            "comment_form": new_comment_form(),
            "added": comment,
            "parent": comment.parent,
            "parent_id": comment.parent_id or "",
            "own": True,
        }
        response = render(request, "video_share/comments.html#comment-posted", context)
        return reswap(response, "none")
    if delivery.failed:
        messages.warning(request, DELAYED)
    return redirect(f"{video.get_absolute_url()}#{comment.dom_id}")


def _comment_for(request, comment_id: int, *, manage: bool = False) -> Comment:
    """A comment this person may see (never one staff hid), or 404; `manage`: their own, or
    one on their video."""
    comment = get_object_or_404(
        Comment.objects.visible().select_related("video", "author").with_replies(), pk=comment_id
    )
    video = comment.video
    if not video.can_view(request.user):
        raise Http404
    if manage and not (request.user.pk == comment.author_id or video.can_edit(request.user)):
        raise Http404
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def edit_comment(request: HtmxHttpRequest, comment_id: int):
    comment = _comment_for(request, comment_id)
    if request.user.pk != comment.author_id:
        raise Http404
    if request.htmx and request.GET.get("cancel"):
        return _back_to(request, comment)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        actions.do_edit_comment(comment, form.cleaned_data["body"])
        if request.htmx:
            return render(
                request,
                "video_share/comments.html#comment",
                {"comment": comment, "video": comment.video},
            )
        return redirect(f"{comment.video.get_absolute_url()}#{comment.dom_id}")
    context = {"comment": comment, "video": comment.video, "edit_form": form}
    if request.htmx and not request.htmx.boosted:
        return render(request, "video_share/comments.html#comment-edit", context)
    return render(request, "video_share/comment_edit.html", context)


@login_required
@require_POST
def delete_comment(request: HtmxHttpRequest, comment_id: int):
    comment = _comment_for(request, comment_id, manage=True)
    video = comment.video
    actions.do_delete_comment(comment)
    if request.htmx:
        return render(
            request, "video_share/comments.html#comment-removed", {"comment_id": comment_id}
        )
    return redirect(f"{video.get_absolute_url()}#comments")


@login_required
@require_POST
def pin_comment(request: HtmxHttpRequest, comment_id: int):
    comment = _comment_for(request, comment_id)
    if not comment.video.can_edit(request.user) or comment.parent_id:
        raise Http404
    actions.do_pin_comment(comment, pinned=not comment.pinned)
    return _back_to(request, comment, moved=True)


@login_required
@require_POST
def heart_comment(request: HtmxHttpRequest, comment_id: int):
    comment = _comment_for(request, comment_id)
    if not comment.video.can_edit(request.user):
        raise Http404
    actions.do_heart_comment(comment, hearted=not comment.hearted)
    return _back_to(request, comment)


@login_required
@require_POST
def like_comment(request: HtmxHttpRequest, comment_id: int):
    comment = _comment_for(request, comment_id)
    actions.do_toggle_comment_like(comment, request.user)
    return _back_to(request, comment)


def _back_to(request, comment: Comment, *, moved: bool = False):
    if request.htmx:
        # This comment again, as the reader now sees it (others get the change live).
        context = {"comment": comment, "video": comment.video}
        return render(request, "video_share/comments.html#comment-event-direct", context)
    if moved:
        # Pinned or unpinned, it may be on another page of comments now: asked for, it comes first.
        video_url = comment.video.get_absolute_url()
        return redirect(f"{video_url}?comment={comment.pk}#{comment.dom_id}")
    return _back_to_watch(request, comment.video, comment.dom_id)


def _back_to_watch(request, video: Video, anchor: str):
    """Without JavaScript, back to the watch page as the form was sent from it (its order and
    page of comments, from `next`), at `anchor`: the reader stays where they were. Only the
    query of `next` is kept, and only if it was this video's page: never a way elsewhere."""
    watch = video.get_absolute_url()
    back = urlsplit(request.POST.get("next", ""))
    query = back.query if (back.scheme, back.netloc, back.path) == ("", "", watch) else ""
    return redirect(f"{watch}?{query}#{anchor}" if query else f"{watch}#{anchor}")


@login_required
@require_POST
def react(request: HtmxHttpRequest, public_id: str):
    """Like or dislike a video (the same again takes it back)."""
    video = _video_for(request, public_id)
    values = {"like": Reaction.LIKE, "dislike": Reaction.DISLIKE}
    if not video.is_playable or request.POST.get("value") not in values:
        return HttpResponseBadRequest()
    actions.do_react(video, request.user, values[request.POST["value"]])
    if request.htmx:
        return render(request, "video_share/watch.html#reactions", {"video": video})
    return _back_to_watch(request, video, "reactions")


@require_GET
async def video_stream(request: HtmxHttpRequest, public_id: str):
    """The video's public event stream, in the reader's language. Forbidden (stream-error)
    for anyone who may not view the video, or when there is no such video."""
    video = Video(public_id=public_id)  # whether it exists is the channel manager's question
    channels = [live_channel(video, request.LANGUAGE_CODE), presence_channel(public_id)]
    # Who is watching counts browsers, not tabs: the viewer cookie tells them apart (a
    # stream, unlike the page, may set it: the page stays the same for every visitor).
    visitor, new = viewer_cookie(request)
    response = await events(
        request, channels, on_change=lambda: count_changed(public_id), visitor=visitor
    )
    if new:
        give_viewer_cookie(response, request, visitor)
    return response
