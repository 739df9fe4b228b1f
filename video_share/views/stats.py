"""Creators' statistics pages: a video's and a channel's, for their owner and staff only
(anyone else gets 404, as for a private video)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .. import stats
from ..charts import bar_chart, number
from ..htmx import HtmxHttpRequest
from ..models import User, handle_key
from .lookups import video_for

# Each measure: its name (the table's column), and the titles of its chart by day and by month.
MEASURES = {
    "views": (_("Views"), _("Views per day"), _("Views per month")),
    "watch_time": (
        _("Watch time (minutes)"),
        _("Watch time per day"),
        _("Watch time per month"),
    ),
    "likes": (_("Likes"), _("Likes per day"), _("Likes per month")),
    "comments": (_("Comments"), _("Comments per day"), _("Comments per month")),
    "subscribers": (
        _("New subscribers"),
        _("New subscribers per day"),
        _("New subscribers per month"),
    ),
}


@require_safe
def video_stats(request: HtmxHttpRequest, public_id: str):
    video = video_for(request, public_id, edit=True)
    period = stats.period_of(request.GET.get("period", ""), video.created_at)
    context = stats.video_stats(video, period)
    return _render(request, context, video=video, owner=video.owner)


@require_safe
def channel_stats(request: HtmxHttpRequest, username: str):
    owner = get_object_or_404(User, username_key=handle_key(username), is_active=True)
    if not (request.user.is_authenticated and (request.user == owner or request.user.is_staff)):
        raise Http404
    period = stats.period_of(request.GET.get("period", ""), owner.date_joined)
    context = stats.channel_stats(owner, period)
    return _render(request, context, video=None, owner=owner)


def _render(request, context: dict, *, video, owner: User):
    period = context["period"]
    buckets = period.buckets
    charts, totals = [], []
    for key, figure in context["figures"].items():
        column, per_day, per_month = MEASURES[key]
        decimals = 1 if key == "watch_time" else 0
        # All time, the counters the site shows everywhere (the charts count the rows behind
        # them, which an account deleted since may have taken with it).
        shown = figure.all_time if period.key == "all" else figure.total
        totals.append((column, number(shown, decimals), number(figure.all_time, decimals)))
        charts.append(
            bar_chart(
                slug=key.replace("_", "-"),
                title=str(per_month if period.by_month else per_day),
                column=str(column),
                buckets=buckets,
                values=figure.values,
                by_month=period.by_month,
                rtl=get_language_bidi(),
                decimals=decimals,
            )
        )
    context |= {
        "video": video,
        "owner": owner,
        "charts": charts,
        "totals": totals,
        "average_percent": context[
            "all_time_average_percent" if period.key == "all" else "average_percent"
        ],
    }
    return render(request, "video_share/stats.html", context)
