"""Text normalisation shared by tags and search: case, width, whitespace and Arabic forms."""

import re
import unicodedata

# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef) and tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
    }
)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """The form two texts are compared in: "Café  ARABIC" and "café arabic" fold alike,
    and so do Arabic words written with or without diacritics, tatweel, hamza forms of alef,
    or ta marbuta."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    return _SPACES.sub(" ", text).strip()


def clean_tag(text: str) -> str:
    """A tag as shown: whitespace collapsed, no leading '#'."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lstrip("#").strip()
