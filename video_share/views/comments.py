from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap

from .. import actions
from ..events import track_delivery
from ..forms import CommentForm
from ..htmx import HtmxHttpRequest, navigate, wants_partial
from ..models import Comment, Reaction, Video
from ..throttle import comment_allowed
from .comment_section import blocks_of, comment_context, new_comment_form
from .lookups import video_for
from .videos import render_watch_page

DELAYED = _lazy("Your comment is saved, but others will only see it when they reload the page.")
HELD = _lazy("Thank you: your comment will appear once the video’s owner approves it.")


@require_GET
def comment_list(request: HtmxHttpRequest, public_id: str):
    """More comments ("Load more"), or the list in another order."""
    video = video_for(request, public_id)
    if video.comment_policy == Video.CommentPolicy.OFF:
        raise Http404
    context = comment_context(request, video)
    if wants_partial(request):
        if request.GET.get("page"):
            return render(request, "video_share/comments.html#comment-page", context)
        # Another order: the list, and the sort chips out of band.
        return render(
            request, "video_share/comments.html#comment-list", {**context, "sort_oob": True}
        )
    return navigate(request, f"{video.get_absolute_url()}?sort={context['sort']}#comments")


@login_required
@require_POST
def post_comment(request: HtmxHttpRequest, public_id: str):
    video = video_for(request, public_id)
    if not video.is_playable:
        raise Http404
    form = CommentForm(request.POST)
    parent = None
    if video.comment_policy == Video.CommentPolicy.OFF:
        form.add_error(None, _("Comments are turned off for this video."))
    elif blocks_of(request, video).by_owner:
        form.add_error(
            None,
            _("The owner of this video has blocked you: you cannot comment on their videos."),
        )
    if form.is_valid() and form.cleaned_data["parent"]:
        parent = (
            Comment.objects.visible().filter(pk=form.cleaned_data["parent"], video=video).first()
        )
        if parent is None:
            form.add_error(None, _("That comment is gone; your reply could not be posted."))
    if form.is_valid() and not comment_allowed(request.user.pk):
        form.add_error("body", _("You are commenting too fast. Wait a minute, then try again."))
    if not form.is_valid():
        if wants_partial(request):
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
    if comment.held and not wants_partial(request):
        messages.info(request, HELD)
        return navigate(request, f"{video.get_absolute_url()}#comments")
    if wants_partial(request):
        # A fresh, empty form; the comment itself arrives out of band (and over SSE for
        # everyone else) — or, held for review, is said to be.
        context = {
            "held": comment.held,
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
    return navigate(request, f"{video.get_absolute_url()}#{comment.dom_id}")


def held_comment_for(request, comment_id: int) -> Comment:
    """A comment held for review, for the owner of its video to decide on; 404 otherwise."""
    comment = get_object_or_404(
        Comment.objects.select_related("video", "author", "parent"),
        pk=comment_id,
        held=True,
        hidden=False,
    )
    if not comment.video.can_edit(request.user):
        raise Http404
    return comment


@login_required
@require_POST
def approve_comment(request: HtmxHttpRequest, comment_id: int):
    comment = held_comment_for(request, comment_id)
    actions.do_approve_comment(comment)
    video = comment.video
    if wants_partial(request):
        context = {"video": video, "added": comment, "parent": comment.parent, "own": False}
        return render(request, "video_share/comments.html#comment-approved", context)
    messages.success(request, _("The comment is approved: everyone sees it now."))
    return navigate(request, f"{video.get_absolute_url()}#{comment.dom_id}")


@login_required
@require_POST
def reject_comment(request: HtmxHttpRequest, comment_id: int):
    comment = held_comment_for(request, comment_id)
    video = comment.video
    actions.do_reject_comment(comment)
    if wants_partial(request):
        return HttpResponse("")
    messages.success(request, _("The comment is deleted."))
    return navigate(request, f"{video.get_absolute_url()}#comments")


def comment_for(request, comment_id: int, control: str) -> Comment:
    """A comment this person may see and use `control` on ("edit", "delete", "pin"...), as its
    buttons offer (Comment.controls_for); 404 otherwise (never one staff hid)."""
    comment = get_object_or_404(
        Comment.objects.visible().select_related("video", "author").with_replies(), pk=comment_id
    )
    video = comment.video
    if not video.can_view(request.user):
        raise Http404
    if not getattr(comment.controls_for(request.user, video), control):
        raise Http404
    return comment


@login_required
@require_http_methods(["GET", "POST"])
def edit_comment(request: HtmxHttpRequest, comment_id: int):
    comment = comment_for(request, comment_id, "edit")
    if wants_partial(request) and request.GET.get("cancel"):
        return _back_to(request, comment)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        actions.do_edit_comment(comment, form.cleaned_data["body"])
        if wants_partial(request):
            return render(
                request,
                "video_share/comments.html#comment",
                {"comment": comment, "video": comment.video},
            )
        return navigate(request, f"{comment.video.get_absolute_url()}#{comment.dom_id}")
    context = {"comment": comment, "video": comment.video, "edit_form": form}
    if wants_partial(request):
        return render(request, "video_share/comments.html#comment-edit", context)
    return render(request, "video_share/comment_edit.html", context)


@login_required
@require_POST
def delete_comment(request: HtmxHttpRequest, comment_id: int):
    comment = comment_for(request, comment_id, "delete")
    video = comment.video
    actions.do_delete_comment(comment)
    if wants_partial(request):
        return render(
            request, "video_share/comments.html#comment-removed", {"comment_id": comment_id}
        )
    return navigate(request, f"{video.get_absolute_url()}#comments")


@login_required
@require_POST
def pin_comment(request: HtmxHttpRequest, comment_id: int):
    comment = comment_for(request, comment_id, "pin")
    actions.do_pin_comment(comment, pinned=not comment.pinned)
    return _back_to(request, comment, moved=True)


@login_required
@require_POST
def heart_comment(request: HtmxHttpRequest, comment_id: int):
    comment = comment_for(request, comment_id, "heart")
    actions.do_heart_comment(comment, hearted=not comment.hearted)
    return _back_to(request, comment)


@login_required
@require_POST
def like_comment(request: HtmxHttpRequest, comment_id: int):
    comment = comment_for(request, comment_id, "like")
    actions.do_toggle_comment_like(comment, request.user)
    return _back_to(request, comment)


def _back_to(request, comment: Comment, *, moved: bool = False):
    if wants_partial(request):
        # This comment again, as the reader now sees it (others get the change live).
        context = {"comment": comment, "video": comment.video}
        return render(request, "video_share/comments.html#comment-event-direct", context)
    if moved:
        # Pinned or unpinned, it may be on another page of comments now: asked for, it comes first.
        video_url = comment.video.get_absolute_url()
        return navigate(request, f"{video_url}?comment={comment.pk}#{comment.dom_id}")
    return _back_to_watch(request, comment.video, comment.dom_id)


def _back_to_watch(request, video: Video, anchor: str):
    """Without JavaScript, back to the watch page as the form was sent from it (its order and
    page of comments, from `next`), at `anchor`: the reader stays where they were. Only the
    query of `next` is kept, and only if it was this video's page: never a way elsewhere."""
    watch = video.get_absolute_url()
    back = urlsplit(request.POST.get("next", ""))
    query = back.query if (back.scheme, back.netloc, back.path) == ("", "", watch) else ""
    return navigate(request, f"{watch}?{query}#{anchor}" if query else f"{watch}#{anchor}")


@login_required
@require_POST
def react(request: HtmxHttpRequest, public_id: str):
    """Like or dislike a video (the same again takes it back)."""
    video = video_for(request, public_id)
    values = {"like": Reaction.LIKE, "dislike": Reaction.DISLIKE}
    if not video.is_playable or request.POST.get("value") not in values:
        return HttpResponseBadRequest()
    actions.do_react(video, request.user, values[request.POST["value"]])
    if wants_partial(request):
        return render(request, "video_share/watch.html#reactions", {"video": video})
    return _back_to_watch(request, video, "reactions")
