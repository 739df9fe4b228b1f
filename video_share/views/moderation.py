"""The moderation area: the queue of open reports, what moderators do about them, and the
log of what they did. Staff only: for anyone else these pages are not there (404)."""

import functools

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from .. import actions
from ..forms import ModerationForm
from ..htmx import HtmxHttpRequest, navigate
from ..models import ModerationEntry, Report
from ..pagination import page_of


def staff_only(view):
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return checked


@staff_only
@require_safe
def queue(request: HtmxHttpRequest):
    things = Report.objects.open().by_thing()
    context = {"things": things, "ban_days": ModerationForm.BAN_DAYS.items()}
    return render(request, "video_share/moderation.html", context)


DONE = {
    "dismiss": _lazy("The reports are dismissed."),
    "hide": _lazy("It is hidden."),
    "delete": _lazy("It is deleted."),
    "ban": _lazy("The author is banned."),
}


@staff_only
@require_POST
def act(request: HtmxHttpRequest, report_id: int):
    """Do what the moderator chose about the thing `report_id` reports (and every other
    open report of it)."""
    report = (
        Report.objects.open()
        .select_related("video__owner", "comment__author", "comment__video", "comment__parent")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        messages.info(request, _("Someone has already acted on these reports."))
        return navigate(request, "moderation")
    form = ModerationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return navigate(request, f"{reverse('moderation')}#report-{report.pk}")
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    if action == "ban":
        author = report.author
        if author.is_staff or author.pk == request.user.pk:
            messages.error(request, _("Staff cannot be banned here."))
            return navigate(request, "moderation")
        actions.do_ban(author, moderator=request.user, reason=reason, until=form.ban_until())
    else:
        do = {
            "dismiss": actions.do_dismiss,
            "hide": actions.do_hide,
            "delete": actions.do_delete_reported,
        }[action]
        do(report, request.user, reason)
    messages.success(request, str(DONE[action]))
    return navigate(request, "moderation")


@staff_only
@require_safe
def moderation_log(request: HtmxHttpRequest):
    entries = ModerationEntry.objects.select_related("moderator", "user", "video", "comment")
    return render(
        request, "video_share/moderation_log.html", {"page": page_of(request, entries, per_page=50)}
    )


@require_safe
def open_report_count(request: HtmxHttpRequest):
    """The staff badge's count, asked for whenever its stream (re)opens."""
    if not (request.user.is_authenticated and request.user.is_staff):
        return HttpResponse(status=204)  # no longer staff, or signed out: nothing to swap in
    context = {"open_reports": Report.objects.open_items()}
    return render(request, "base.html#reports-count", context)
