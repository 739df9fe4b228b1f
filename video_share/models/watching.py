import ipaddress

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac


class View(models.Model):
    """One counted view. A viewer is known by its account when signed in, by its address
    otherwise, and by its viewer cookie in both cases: a view counts when none of them has
    counted for that video in that hour. So dropping the cookie does not count a visitor twice,
    signing in does not count them again, and a class of signed-in students behind one school
    address counts every student."""

    video = models.ForeignKey("video_share.Video", on_delete=models.CASCADE, related_name="views")
    hour = models.DateTimeField()
    # A keyed hash of the address (its /64 network for IPv6), never the address itself; empty
    # for a signed-in viewer, who is known by their account.
    address = models.CharField(max_length=64, blank=True, default="")
    cookie = models.CharField(max_length=40, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # A cookie or an account that is not there matches nothing (NULLs are distinct).
        constraints = [
            models.UniqueConstraint(
                fields=["video", "hour", "address"],
                condition=~models.Q(address=""),
                name="one_view_per_address_per_hour",
            ),
            models.UniqueConstraint(
                fields=["video", "hour", "cookie"],
                condition=~models.Q(cookie=""),
                name="one_view_per_cookie_per_hour",
            ),
            models.UniqueConstraint(
                fields=["video", "hour", "user"], name="one_view_per_user_per_hour"
            ),
        ]
        indexes = [models.Index(fields=["video", "created_at"])]

    def __str__(self):
        return f"a view of {self.video_id} at {self.hour:%Y-%m-%d %H}h"

    @staticmethod
    def address_key(address: str) -> str:
        """How an address is known: its /64 network for IPv6 (one home or phone is given a
        whole one), hashed with the site's secret so that the table holds no addresses."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            network = address
        else:
            if ip.version == 6 and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            network = str(ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip)
        return salted_hmac("video_share.View.address", network, algorithm="sha256").hexdigest()[:40]


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


class WatchTime(models.Model):
    """Seconds of a video watched on one day (in the site's time zone), for its owner's
    statistics.

    Kept apart from WatchProgress, which holds only where each viewer is now (a viewer who
    watches twice, seeks, or clears their history leaves no trace of how long they watched
    there): each progress report adds what was played since the one before
    (actions.videos.do_save_progress), and a table of one row per video and day stays small
    and sums in one query whatever the audience. Only signed-in viewers' players report
    progress, so this is their watch time, the owner's own excluded as their views are."""

    video = models.ForeignKey(
        "video_share.Video", on_delete=models.CASCADE, related_name="watch_times"
    )
    day = models.DateField()
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["video", "day"], name="one_watch_time_per_day")
        ]

    def __str__(self):
        return f"{self.seconds:.0f}s of {self.video_id} on {self.day}"


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
