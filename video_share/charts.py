"""Bar charts drawn on the server as SVG (templates/includes/chart.html), readable without
JavaScript, each with its numbers as a table beside it.

Across, positions are percentages of the chart's width, so that the chart fills any screen
while its text keeps the page's size; down, pixels. Time runs in the reading direction: from
right to left in Arabic. Every coordinate leaves here as a string: a number in a template is
written in the language's own format (a decimal comma), which SVG does not read."""

import math
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

TOP = 24  # room above the highest grid line for its value
PLOT = 150
AXIS = 28  # room below the bars for the dates
HEIGHT = TOP + PLOT + AXIS
# At most this many dates under the bars: they stay apart on a phone.
MOST_TICKS = 5
GAP = 0.3  # of each bar's slot, between bars


@dataclass(frozen=True)
class Bar:
    x: str  # percent
    width: str  # percent
    middle: str  # percent
    y: str
    height: str
    label: str  # the day or month, short
    text: str  # the value, as the table writes it
    tick: bool  # its date written under it


@dataclass(frozen=True)
class GridLine:
    y: str
    text: str


@dataclass(frozen=True)
class Row:
    when: str  # machine-readable, for <time datetime>
    label: str
    text: str


@dataclass(frozen=True)
class Chart:
    slug: str  # unique on the page: the ids of its title and description
    title: str
    description: str
    column: str  # heading of the values in the table
    by_month: bool
    rtl: bool
    bars: list[Bar]
    grid: list[GridLine]
    rows: list[Row]
    total: str
    height: int = HEIGHT
    axis_y: str = str(TOP + PLOT + AXIS - 8)
    base_y: str = str(TOP + PLOT)


def number(value: float, decimals: int = 0) -> str:
    """A value as the charts and their tables write it, in the page's language."""
    return number_format(round(value, decimals), decimal_pos=decimals)


def _scale_top(largest: float, whole: bool) -> float:
    """A round number at least `largest`, whose half is round too (and whole, for counts)."""
    if largest <= 0:
        return 2 if whole else 1
    magnitude = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 4, 5, 6, 8, 10):
        top = step * magnitude
        if top >= largest and (not whole or (top / 2).is_integer()):
            return top
    return 10 * magnitude  # pragma: no cover (10 always fits)


def bar_chart(
    *,
    slug: str,
    title: str,
    column: str,
    buckets: list[date],
    values: list[float],
    by_month: bool,
    rtl: bool,
    decimals: int = 0,
) -> Chart:
    """A bar per bucket (a day, or a month), oldest first in the reading direction."""

    def text(value: float) -> str:
        return number(value, decimals)

    short, long = ("M Y", "YEAR_MONTH_FORMAT") if by_month else ("j M", "DATE_FORMAT")
    count = len(buckets)
    slot = 100 / max(count, 1)
    top = _scale_top(max(values, default=0), whole=decimals == 0)
    every = math.ceil(count / MOST_TICKS)
    bars = []
    for index, (bucket, value) in enumerate(zip(buckets, values, strict=True)):
        place = count - 1 - index if rtl else index
        height = value / top * PLOT
        bars.append(
            Bar(
                x=f"{(place + GAP / 2) * slot:.3f}",
                width=f"{(1 - GAP) * slot:.3f}",
                middle=f"{(place + 0.5) * slot:.3f}",
                y=f"{TOP + PLOT - height:.1f}",
                height=f"{height:.1f}",
                label=date_format(bucket, short),
                text=text(value),
                # Counted back from the latest, which is always named.
                tick=(count - 1 - index) % every == 0,
            )
        )
    grid = [
        GridLine(y=f"{TOP + PLOT - share * PLOT:.1f}", text=text(top * share))
        for share in (0, 0.5, 1)
    ]
    total = sum(values)
    most = max(range(count), key=lambda i: values[i]) if count else None
    if most is None or not values[most]:
        description = _("Nothing from %(first)s to %(last)s.")
    else:
        description = _(
            "%(total)s in all from %(first)s to %(last)s; the most, %(most)s, on %(most_on)s."
        )
    description %= {
        "total": text(total),
        "first": date_format(buckets[0], long) if count else "",
        "last": date_format(buckets[-1], long) if count else "",
        "most": text(values[most]) if most is not None else "",
        "most_on": date_format(buckets[most], long) if most is not None else "",
    }
    rows = [
        Row(
            when=bucket.strftime("%Y-%m" if by_month else "%Y-%m-%d"),
            label=date_format(bucket, long),
            text=text(value),
        )
        for bucket, value in zip(buckets, values, strict=True)
    ]
    return Chart(
        slug=slug,
        title=title,
        description=description,
        column=column,
        by_month=by_month,
        rtl=rtl,
        bars=bars,
        grid=grid,
        rows=rows,
        total=text(total),
    )
