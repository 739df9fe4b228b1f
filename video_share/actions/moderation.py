"""Actions of reporting and moderation. Each moderation action writes its line of the
moderation log (ModerationEntry); the count of open reports goes out to staff pages once a
report is filed or resolved."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from ..events import publish_on_commit, recheck_streams_on_commit, reports_streams
from ..models import Comment, ModerationEntry, Report, User, Video
from .comments import do_delete_comment, do_hide_comment
from .videos import do_delete_video, do_edit_video

Action = ModerationEntry.Action


def do_report(reporter: User, *, reason: str, note: str = "", video=None, comment=None) -> bool:
    """File a report; False if this person already reported it."""
    try:
        with transaction.atomic():
            Report.objects.create(
                reporter=reporter,
                video=video or comment.video,
                comment=comment,
                reason=reason,
                note=note,
            )
            announce_open_reports()
    except IntegrityError:
        return False
    return True


def announce_open_reports() -> None:
    """Once the transaction commits, send staff pages the count of things waiting for a
    moderator (the badge in the header), counted then."""
    publish_on_commit(
        reports_streams(),
        "reports",
        "base.html#reports-count",
        lambda: {"open_reports": Report.objects.open_items()},
    )


def _resolve(report: Report) -> None:
    """Every report of the same thing is answered at once."""
    Report.objects.filter(video=report.video_id, comment=report.comment_id).update(resolved=True)
    announce_open_reports()


def log(action: str, moderator: User | None, *, reason: str = "", until=None, **about) -> None:
    """Write a line of the moderation log about a comment, a video or a user (one of them
    in `about`)."""
    if (comment := about.get("comment")) is not None:
        kind, target, user, video = "comment", comment.body, comment.author, comment.video
    elif (video := about.get("video")) is not None:
        kind, target, user = "video", video.title, video.owner
    else:
        kind, user, video = "user", about["user"], None
        target = f"@{user.username}"
    ModerationEntry.objects.create(
        moderator=moderator,
        action=action,
        kind=kind,
        target=Truncator(target).chars(200),
        user=user,
        video=video,
        comment=comment,
        reason=reason,
        until=until,
    )


def _reported(report: Report) -> dict:
    return {"comment": report.comment} if report.comment_id else {"video": report.video}


def do_dismiss(report: Report, moderator: User | None = None, reason: str = "") -> None:
    """Answer the reports of something without acting on it."""
    with transaction.atomic():
        log(Action.DISMISS, moderator, reason=reason, **_reported(report))
        _resolve(report)


def do_hide(report: Report, moderator: User | None = None, reason: str = "") -> None:
    """Take the reported thing out of view: a comment disappears for everyone, a video
    becomes private (its viewers are cut off)."""
    with transaction.atomic():
        log(Action.HIDE, moderator, reason=reason, **_reported(report))
        if report.comment is not None:
            do_hide_comment(report.comment)
        else:
            _make_private(report.video)
        _resolve(report)


def do_delete_reported(report: Report, moderator: User | None = None, reason: str = "") -> None:
    with transaction.atomic():
        log(Action.DELETE, moderator, reason=reason, **_reported(report))
        _resolve(report)
        if report.comment is not None:
            do_delete_comment(report.comment)
        else:
            do_delete_video(report.video)


def _make_private(video: Video) -> None:
    do_edit_video(
        video,
        {
            "title": video.title,
            "description": video.description,
            "visibility": Video.Visibility.PRIVATE,
            "publish_at": None,  # and it stays so: a scheduled time is cancelled
            "tags_text": video.tag_names(),
        },
    )


def do_ban(
    user: User,
    *,
    moderator: User | None = None,
    reason: str = "",
    until: datetime | None = None,
) -> None:
    """Ban a user, for good or `until` a time (then do_lift_expired_bans lets them back in):
    they can no longer log in (and are told `reason` when they try), their open streams
    close, their comments are hidden, and their videos become private (out of every
    listing, page, media file and video stream, as when a moderator hides one)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            is_active=False, banned_until=until, ban_reason=reason
        )
        log(Action.BAN, moderator, reason=reason, until=until, user=user)
        recheck_streams_on_commit(user=user)  # their open streams close, in every process
        shown = ~Q(visibility=Video.Visibility.PRIVATE) | Q(publish_at__isnull=False)
        for video in Video.objects.filter(owner=user).filter(shown):
            _make_private(video)
        for comment in Comment.objects.filter(author=user, hidden=False).select_related(
            "video", "parent"
        ):
            do_hide_comment(comment)
        Report.objects.filter(comment__author=user).update(resolved=True)
        Report.objects.filter(video__owner=user).update(resolved=True)
        announce_open_reports()


def do_lift_expired_bans() -> int:
    """Let back in everyone whose timed ban has passed (what was hidden or made private
    stays so). Run at each log-in and by the worker's watchdog. Returns how many."""
    lifted = 0
    expired = User.objects.filter(is_active=False, banned_until__lte=timezone.now())
    # Looked for first, outside a transaction: on SQLite each transaction takes the write lock,
    # and the watchdog asks every few seconds, mostly to find none.
    if not expired.exists():
        return 0
    with transaction.atomic():
        expired = expired.select_for_update()
        for user in expired:
            User.objects.filter(pk=user.pk).update(is_active=True, banned_until=None, ban_reason="")
            log(Action.LIFT_BAN, None, user=user)
            lifted += 1
    return lifted
