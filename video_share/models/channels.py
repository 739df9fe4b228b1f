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
