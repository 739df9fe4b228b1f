from django.conf import global_settings
from django.db import models
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

# The languages a caption file may be in: Django's list, whose names its own catalogs
# translate into every language of the site.
CAPTION_LANGUAGES = [code for code, _name in global_settings.LANGUAGES]


class CaptionQuerySet(models.QuerySet):
    def for_player(self, language: str | None = None) -> list["Caption"]:
        """These captions, the one to show first (in `language`, by default the active one)
        marked `default`: a track of the same language, else of the same main language
        ("ar" for "ar-dz")."""
        language = (language or get_language() or "").lower()
        captions = list(self)
        main = language.split("-")[0]
        chosen = next((c for c in captions if c.language == language), None) or next(
            (c for c in captions if c.language.split("-")[0] == main), None
        )
        for caption in captions:
            caption.default = caption is chosen
        return captions


class Caption(models.Model):
    """A video's captions in one language: a WebVTT file stored in the video's media folder
    (an SRT upload is converted), and the words of its cues, for search."""

    video = models.ForeignKey(
        "video_share.Video", on_delete=models.CASCADE, related_name="captions"
    )
    language = models.CharField(_("language"), max_length=10)
    label = models.CharField(_("label"), max_length=60, blank=True)
    file = models.FileField(max_length=200)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaptionQuerySet.as_manager()

    class Meta:
        ordering = ["language", "pk"]

    def __str__(self):
        return self.name

    @property
    def language_name(self) -> str:
        """The language's name in the language the page is in."""
        try:
            return get_language_info(self.language)["name_translated"]
        except KeyError:
            return self.language

    @property
    def name(self) -> str:
        """What the player and the owner's page call it: its label, else its language."""
        return self.label or self.language_name
