"""The comment section of the watch page: what it needs to be rendered (with the video's live
stream that keeps it current), and the personal parts of its comments."""

import secrets
from typing import NamedTuple

from django.db.models import Q
from django_eventstream import get_current_event_id

from ..events import video_stream_name
from ..forms import CommentForm
from ..models import Block, Comment, CommentLike, Video
from ..pagination import page_of
from ..prepared import Prepared
from ..presence import watching
from ..shared_pages import personal_part, personal_to

COMMENTS_PER_PAGE = 20
SORTS = ("top", "newest")


_LIKED = Prepared(
    lambda user_id, video_id: CommentLike.objects.filter(
        user=user_id, comment__video=video_id
    ).values_list("comment_id")
)


def liked_comments(request, video: Video) -> set[int]:
    """The comments of `video` this person likes: read once per request (a page asks for
    each comment it shows)."""
    # By user too: the request that renders a shared page does so as a visitor first.
    user = request.user
    known = request.__dict__.setdefault("liked_comments", {})
    if (video.pk, user.pk) not in known:
        liked = set()
        if user.is_authenticated:
            liked = {row[0] for row in _LIKED.rows(user_id=user.pk, video_id=video.pk)}
        known[video.pk, user.pk] = liked
    return known[video.pk, user.pk]


class Blocks(NamedTuple):
    authors: frozenset[int]  # whom the reader blocked: their comments are left out for them
    by_owner: bool  # the video's owner blocked the reader, who may then not comment


def blocks_of(request, video: Video) -> Blocks:
    """The blocks that change the comment section for this reader: one query per request."""
    user = request.user
    known = request.__dict__.setdefault("blocks", {})
    if (user.pk, video.owner_id) not in known:
        rows = (
            Block.objects.filter(Q(blocker=user.pk) | Q(blocker=video.owner_id, blocked=user.pk))
            .values_list("blocker_id", "blocked_id")
            .order_by()
            if user.is_authenticated
            else []
        )
        authors = frozenset(blocked for blocker, blocked in rows if blocker == user.pk)
        by_owner = any(
            blocker == video.owner_id and blocked == user.pk for blocker, blocked in rows
        )
        known[user.pk, video.owner_id] = Blocks(authors, by_owner)
    return known[user.pk, video.owner_id]


@personal_part("blocked_authors")
def blocked_authors_part(request, context) -> dict:
    """For the live comments (broadcast to everyone): static/js/comments.js leaves out those of
    the people named here."""
    authors = blocks_of(request, context["video"]).authors
    return {"blocked_authors": " ".join(map(str, sorted(authors)))}


def _sees_comment_as_visitors_do(request, context) -> bool:
    """Whether this person's controls of a comment (Comment.controls_for: what its buttons
    show) are a visitor's."""
    comment, video = context["comment"], context["video"]
    liked = comment.pk in liked_comments(request, video)
    mine = comment.controls_for(request.user, video, liked=liked)
    return mine == comment.controls_for(None, video)


@personal_part("comment", same_as_visitors=_sees_comment_as_visitors_do)
def comment_part(request, context) -> dict:
    # The buttons themselves follow from the person and these ({% comment_controls %}).
    return {"liked": liked_comments(request, context["video"])}


def comment_context(request, video: Video, *, form=None) -> dict:
    """What the comment section of the watch page needs (a fixed number of queries)."""
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "top"
    # Whoever blocked someone gets the page without that person's comments, rendered for them.
    hidden = blocks_of(request, video).authors
    personal_to(request, lambda person: bool(blocks_of(person, video).authors))
    comments = (
        Comment.objects.filter(video=video)
        .visible()
        .top_level()
        .exclude(author__in=hidden)
        .select_related("author")
        .with_replies(hiding_authors=hidden)
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
        "can_comment": can_comment(request, video),
        "blocked_by_owner": blocks_of(request, video).by_owner,
        # The owner's page alone (rendered for them: see render_watch_page).
        "held_comments": (
            list(
                Comment.objects.filter(video=video, held=True, hidden=False)
                .select_related("author")
                .order_by("created_at", "pk")
            )
            if video.can_edit(request.user)
            else []
        ),
    }


def can_comment(request, video: Video) -> bool:
    return (
        request.user.is_authenticated
        and video.is_playable
        and video.comment_policy != Video.CommentPolicy.OFF
        and not blocks_of(request, video).by_owner
    )


def new_comment_form() -> CommentForm:
    # The one-time token makes a double submit post once.
    return CommentForm(initial={"client_token": secrets.token_urlsafe(16)})


@personal_part("comment_form")
def comment_form_part(request, context) -> dict:
    """The comment form, with a one-time token of its own for each page (a form sent back
    with its errors stays as it was)."""
    form = context.get("comment_form")
    return {
        "can_comment": can_comment(request, context["video"]),
        "blocked_by_owner": blocks_of(request, context["video"]).by_owner,
        "comment_form": form if form is not None and form.is_bound else new_comment_form(),
    }


def video_stream_context(request, video: Video) -> dict:
    """The video's event stream in the reader's language, and the event id to resume from:
    read before the comments are, so nothing sent in between is missed."""
    stream = video_stream_name(video.public_id, request.LANGUAGE_CODE)
    return {
        "video_stream_event_id": get_current_event_id([stream]),
        # The page being rendered will be one more (if its reader has no other open: their
        # stream's announcement corrects it within a second).
        "watching": watching(video.public_id) + 1,
    }
