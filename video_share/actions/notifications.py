"""Who is told what. Called from the other actions, inside their transaction; the unread count
of everyone concerned goes out live once it commits.

Never for one's own actions, never for a kind the recipient turned off, never from someone the
recipient blocked, never about something the recipient cannot see, never for someone who cannot
log in (banned).
"""

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.tasks import task
from django.utils import timezone

from ..events import bell_stream_name, render_fragment, send
from ..models import (
    Block,
    Comment,
    CommentLike,
    MutedNotification,
    Notification,
    Subscription,
    User,
    Video,
)
from ..models import handle_key as key_of
from ..prepared import Prepared
from ..text import mentioned_handles

Kind = Notification.Kind
FAN_OUT_BATCH = 1000
REPEAT_LIKE_QUIET = timedelta(days=1)


def _wants(user: User, kind: str, actor: User | None) -> bool:
    if not user.is_active or (actor is not None and actor.pk == user.pk):
        return False
    if actor is not None and Block.objects.filter(blocker=user, blocked=actor).exists():
        return False
    return not MutedNotification.objects.filter(user=user, kind=kind).exists()


def notify(
    recipient: User,
    kind: str,
    *,
    actor: User | None = None,
    video: Video | None = None,
    comment: Comment | None = None,
) -> Notification | None:
    if not _wants(recipient, kind, actor):
        return None
    if video is not None and not video.can_view(recipient):
        return None
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, actor=actor, video=video, comment=comment
    )
    announce([recipient.pk])
    return notification


def notify_held_comment(comment: Comment) -> None:
    """A comment held for review: only the video's owner is told, who approves it or not."""
    notify(
        comment.video.owner,
        Kind.COMMENT,
        actor=comment.author,
        video=comment.video,
        comment=comment,
    )


def notify_comment(comment: Comment, *, owner_told: bool = False) -> None:
    """A new comment: its parent's author (a reply), the video's owner (unless `owner_told`
    already, of a held comment), the people it mentions; each at most once, the most specific
    reason first."""
    video, author = comment.video, comment.author
    told = {author.pk, *([video.owner_id] if owner_told else [])}
    if comment.parent_id and comment.parent.author_id not in told:
        notify(comment.parent.author, Kind.REPLY, actor=author, video=video, comment=comment)
        told.add(comment.parent.author_id)
    handles = [key_of(handle) for handle in mentioned_handles(comment.body)][:20]
    for person in User.objects.filter(username_key__in=handles, is_active=True):
        if person.pk not in told:
            notify(person, Kind.MENTION, actor=author, video=video, comment=comment)
            told.add(person.pk)
    if video.owner_id not in told:
        notify(video.owner, Kind.COMMENT, actor=author, video=video, comment=comment)


def notify_like(comment: Comment, liker: User) -> None:
    """Likes on a comment gather in one unread notification: "Ali and 3 others liked your
    comment", always telling the likes that still stand. Someone who likes, unlikes and likes
    again does not notify twice in a day."""
    author = comment.author
    if not _wants(author, Kind.COMMENT_LIKE, liker) or not comment.video.can_view(author):
        return
    unread = _unread_likes(comment)
    if unread is None:
        told = Notification.objects.filter(
            recipient=author,
            kind=Kind.COMMENT_LIKE,
            comment=comment,
            actor=liker,
            created_at__gte=timezone.now() - REPEAT_LIKE_QUIET,
        )
        if told.exists():
            return
        liked_at = CommentLike.objects.get(comment=comment, user=liker).created_at
        Notification.objects.create(
            recipient=author,
            kind=Kind.COMMENT_LIKE,
            actor=liker,
            video=comment.video,
            comment=comment,
            since=liked_at,
        )
    else:
        unread.created_at = timezone.now()
        _gather(unread)
    announce([author.pk])


def unlike(comment: Comment) -> None:
    """A like was taken back: the unread notification of likes tells the ones left, or goes."""
    if (unread := _unread_likes(comment)) is not None:
        _gather(unread)
        announce([unread.recipient_id])


def _unread_likes(comment: Comment) -> Notification | None:
    return (
        Notification.objects.select_for_update()
        .filter(
            recipient_id=comment.author_id,
            kind=Kind.COMMENT_LIKE,
            comment=comment,
            read_at__isnull=True,
        )
        .first()
    )


