from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def visible(self):
        """Only those about what their recipient can still see (a video made private since,
        a comment hidden by a moderator: out of sight, back if that changes)."""
        from .videos import Video

        private = Q(video__visibility=Video.Visibility.PRIVATE) & ~Q(
            video__owner_id=F("recipient_id")
        )
        return self.exclude(private).exclude(comment__hidden=True)

    def for_user(self, user):
        """What a user's notification centre shows."""
        return self.filter(recipient=user).visible()

    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_display(self):
        return self.select_related("actor", "video", "comment")


class Notification(models.Model):
    """Something that happened to a user. The notification centre shows these.

    Deleting what a notification is about (a video, a comment, the person who acted) deletes
    the notification with it: none leads to a missing page.
    """

    class Kind(models.TextChoices):
        # The labels name each kind on the preferences page.
        COMMENT = "comment", _("Comments on your videos")
        REPLY = "reply", _("Replies to your comments")
        MENTION = "mention", _("Mentions of you")
        COMMENT_LIKE = "comment_like", _("Likes on your comments")
        HEART = "heart", _("Hearts on your comments")
        SUBSCRIBER = "subscriber", _("New subscribers")
        NEW_VIDEO = "new_video", _("New videos from channels you follow")
        VIDEO_READY = "video_ready", _("Your videos are ready")
        VIDEO_FAILED = "video_failed", _("Your videos could not be processed")
        EXPORT_READY = "export_ready", _("Your data exports are ready")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    # Who did it (the latest of them, for aggregated likes), and how many others did too.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    others = models.PositiveIntegerField(default=0)
    # Gathered likes: the likes given since this moment are the ones it speaks of.
    since = models.DateTimeField(null=True, blank=True)
    video = models.ForeignKey(
        "video_share.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "video_share.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="unread_notifications"
            ),
        ]
        constraints = [
            # Likes on a comment gather in one unread notification.
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=Q(kind="comment_like", read_at__isnull=True),
                name="one_unread_like_notification",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    def get_absolute_url(self):
        """The exact thing it is about: a comment's anchor on its watch page, a channel, a
        video."""
        if self.comment_id and self.video_id:
            return comment_url(self.video, self.comment_id)
        if self.kind == self.Kind.SUBSCRIBER and self.actor_id:
            return self.actor.get_absolute_url()
        if self.video_id:
            return self.video.get_absolute_url()
        if self.kind == self.Kind.EXPORT_READY:
            return reverse("your_data")
        return reverse("notifications")


def comment_url(video, comment_id: int) -> str:
    """A comment on its watch page: the page shows its thread first, open, and scrolls to it."""
    return f"{video.get_absolute_url()}?comment={comment_id}#comment-{comment_id}"


class MutedNotification(models.Model):
    """A kind of notification a user turned off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_notifications"
    )
    kind = models.CharField(max_length=30, choices=Notification.Kind)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="mute_once")]

    def __str__(self):
        return f"{self.user} mutes {self.kind}"
