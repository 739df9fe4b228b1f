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


# What comments make live: links, timestamps (1:23) and @mentions.
RICH_TOKENS = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"']+)"
    r"|(?P<time>(?<![\w:])(?:\d{1,2}:)?[0-5]?\d:[0-5]\d(?![\w:]))"
    r"|(?P<mention>(?<![\w@/])@[\w][\w.]{1,28}[\w])"
)


def seconds_of(timestamp: str) -> int:
    """The seconds a timestamp such as 1:02:03 (RICH_TOKENS' "time") stands for."""
    total = 0
    for part in timestamp.split(":"):
        total = total * 60 + int(part)
    return total


def mentioned_handles(text: str) -> list[str]:
    """The @handles a text mentions, in order, each once (as written, without the @)."""
    handles = [m["mention"][1:] for m in RICH_TOKENS.finditer(text or "") if m["mention"]]
    return list(dict.fromkeys(handles))
