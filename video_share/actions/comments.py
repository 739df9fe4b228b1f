"""Actions on the conversation of a video: comments and reactions. Every change is
broadcast on the video's event streams after commit, as HTML rendered from the same partials
the page uses (htmx out-of-band swaps)."""

import functools
import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..event_storage import rewrite_marked
from ..events import publish_on_commit, render_fragment, video_streams
from ..models import Comment, CommentLike, Notification, Reaction, User, Video
from . import notifications


def publish_comments(video: Video, **context) -> None:
    """Broadcast a change of the comment section (see comments.html#comment-event), rendered
    after commit from the comments and the video as they then are: a heart made while
    someone edits the comment never broadcasts the words from before the edit."""

    @functools.cache
    def committed() -> dict:
        values = {key: _as_committed(value) for key, value in context.items()}
        return {"video": Video.objects.get(pk=video.pk), "broadcast": True, **values}

    publish_on_commit(
        video_streams(video.public_id),
        "comments",
        "video_share/comments.html#comment-event",
        committed,
    )


def _as_committed(value):
    """A comment as it now is (None if it is gone or hidden meanwhile); a list of them."""
    if isinstance(value, Comment):
        found = Comment.objects.visible().select_related("video", "author").with_replies()
        return found.filter(pk=value.pk).first()
    if isinstance(value, list):
        return [fresh for item in value if (fresh := _as_committed(item)) is not None]
    return value


def _render_comment(comment: Comment, language: str, oob: str = "") -> str:
    context = {"video": comment.video, "comment": comment, "broadcast": True, "oob": oob}
    return render_fragment("video_share/comments.html#comment", context, language)


# A broadcast copy of a comment starts with its marker and its <article>, which may carry the
# out-of-band swap of the event it is in.
_OOB = re.compile(r'<!--comment-\d+-->\s*<article [^>]*?hx-swap-oob="([^"]*)"')


def _replay_as_now(comment: Comment) -> None:
    """After an edit: every stored copy of the comment becomes the current one, so a reader
    who reconnects is never replayed the words from before."""
    current = Comment.objects.select_related("video", "author").with_replies().get(pk=comment.pk)
    for stream, language in video_streams(current.video.public_id):
        copies = {}

        def copy(match, language=language, copies=copies):
            oob = _OOB.match(match.group(0))
            oob = oob.group(1) if oob else ""
            if oob not in copies:
                copies[oob] = _render_comment(current, language, oob).strip()
            return copies[oob]

        rewrite_marked(stream, current.dom_id, copy)


