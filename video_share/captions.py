"""Caption files: an upload read as WebVTT or SubRip (SRT) by webvtt-py, and written out again
as WebVTT (what browsers play), with the words of its cues for search.

The file is recognised by what it holds, never by its name. What is stored is webvtt-py's
own rendering of the cues it read, not the bytes uploaded.
"""

import html
import io
from typing import NamedTuple

import webvtt
from django.utils.translation import gettext_lazy as _
from webvtt.errors import MalformedCaptionError, MalformedFileError

# Bytes no text file holds (NUL and other C0 controls but tab, newlines, form feed).
_BINARY = frozenset(range(32)) - {9, 10, 12, 13}


class NotCaptions(ValueError):
    """The upload is not a caption file we can read; the message says why, for its owner."""


class Captions(NamedTuple):
    vtt: str  # the WebVTT file to store
    text: str  # the words of the cues, one cue a line


def read(data: bytes) -> Captions:
    """The captions in an uploaded file (WebVTT or SRT, UTF-8). Raises NotCaptions."""
    if not data.strip():
        raise NotCaptions(_("This file is empty."))
    if _BINARY.intersection(data[:4096]):
        raise NotCaptions(_("This is not a subtitle file. Choose a WebVTT (.vtt) or SRT file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotCaptions(
            _("This file is not in UTF-8. Save it as UTF-8 in a text editor, then try again.")
        ) from None
    is_vtt = text.lstrip().startswith("WEBVTT")
    try:
        parsed = webvtt.from_buffer(io.StringIO(text), format="vtt" if is_vtt else "srt")
    except (MalformedFileError, MalformedCaptionError, ValueError):
        raise NotCaptions(
            _("This is not a subtitle file we can read. Choose a WebVTT (.vtt) or SRT file.")
        ) from None
    # Cue text as read: tags (<i>, <c.x>) removed, entities (&amp;) still written.
    lines = [html.unescape(cue.text).strip() for cue in parsed.captions]
    if not any(lines):
        raise NotCaptions(_("This file has no captions in it."))
    return Captions(parsed.content, "\n".join(line for line in lines if line))
