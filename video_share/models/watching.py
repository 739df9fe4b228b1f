from django.conf import settings
from django.db import models


class View(models.Model):
    """One counted view: at most one per viewer, per video, per hour."""

    video = models.ForeignKey("video_share.Video", on_delete=models.CASCADE, related_name="views")
    viewer = models.CharField(max_length=64)  # "u<user id>" or an anonymous cookie id
    hour = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video", "viewer", "hour"], name="one_view_per_hour")
        ]
        indexes = [models.Index(fields=["video", "created_at"])]

    def __str__(self):
        return f"{self.viewer} viewed {self.video_id} at {self.hour:%Y-%m-%d %H}h"


class WatchProgress(models.Model):
    """Where a signed-in viewer got to in a video: resume and history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_progress"
    )
    video = models.ForeignKey("video_share.Video", on_delete=models.CASCADE, related_name="+")
    position = models.FloatField(default=0)
    duration = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "video"], name="one_progress_per_video")
        ]
        indexes = [models.Index(fields=["user", "-updated_at"])]

    def __str__(self):
        return f"{self.user_id} at {self.position:.0f}s of {self.video_id}"

    @property
    def percent(self) -> int:
        if not self.duration:
            return 0
        return max(0, min(100, round(self.position / self.duration * 100)))

    @property
    def resume_at(self) -> float:
        """Where to start again: nowhere if the video was (nearly) finished."""
        if self.position < 5 or self.position > self.duration - 10:
            return 0
        return self.position


class Reaction(models.Model):
    """A viewer's like (+1) or dislike (-1) of a video; one per viewer."""

    LIKE, DISLIKE = 1, -1

    video = models.ForeignKey(
        "video_share.Video", on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=[(LIKE, "like"), (DISLIKE, "dislike")])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video", "user"], name="one_reaction_per_video")
        ]

    def __str__(self):
        return f"{self.user_id} {self.value:+d} {self.video_id}"