def _gather(notification: Notification) -> None:
    """Point a likes notification at the likes given since it started (the latest liker
    named, the others counted), or delete it if none is left."""
    likes = (
        CommentLike.objects.filter(comment_id=notification.comment_id)
        .exclude(user_id=notification.recipient_id)
        .order_by("-created_at", "-pk")
    )
    if notification.since is not None:
        likes = likes.filter(created_at__gte=notification.since)
    latest = likes.first()
    if latest is None:
        notification.delete()
        return
    notification.actor_id = latest.user_id
    notification.others = likes.count() - 1
    notification.save(update_fields=["actor", "others", "created_at"])


def withdraw(kind: str, recipient_id: int, actor: User, **about) -> None:
    """An action taken back (a like, a heart, a subscription): its unread notification goes,
    if that person was the only one in it."""
    deleted, _ = (
        Notification.objects.filter(
            recipient_id=recipient_id, kind=kind, actor=actor, others=0, read_at__isnull=True
        )
        .filter(**about)
        .delete()
    )
    if deleted:
        announce([recipient_id])


def announce_about(*, video: Video | None = None, comment_ids: Iterable[int] = ()) -> None:
    """Something notifications are about is going away or out of sight: recount for those
    who still had it unread."""
    about = Notification.objects.unread()
    about = (
        about.filter(video=video) if video is not None else about.filter(comment__in=comment_ids)
    )
    announce(about.values_list("recipient_id", flat=True).distinct())


def notify_subscribers_when_public(video: Video) -> None:
    """A video becomes public and watchable: its channel's subscribers are told, once, by a
    background task."""
    if video.is_playable and video.visibility == Video.Visibility.PUBLIC and not video.announced_at:
        transaction.on_commit(lambda: notify_subscribers.enqueue(video.pk))


@task()
def notify_subscribers(video_id: int) -> None:
    """Tell a channel's subscribers about its new video, once."""
    claimed = Video.objects.filter(pk=video_id, announced_at__isnull=True).update(
        announced_at=timezone.now()
    )
    video = Video.objects.filter(pk=video_id).first()
    if claimed and video is not None:
        fan_out_new_video(video)


def fan_out_new_video(video: Video) -> int:
    """Tell every subscriber of the video's channel, in batches: one insert and one count per
    batch of FAN_OUT_BATCH subscribers, each batch committed (and announced) on its own.
    Runs in a background task. Returns how many were told."""
    if video.visibility != Video.Visibility.PUBLIC or not video.is_playable:
        return 0
    subscribers = (
        Subscription.objects.filter(channel_id=video.owner_id)
        .exclude(
            subscriber__muted_notifications__kind=Kind.NEW_VIDEO,
        )
        .exclude(subscriber__blocks_made__blocked=video.owner_id)
        .filter(subscriber__is_active=True)
        .order_by("subscriber_id")
        .values_list("subscriber_id", flat=True)
    )
    told, after = 0, 0
    while True:
        batch = list(subscribers.filter(subscriber_id__gt=after)[:FAN_OUT_BATCH])
        if not batch:
            return told
        with transaction.atomic():
            Notification.objects.bulk_create(
                Notification(
                    recipient_id=user_id, kind=Kind.NEW_VIDEO, actor_id=video.owner_id, video=video
                )
                for user_id in batch
            )
            announce(batch)
        told += len(batch)
        after = batch[-1]


def announce(user_ids: Iterable[int]) -> None:
    """Send these users' unread counts to their open pages once the transaction commits
    (counted then, so each page gets the count as committed)."""
    user_ids = set(user_ids)
    if user_ids:
        transaction.on_commit(lambda: _send_counts(user_ids))


_UNREAD = Prepared(
    lambda user_id: Notification.objects.for_user(user_id).unread().order_by().values("pk")
)


def unread_count(user: User) -> int:
    """What the bell shows (every signed-in page asks)."""
    return _UNREAD.count(user_id=user.pk)


def _send_counts(user_ids: set[int]) -> None:
    languages = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "language"))
    counts = dict(
        Notification.objects.visible()
        .unread()
        .filter(recipient_id__in=user_ids)
        .values_list("recipient_id")
        .annotate(n=Count("pk"))
    )
    rendered = {}  # the same count in the same language is the same HTML
    for user_id, language in languages.items():
        key = counts.get(user_id, 0), language
        if key not in rendered:
            rendered[key] = render_fragment("base.html#bell-count", {"unread": key[0]}, language)
        send(bell_stream_name(user_id), "unread", rendered[key])
