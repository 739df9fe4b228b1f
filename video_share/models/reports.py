from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """A viewer flags a video or a comment for the moderators (the Django admin)."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or misleading")
        HARASSMENT = "harassment", _("Harassment or bullying")
        HATE = "hate", _("Hateful or abusive")
        VIOLENCE = "violence", _("Violent or dangerous")
        SEXUAL = "sexual", _("Sexual content")
        OTHER = "other", _("Something else")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    video = models.ForeignKey(
        "video_share.Video", on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        "video_share.Comment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    note = models.TextField(_("details"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["resolved", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=models.Q(comment__isnull=False),
                name="one_report_per_comment",
            ),
            models.UniqueConstraint(
                fields=["reporter", "video"],
                condition=models.Q(comment__isnull=True),
                name="one_report_per_video",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.target}"

    @property
    def target(self):
        return self.comment or self.video

    @property
    def author(self):
        return self.comment.author if self.comment else self.video.owner
