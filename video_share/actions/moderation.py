"""Actions of reporting and moderation."""

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..events import recheck_streams_on_commit
from ..models import Comment, Report, User, Video
from .comments import do_delete_comment, do_hide_comment
from .videos import do_delete_video, do_edit_video


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
    except IntegrityError:
        return False
    return True


def do_hide(report: Report) -> None:
    """Take the reported thing out of view: a comment disappears for everyone, a video
    becomes private (its viewers are cut off)."""
    with transaction.atomic():
        if report.comment is not None:
            do_hide_comment(report.comment)
        else:
            _make_private(report.video)
        Report.objects.filter(video=report.video, comment=report.comment).update(resolved=True)


def do_delete_reported(report: Report) -> None:
    with transaction.atomic():
        Report.objects.filter(video=report.video, comment=report.comment).update(resolved=True)
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


def do_ban(user: User) -> None:
    """Ban a user: they can no longer log in, their comments are hidden, and their videos
    become private (out of every listing, page, media file and video stream, as when a
    moderator hides one)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
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
