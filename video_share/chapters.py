"""Chapters: timestamps at the start of a description's lines ("0:00 Intro", "1:02:03 Q&A"),
read as YouTube reads them: three or more, the first at 0:00, each later than the one before.
Timestamps are found as everywhere else in user text (text.RICH_TOKENS)."""

from typing import NamedTuple

from .text import RICH_TOKENS, seconds_of

MIN_CHAPTERS = 3
# What may stand between a timestamp and its title: "0:00 - Intro", "0:00: Intro".
_SEPARATORS = " \t-–—:|·•"


class Chapter(NamedTuple):
    start: int  # seconds
    end: float  # where the next one starts, or the video ends
    title: str


def chapters_in(description: str, duration: float | None = None) -> list[Chapter]:
    """The chapters a description lists, or none if they do not follow the rules. Those
    starting at or after the end of the video (`duration`, if known) are left out."""
    marks = []
    for line in (description or "").splitlines():
        line = line.strip()
        match = RICH_TOKENS.match(line)
        if match and match["time"]:
            title = line[match.end() :].strip(_SEPARATORS) or match["time"]
            marks.append((seconds_of(match["time"]), title))
    if duration:
        marks = [mark for mark in marks if mark[0] < duration]
    starts = [start for start, _title in marks]
    if len(marks) < MIN_CHAPTERS or starts[0] != 0 or starts != sorted(set(starts)):
        return []
    ends = [*starts[1:], duration or starts[-1]]
    return [Chapter(start, end, title) for (start, title), end in zip(marks, ends, strict=True)]
