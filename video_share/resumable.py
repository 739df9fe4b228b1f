"""Resumable uploads by the tus protocol, 1.0 (https://tus.io/protocols/resumable-upload):
core, creation, creation-with-upload, termination and expiration, for any standard tus
client (the upload page's tus-js-client, tuspy).

A signed-in user creates an upload of a declared length (POST), sends its bytes in one or
more PATCHes, each at the offset the server has (HEAD tells it), and names the finished
upload in the upload form in place of a file (forms.UploadForm). The bytes gather in a file
of their own (models.PartialUpload.path); the row's offset counts only bytes made durable,
and each PATCH first drops anything past it, so a byte is never kept twice or out of order.
One PATCH at a time: a second one at the same time is refused (409), as is a wrong offset.

An upload counts against its owner's quota from its creation (quota.Storage); one not named
in the form within VIDEO_SHARE_PARTIAL_UPLOAD_HOURS of its last progress expires, and the
worker removes it (`remove_expired`). The request-body limits (body_limits) apply to each PATCH.
"""

import base64
import binascii
import fcntl
import os
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .models import PartialUpload
from .models.uploads import partial_uploads_dir
from .quota import Storage

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,expiration"
CONTENT_TYPE = "application/offset+octet-stream"
READ_BYTES = 1024 * 1024
# A long PATCH makes its progress durable (and visible to HEAD) every so many bytes: a
# process killed mid-PATCH loses at most this much of what it had received.
CHECKPOINT_BYTES = 16 * 1024 * 1024


def _answer(status: int, message: str = "", upload: PartialUpload | None = None, **headers):
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = VERSION
    response["Cache-Control"] = "no-store"
    if upload is not None:
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
        response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _unsupported(request):
    """The answer to a request in another version of the protocol, if it is one."""
    if request.headers.get("Tus-Resumable") != VERSION:
        return _answer(
            412, _("This server speaks version %(version)s of tus.") % {"version": VERSION},
            Tus_Version=VERSION,
        )  # fmt: skip
    return None


def _signed_out():
    return _answer(403, _("Sign in to upload videos. Nothing was saved."))


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdigit() else None


def _filename(metadata: str) -> str:
    """The "filename" of an Upload-Metadata header (pairs of a key and a base64 value)."""
    for pair in metadata.split(","):
        key, _space, value = pair.strip().partition(" ")
        if key == "filename":
            try:
                return base64.b64decode(value, validate=True).decode()[:255]
            except (binascii.Error, UnicodeDecodeError):
                return ""
    return ""


@require_http_methods(["OPTIONS", "POST"])
def create(request):
    """The uploads collection: what the server supports (OPTIONS), a new upload (POST)."""
    if request.method == "OPTIONS":
        user = request.user if request.user.is_authenticated else None
        return _answer(
            204, Tus_Version=VERSION, Tus_Extension=EXTENSIONS,
            Tus_Max_Size=str(Storage.of(user).per_file),
        )  # fmt: skip
    if refused := _unsupported(request):
        return refused
    if not request.user.is_authenticated:
        return _signed_out()
    length = _number(request.headers.get("Upload-Length"))
    if length is None:
        return _answer(400, _("Say the length of the upload (Upload-Length)."))
    if refusal := Storage.of(request.user).too_large_message(length):
        return _answer(413, refusal)
    upload = PartialUpload(
        owner=request.user,
        length=length,
        filename=_filename(request.headers.get("Upload-Metadata", "")),
    )
    partial_uploads_dir().mkdir(parents=True, exist_ok=True)
    with open(upload.path, "xb"):
        pass
    upload.save(force_insert=True)
    location = request.build_absolute_uri(reverse("upload_file", args=[upload.id]))
    if request.content_type == CONTENT_TYPE and request.headers.get("Content-Length", "0") != "0":
        response = _append(request, upload, upload.offset)
        response.status_code = 201 if response.status_code == 204 else response.status_code
    else:
        response = _answer(201, upload=upload)
    response["Location"] = location
    return response


