import hashlib
import json

from django import template
from django.core.cache import cache
from django.template.loader import get_template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import avoid_wrapping, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import (
    get_language,
    gettext,
    gettext_noop,
    ngettext,
    npgettext_lazy,
)

from ..shared_pages import PersonalNode
from ..text import RICH_TOKENS, seconds_of

register = template.Library()


@register.tag
def personal(parser, token):
    """{% personal [part] %}…{% endpersonal %}: what differs from one person to the next on a
    page otherwise the same for everyone (video_share.shared_pages); `part` names what the
    block needs of the person (registered with @personal_part). A shared page's template that
    reads the person (user, perms, request.user...) outside such a block fails
    tests/test_shared_pages.py."""
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError("{% personal %} takes at most the name of a part.")
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    return PersonalNode(nodelist, bits[1] if len(bits) == 2 else "")


@register.filter
def media_url(video, name: str) -> str:
    """URL of one of a video's stored files (poster, rendition, frame)."""
    if not name:
        return ""
    return reverse(
        "video_media", kwargs={"public_id": video.public_id, "name": name.rsplit("/", 1)[-1]}
    )


@register.simple_tag(takes_context=True)
def absolute(context, path: str) -> str:
    """The full address of `path` on the host the page was asked of: for what is read outside
    the site (link previews, canonical links, feeds, embed codes)."""
    return context["request"].build_absolute_uri(path)


@register.filter
def duration(seconds) -> str:
    """1:05 or 1:02:03."""
    if seconds is None:
        return ""
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def can_edit(video, user) -> bool:
    return video.can_edit(user)


@register.simple_tag
def comment_controls(comment, video, user, liked):
    """{% comment_controls comment video user liked as controls %}: what `user` may do to
    `comment` (Comment.controls_for), `liked` the comments they like. A broadcast, rendered
    without a person, gets a visitor's."""
    signed_in = getattr(user, "is_authenticated", False)
    return comment.controls_for(
        user if signed_in else None, video, liked=signed_in and comment.pk in (liked or ())
    )


def _compacted(value: int) -> tuple[float, int]:
    """value as compact_number shows it: (1.2, 1000) for 1,234; (value, 1) below a thousand."""
    for size in (1_000_000_000, 1_000_000, 1_000):
        if value >= size:
            scaled = value / size
            digits = 1 if scaled < 10 else 0
            # Truncate, never round up: 1,999 views is "1.9K", not "2K".
            return int(scaled * 10**digits) / 10**digits, size
    return value, 1


def compact_number(value: int) -> str:
    """999, 1.2K, 15K, 3.4M — in the active language."""
    scaled, size = _compacted(int(value or 0))
    if size == 1:
        return number_format(scaled)
    unit = {1_000_000_000: gettext("%(number)sB"), 1_000_000: gettext("%(number)sM"),
            1_000: gettext("%(number)sK")}[size]  # fmt: skip
    return unit % {"number": number_format(scaled, 1 if scaled % 1 else 0)}


@register.filter
def compact_value(value) -> int:
    """The number compact_number shows (1,234 → 1,200), to choose a plural form by: the words
    must agree with what is read. In Arabic "1.2 ألف تعليق" takes the form of 1,200, not of
    1,234 ("1,234 تعليقًا")."""
    scaled, size = _compacted(int(value or 0))
    return round(scaled * size)


@register.filter
def views(value) -> str:
    """ "1.2K views", pluralised for the number shown."""
    count = int(value or 0)
    return ngettext("%(count)s view", "%(count)s views", compact_value(count)) % {
        "count": compact_number(count)
    }


_TRAILING = ".,;:!?)]}'\"»"


@register.filter(needs_autoescape=False)
def rich_text(text: str) -> str:
    """User text, escaped, with links made clickable (rel="nofollow ugc noopener"),
    timestamps like 1:23 turned into links that seek the player (?t=83 without JavaScript),
    and @handles linked to their channels."""
    out, position = [], 0
    for match in RICH_TOKENS.finditer(text or ""):
        out.append(escape(text[position : match.start()]))
        if match["url"]:
            url = match["url"]
            trail = ""
            while url and url[-1] in _TRAILING:
                trail, url = url[-1] + trail, url[:-1]
            out.append(
                format_html('<a href="{}" rel="nofollow ugc noopener">{}</a>{}', url, url, trail)
            )
        elif match["mention"]:
            handle = match["mention"][1:]
            out.append(
                format_html(
                    '<a href="{}" dir="auto">@{}</a>',
                    reverse("channel", kwargs={"username": handle}),
                    handle,
                )
            )
        else:
            seconds = seconds_of(match["time"])
            out.append(
                format_html(
                    '<a href="?t={}" data-seek="{}" dir="ltr">{}</a>',
                    seconds,
                    seconds,
                    match["time"],
                )
            )
        position = match.end()
    out.append(escape((text or "")[position:]))
    paragraphs = "".join(out).replace("\r\n", "\n").split("\n\n")
    return mark_safe(  # noqa: S308 - every piece above is escaped or built by format_html
        "".join(f"<p>{p.strip().replace(chr(10), '<br>')}</p>" for p in paragraphs if p.strip())
    )


