"""Your data: a copy of everything the site keeps of you, and deleting your account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import actions, storage
from ..forms import AccountDeletionForm
from ..htmx import HtmxHttpRequest, navigate


def _page(request, form=None):
    context = {
        "export": request.user.exports.first(),
        "form": form or AccountDeletionForm(request.user),
        "deletion_days": settings.VIDEO_SHARE_ACCOUNT_DELETION_DAYS,
    }
    return render(request, "video_share/your_data.html", context)


@login_required
@require_safe
def your_data(request: HtmxHttpRequest):
    return _page(request)


@login_required
@require_POST
def request_export(request: HtmxHttpRequest):
    actions.do_request_export(request.user)
    messages.success(
        request, _("We are preparing your data. You will be notified when it is ready.")
    )
    return navigate(request, "your_data")


@login_required
@require_safe
def download_export(request: HtmxHttpRequest, export_id: int):
    export = get_object_or_404(request.user.exports.exclude(file=""), pk=export_id)
    try:
        stored = storage.default_storage.open(export.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    day = export.ready_at.date().isoformat()
    return FileResponse(
        stored, as_attachment=True, filename=f"video-share-{request.user.username}-{day}.zip"
    )


@login_required
@require_POST
def delete_account(request: HtmxHttpRequest):
    form = AccountDeletionForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, form)
    actions.do_request_deletion(request.user, keep_content=form.cleaned_data["keep_content"])
    messages.success(request, _("Your account will be deleted. You can still change your mind."))
    return navigate(request, "your_data")


@login_required
@require_POST
def cancel_deletion(request: HtmxHttpRequest):
    actions.do_cancel_deletion(request.user)
    messages.success(request, _("Your account will not be deleted."))
    return navigate(request, "your_data")