@require_http_methods(["OPTIONS", "HEAD", "PATCH", "DELETE"])
def upload_file(request, upload_id: str):
    """One upload: its offset (HEAD), more of its bytes (PATCH), its end (DELETE)."""
    if request.method == "OPTIONS":
        return _answer(204, Tus_Version=VERSION, Tus_Extension=EXTENSIONS)
    if refused := _unsupported(request):
        return refused
    if not request.user.is_authenticated:
        return _signed_out()
    # Someone else's upload is as unknown as one that never was.
    upload = PartialUpload.objects.filter(pk=upload_id, owner=request.user).first()
    if upload is None:
        return _answer(404, _("This upload is not on the server. Choose the file again."))
    if upload.expires_at <= timezone.now():
        remove(upload)
        return _answer(410, _("This upload expired before it was finished. Choose the file again."))
    if request.method == "HEAD":
        return _answer(200, upload=upload)
    if request.method == "DELETE":
        remove(upload)
        return _answer(204)
    offset = _number(request.headers.get("Upload-Offset"))
    if offset is None:
        return _answer(400, _("Say where these bytes go (Upload-Offset)."))
    if request.content_type != CONTENT_TYPE:
        return _answer(415, _("Send the bytes as %(type)s.") % {"type": CONTENT_TYPE})
    return _append(request, upload, offset)


def _append(request, upload: PartialUpload, offset: int) -> HttpResponse:
    """Write the request's body at `offset` of the upload, if that is where it stands and no
    other request is writing it."""
    sent = _number(request.headers.get("Content-Length")) or 0
    with open(upload.path, "r+b") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _answer(409, _("Another request is sending this upload."), upload)
        upload.refresh_from_db()
        if offset != upload.offset:
            return _answer(409, _("The upload is not at that offset."), upload)
        if upload.offset + sent > upload.length:
            return _answer(413, _("This is more than the length of the upload."), upload)
        # Bytes past the durable offset (a PATCH cut short before it could say so) go.
        file.truncate(upload.offset)
        file.seek(upload.offset)
        received = 0
        while received < sent:
            try:
                chunk = request.read(min(READ_BYTES, sent - received))
            except OSError:  # the connection dropped: keep what came
                break
            if not chunk:
                break
            file.write(chunk)
            received += len(chunk)
            if received % CHECKPOINT_BYTES < len(chunk):
                _make_durable(file, upload, offset + received)
        _make_durable(file, upload, offset + received)
    return _answer(204, upload=upload)


def _make_durable(file, upload: PartialUpload, offset: int) -> None:
    file.flush()
    os.fsync(file.fileno())
    upload.offset = offset
    # Progress keeps an upload alive (tus's expiration: Upload-Expires moves on).
    upload.expires_at = timezone.now() + timedelta(hours=settings.VIDEO_SHARE_PARTIAL_UPLOAD_HOURS)
    upload.save(update_fields=["offset", "expires_at"])


class FinishedUpload(File):
    """A complete upload as the upload form's file: probed where it is, and moved (not
    copied) into storage on disk."""

    def __init__(self, upload: PartialUpload):
        # Closed by whoever takes it (the form, or storage once it has moved it).
        super().__init__(open(upload.path, "rb"), name=upload.filename or "video")  # noqa: SIM115
        self.upload = upload
        self.size = upload.length

    def temporary_file_path(self) -> str:
        return str(self.upload.path)


def remove(upload: PartialUpload) -> None:
    """The upload and its bytes, gone."""
    PartialUpload.objects.filter(pk=upload.pk).delete()
    upload.path.unlink(missing_ok=True)


def remove_expired() -> int:
    """Remove the uploads left unfinished past their expiry, and bytes of no upload (a
    process killed between creating the file and its row); how many went."""
    gone = 0
    for upload in PartialUpload.objects.expired():
        remove(upload)
        gone += 1
    folder = partial_uploads_dir()
    if folder.is_dir():
        known = set(PartialUpload.objects.values_list("id", flat=True))
        stale = timezone.now().timestamp() - 3600
        for path in folder.iterdir():
            if path.name not in known and path.stat().st_mtime < stale:
                path.unlink(missing_ok=True)
                gone += 1
    return gone