def _take_out(comment: Comment, remove) -> None:
    """Take a comment, and the replies under it, out of the conversation (`remove` deletes or
    hides it): from unread notifications, from every open page, and from the stored events that
    reconnecting readers are replayed."""
    video, parent, comment_id = comment.video, comment.parent, comment.pk
    with transaction.atomic():
        gone = [comment_id, *comment.replies.values_list("pk", flat=True)]
        notifications.announce_about(comment_ids=gone)
        remove()
        if parent is not None and not comment.held:  # a held reply was never counted
            Comment.objects.filter(pk=parent.pk, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
            parent.refresh_from_db(fields=["reply_count"])
        for stream, _language in video_streams(video.public_id):
            for pk in gone:
                rewrite_marked(stream, f"comment-{pk}", "")
        publish_comments(video, removed_id=comment_id, parent=parent, comment_count=_count(video))


def _count(video: Video) -> int:
    return Comment.objects.filter(video=video).visible().count()


def do_post_comment(
    *, video: Video, author: User, body: str, parent: Comment | None = None, client_token: str = ""
) -> Comment:
    """Post a comment, or a reply to one. The same form submitted twice posts once."""
    with transaction.atomic():
        if client_token:
            existing = Comment.objects.filter(author=author, client_token=client_token).first()
            if existing is not None:
                return existing
        if parent is not None and parent.parent_id:
            parent = parent.parent  # one level of replies
        held = video.comment_policy == Video.CommentPolicy.HELD and author.pk != video.owner_id
        comment = Comment.objects.create(
            video=video,
            author=author,
            body=body,
            parent=parent,
            client_token=client_token,
            held=held,
        )
        if held:  # the owner is told; everyone else once it is approved
            notifications.notify_held_comment(comment)
            return comment
        if parent is not None:
            Comment.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
            parent.refresh_from_db(fields=["reply_count"])
        publish_comments(video, added=comment, parent=parent, comment_count=_count(video))
        notifications.notify_comment(comment)
    return comment


def do_approve_comment(comment: Comment) -> None:
    """The video's owner lets a held comment in: it joins the conversation as if posted now."""
    parent = comment.parent
    with transaction.atomic():
        if not Comment.objects.filter(pk=comment.pk, held=True, hidden=False).update(held=False):
            return  # approved meanwhile (a second click, another tab), or hidden by staff
        comment.held = False
        if parent is not None:
            Comment.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
            parent.refresh_from_db(fields=["reply_count"])
        publish_comments(
            comment.video, added=comment, parent=parent, comment_count=_count(comment.video)
        )
        notifications.notify_comment(comment, owner_told=True)


def do_reject_comment(comment: Comment) -> None:
    """The video's owner turns a held comment away: it is deleted, and was never shown."""
    with transaction.atomic():
        notifications.announce_about(comment_ids=[comment.pk])
        comment.delete()


def do_edit_comment(comment: Comment, body: str) -> None:
    with transaction.atomic():
        comment.body = body
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        _replay_as_now(comment)
        publish_comments(comment.video, changed=comment)


def do_delete_comment(comment: Comment) -> None:
    """Delete a comment (and its replies)."""
    _take_out(comment, comment.delete)


def do_hide_comment(comment: Comment) -> None:
    """Staff hide a comment (and the replies under it) from everyone."""
    _take_out(comment, lambda: Comment.objects.filter(pk=comment.pk).update(hidden=True))


def do_pin_comment(comment: Comment, pinned: bool = True) -> None:
    """Pin a top-level comment above the others (one at a time), or unpin it."""
    video = comment.video
    with transaction.atomic():
        unpinned = list(Comment.objects.filter(video=video, pinned=True).exclude(pk=comment.pk))
        Comment.objects.filter(pk__in=[c.pk for c in unpinned]).update(pinned=False)
        comment.pinned = pinned
        comment.save(update_fields=["pinned"])
        for other in unpinned:
            other.pinned = False
        shown = [other for other in unpinned if not other.hidden]
        publish_comments(video, pinned=comment if pinned else None, changed_many=[comment, *shown])


def do_toggle_comment_like(comment: Comment, user: User) -> bool:
    """Like a comment, or take the like back. True if it is now liked."""
    with transaction.atomic():
        deleted, _ = CommentLike.objects.filter(comment=comment, user=user).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk, like_count__gt=0).update(
                like_count=F("like_count") - 1
            )
        else:
            CommentLike.objects.create(comment=comment, user=user)
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
        comment.refresh_from_db(fields=["like_count"])
        if deleted:
            notifications.unlike(comment)
        else:
            notifications.notify_like(comment, user)
        publish_comments(comment.video, likes=comment)
    return not deleted


def do_heart_comment(comment: Comment, hearted: bool) -> None:
    """The video's owner puts a heart on a comment (or takes it back)."""
    with transaction.atomic():
        comment.hearted = hearted
        comment.save(update_fields=["hearted"])
        publish_comments(comment.video, changed=comment)
        video = comment.video
        if hearted:
            notifications.notify(
                comment.author,
                Notification.Kind.HEART,
                actor=video.owner,
                video=video,
                comment=comment,
            )
        else:
            notifications.withdraw(
                Notification.Kind.HEART, comment.author_id, video.owner, comment=comment
            )


def do_react(video: Video, user: User, value: int) -> int:
    """Like (+1) or dislike (-1) a video; the same again takes it back. Returns the viewer's
    reaction now (0 for none). Counts stay right under concurrent clicks: one row per viewer,
    counters moved in the same transaction."""
    counters = {Reaction.LIKE: "like_count", Reaction.DISLIKE: "dislike_count"}
    with transaction.atomic():
        current = Reaction.objects.select_for_update().filter(video=video, user=user).first()
        changes = {}
        if current is not None:
            changes[counters[current.value]] = F(counters[current.value]) - 1
            current.delete()
        if current is None or current.value != value:
            Reaction.objects.create(video=video, user=user, value=value)
            changes[counters[value]] = F(counters[value]) + 1
            now = value
        else:
            now = 0
        Video.objects.filter(pk=video.pk).update(**changes)
        video.refresh_from_db(fields=["like_count", "dislike_count"])
        publish_comments(video, reactions=True)
    return now
