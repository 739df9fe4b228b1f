from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import actions
from ..forms import ReportForm
from ..htmx import HtmxHttpRequest, navigate
from ..throttle import HOUR, allowed
from .comments import comment_for
from .lookups import video_for


def _report(request, *, video, comment=None):
    back = (
        f"{video.get_absolute_url()}#comment-{comment.pk}" if comment else video.get_absolute_url()
    )
    # A comment's author was refused already (comment_for): Report is not among their controls.
    if comment is None and video.owner_id == request.user.pk:
        messages.info(request, _("That is yours: you can edit or delete it instead."))
        return navigate(request, back)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limit = settings.VIDEO_SHARE_REPORTS_PER_USER_PER_HOUR
        if not allowed("reports", request.user.pk, limit, HOUR):
            form.add_error(
                None,
                _(
                    "You have sent many reports in a short time. "
                    "Please wait a while before sending more."
                ),
            )
        else:
            created = actions.do_report(
                request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                video=video,
                comment=comment,
            )
            if created:
                messages.success(request, _("Thank you. A moderator will look at it."))
            else:
                messages.info(request, _("You reported this already. A moderator will look at it."))
            return navigate(request, back)
    context = {"form": form, "video": video, "comment": comment, "back": back}
    return render(request, "video_share/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_video(request: HtmxHttpRequest, public_id: str):
    return _report(request, video=video_for(request, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def report_comment(request: HtmxHttpRequest, comment_id: int):
    comment = comment_for(request, comment_id, "report")
    return _report(request, video=comment.video, comment=comment)