# Django's own message ids, so that its catalogs name the units in every language (but not
# "%(size)d bytes", whose Arabic forms it mixes up).
SIZE_UNITS = (
    gettext_noop("%s KB"),
    gettext_noop("%s MB"),
    gettext_noop("%s GB"),
    gettext_noop("%s TB"),
    gettext_noop("%s PB"),
)


@register.filter
def decimal_size(size) -> str:
    """94.0 MB for 94,000,000 bytes: decimal units, as file managers count, where Django's
    filesizeformat counts 1,024 to the kilobyte and would say 89.6 MB."""
    try:
        size = max(0, int(size or 0))
    except (TypeError, ValueError):
        size = 0
    if size < 1000:
        return avoid_wrapping(ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size})
    for power, unit in enumerate(SIZE_UNITS, start=1):
        scaled = round(size / 1000**power, 1)
        if scaled < 1000 or unit == SIZE_UNITS[-1]:
            break
    return avoid_wrapping(gettext(unit) % number_format(scaled, 1))


@register.simple_tag
def size_format() -> str:
    """What upload.js needs to write sizes as decimal_size does, as JSON."""
    return json.dumps(
        {"units": [gettext(unit) for unit in SIZE_UNITS], "decimal": number_format(0.5, 1)[1:-1]},
        ensure_ascii=False,
    )


@register.filter
def compact(value) -> str:
    return compact_number(value)


# timesince's units, in words that follow "… ago": Arabic puts them after منذ, in the genitive,
# and lets one and two stand without a digit ("منذ دقيقتين").
AGO_UNITS = {
    "year": npgettext_lazy("ago", "%(num)d year", "%(num)d years", "num"),
    "month": npgettext_lazy("ago", "%(num)d month", "%(num)d months", "num"),
    "week": npgettext_lazy("ago", "%(num)d week", "%(num)d weeks", "num"),
    "day": npgettext_lazy("ago", "%(num)d day", "%(num)d days", "num"),
    "hour": npgettext_lazy("ago", "%(num)d hour", "%(num)d hours", "num"),
    "minute": npgettext_lazy("ago", "%(num)d minute", "%(num)d minutes", "num"),
}


@register.filter
def ago(moment) -> str:
    """ "just now", or "5 minutes ago" — in the active language."""
    from django.utils import timezone
    from django.utils.timesince import timesince

    if moment is None:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return gettext("just now")
    age = timesince(moment, depth=1, time_strings=AGO_UNITS)
    return gettext("%(age)s ago") % {"age": age}


CARD_SECONDS = 60


@register.simple_tag
def video_cards(videos, show_owner=False):
    """The cards of these videos. Each card is rendered at most once a minute per language
    and shared by every page that shows it: its cache key changes with everything it shows
    but its age ("5 minutes ago"), which may lag by up to a minute."""
    language = get_language()
    entries = [(_card_key(video, language, bool(show_owner)), video) for video in videos]
    cached = cache.get_many([key for key, _video in entries])
    template = get_template("includes/video_card.html")
    fresh, cards = {}, []
    for key, video in entries:
        card = cached.get(key) or fresh.get(key)
        if card is None:
            card = fresh[key] = template.render({"video": video, "show_owner": show_owner})
        cards.append(card)
    if fresh:
        cache.set_many(fresh, CARD_SECONDS)
    return mark_safe("".join(cards))  # noqa: S308 (rendered by the autoescaping template)


def _card_key(video, language: str, show_owner: bool) -> str:
    owner = video.owner
    shown = (
        video.pk,
        video.title,
        video.created_at.isoformat(),
        video.updated_at.isoformat(),
        video.status,
        video.visibility,
        video.poster.name,
        video.duration,
        video.view_count,
        owner.username,
        owner.name,
        language,
        show_owner,
    )
    return "card:" + hashlib.sha256(repr(shown).encode()).hexdigest()
