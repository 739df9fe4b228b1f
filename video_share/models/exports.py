from django.conf import settings
from django.db import models


class DataExport(models.Model):
    """A copy of everything the site keeps of a person, as a zip archive that the worker
    makes for them to download (actions/your_data.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    file = models.FileField(max_length=200, blank=True)
    size = models.BigIntegerField(default=0)
    requested_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"export {self.pk} of {self.user_id}"
