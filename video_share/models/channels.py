from django.conf import settings
from django.db import models


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    channel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscribers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "channel"], name="one_subscription"),
            models.CheckConstraint(
                condition=~models.Q(subscriber=models.F("channel")), name="no_self_subscription"
            ),
        ]
        indexes = [models.Index(fields=["channel", "-created_at"])]

    def __str__(self):
        return f"{self.subscriber_id} → {self.channel_id}"


class Block(models.Model):
    """Someone (`blocker`) no longer wants to hear from someone else (`blocked`): the blocked
    person's comments are hidden for them, their actions notify them no more, and they may not
    comment on the blocker's videos."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="no_self_block"
            ),
        ]

    def __str__(self):
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


def blocks(blocker, blocked) -> bool:
    """Whether `blocker` (a user, or None) has blocked `blocked` (a user or a user id)."""
    blocked_id = getattr(blocked, "pk", blocked)
    return (
        blocker is not None
        and blocker.is_authenticated
        and Block.objects.filter(blocker=blocker.pk, blocked=blocked_id).exists()
    )
