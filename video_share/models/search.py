from django.db import models


class VideoSearch(models.Model):
    """A video's searchable text, folded (case, width, Arabic forms — see text.fold).

    The full-text index lives beside it: an SQLite FTS5 table kept in step by triggers, or a
    PostgreSQL GIN index (migration 0005). video_share.search queries either.
    """

    video = models.OneToOneField(
        "video_share.Video", on_delete=models.CASCADE, primary_key=True, related_name="search"
    )
    title = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    channel = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self):
        return self.title
