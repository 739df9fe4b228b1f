"""The owner's captions page: caption files uploaded per language, relabelled, deleted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import actions
from ..forms import CaptionForm, CaptionUploadForm
from ..htmx import HtmxHttpRequest, navigate, wants_partial
from ..models import Caption
from .lookups import video_for


def _caption_for(request, caption_id: int) -> Caption:
    """The caption, if this user may edit its video; 404 otherwise."""
    caption = get_object_or_404(Caption.objects.select_related("video"), pk=caption_id)
    if not caption.video.can_edit(request.user):
        raise Http404
    return caption


def _page_url(video) -> str:
    return reverse("video_captions", args=[video.public_id])


def _done(request, video, status: str):
    """After a change: the list again for htmx, else the page, saying what was done."""
    if wants_partial(request):
        return _render_page(request, video, status=status)
    messages.success(request, status)
    return navigate(request, _page_url(video))


def _render_page(
    request, video, *, upload_form=None, edited: Caption | None = None, form=None, status=""
):
    """The page: the video's captions, each with its form (`form` for `edited`, bound to what
    was sent), and the form that adds one; `status` says what was just done, to htmx (a page
    says it with a message)."""
    rows = [
        (caption, form if caption == edited else CaptionForm(instance=caption, prefix=caption.pk))
        for caption in video.captions.all()
    ]
    upload_form = upload_form or CaptionUploadForm(
        video=video, initial={"language": request.LANGUAGE_CODE}
    )
    context = {"video": video, "rows": rows, "upload_form": upload_form, "status": status}
    template = "video_share/video_captions.html"
    if wants_partial(request):
        template += "#caption-list"
        context["oob"] = True
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def captions(request: HtmxHttpRequest, public_id: str):
    video = video_for(request, public_id, edit=True)
    form = None
    if request.method == "POST":
        form = CaptionUploadForm(request.POST, request.FILES, video=video)
        if form.is_valid():
            caption = actions.do_add_caption(
                video,
                form.captions,
                language=form.cleaned_data["language"],
                label=form.cleaned_data["label"],
            )
            return _done(request, video, _("“%(name)s” captions added.") % {"name": caption.name})
    return _render_page(request, video, upload_form=form)


@login_required
@require_POST
def edit_caption(request: HtmxHttpRequest, caption_id: int):
    caption = _caption_for(request, caption_id)
    form = CaptionForm(request.POST, instance=caption, prefix=caption.pk)
    if not form.is_valid():
        return _render_page(request, caption.video, edited=caption, form=form)
    actions.do_edit_caption(
        caption, language=form.cleaned_data["language"], label=form.cleaned_data["label"]
    )
    return _done(request, caption.video, _("Your changes are saved."))


@login_required
@require_POST
def delete_caption(request: HtmxHttpRequest, caption_id: int):
    caption = _caption_for(request, caption_id)
    actions.do_delete_caption(caption)
    return _done(request, caption.video, _("“%(name)s” captions deleted.") % {"name": caption.name})
