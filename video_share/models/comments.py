from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden=False)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def sorted_by(self, sort: str):
        """ "top": pinned, then most liked; "newest": pinned, then newest."""
        if sort == "top":
            return self.order_by("-pinned", "-like_count", "-created_at", "-pk")
        return self.order_by("-pinned", "-created_at", "-pk")


class Comment(models.Model):
    video = models.ForeignKey(
        "video_share.Video", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    hearted = models.BooleanField(default=False)  # by the video's owner
    hidden = models.BooleanField(default=False)  # by a moderator
    like_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    # Set by the form that posted it: a double submit of the same form posts once.
    client_token = models.CharField(max_length=40, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["video", "parent", "-created_at"]),
            models.Index(fields=["author", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~models.Q(client_token=""),
                name="one_comment_per_form",
            )
        ]

    def __str__(self):
        return self.body[:50]

    @property
    def dom_id(self) -> str:
        return f"comment-{self.pk}"


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_like_per_comment")
        ]

    def __str__(self):
        return f"{self.user_id} likes {self.comment_id}"
