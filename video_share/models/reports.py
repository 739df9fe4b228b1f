from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportQuerySet(models.QuerySet):
    def open(self):
        """Reports no moderator has acted on yet."""
        return self.filter(resolved=False)

    def by_thing(self) -> list["ReportedThing"]:
        """These reports gathered by what they report (a video, or a comment), the thing
        reported last first."""
        found: dict[tuple, ReportedThing] = {}
        reports = self.select_related(
            "video__owner", "comment__author", "comment__video__owner"
        ).order_by("-created_at", "-pk")
        for report in reports:
            key = report.video_id, report.comment_id
            thing = found.setdefault(key, ReportedThing(latest=report))
            thing.reasons[report.get_reason_display()] += 1
            if report.note:
                thing.notes.append(report.note)
        return list(found.values())

    def open_items(self) -> int:
        """How many things (a video, or a comment) wait for a moderator: the moderation
        queue's length, and the count on the staff badge."""
        return self.open().values("video", "comment").distinct().count()


class Report(models.Model):
    """A viewer flags a video or a comment for the moderators (the moderation area)."""

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

    objects = ReportQuerySet.as_manager()

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


class ModerationEntry(models.Model):
    """One line of the moderation log: who did what, when, to what, and why. Written by the
    moderation actions themselves. What was acted on is named in words too (`target`), for
    what is deleted later."""

    class Action(models.TextChoices):
        DISMISS = "dismiss", _("Dismissed the reports")
        HIDE = "hide", _("Hid")
        DELETE = "delete", _("Deleted")
        BAN = "ban", _("Banned")
        LIFT_BAN = "lift_ban", _("Ban ended")

    class Kind(models.TextChoices):
        VIDEO = "video", _("video")
        COMMENT = "comment", _("comment")
        USER = "user", _("user")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_done",
    )
    action = models.CharField(max_length=20, choices=Action)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_received",
    )
    video = models.ForeignKey(
        "video_share.Video", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "video_share.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    # The video's title, the comment's first words or the user's handle, as they were.
    target = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("moderation entries")

    def __str__(self):
        return f"{self.get_action_display()}: {self.target}"


@dataclass
class ReportedThing:
    """A video or a comment, with what the reports of it say (see ReportQuerySet.by_thing)."""

    latest: Report
    reasons: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def report_count(self) -> int:
        return self.reasons.total()

    @property
    def reason_counts(self) -> list[tuple[str, int]]:
        """(reason, how many gave it), the most given first."""
        return self.reasons.most_common()
