"""Helpers over Django's storage API, so media code works on disk and on S3 alike.

On S3 (settings.VIDEO_SHARE_S3_BUCKET) a few reads go to boto3's own object, so that nothing
downloads a whole object where a part is wanted: ranged reads for serving, and a streamed
download for the workers. django-storages keeps each file under its own name as the key.
"""

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage


class LocalFile(File):
    """A finished local file; FileSystemStorage moves it into place instead of copying."""

    def __init__(self, path: Path):
        super().__init__(open(path, "rb"), name=path.name)  # noqa: SIM115
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


SCRATCH_PREFIX = "job-"


def on_object_storage() -> bool:
    return bool(settings.VIDEO_SHARE_S3_BUCKET)


def _object(name: str):
    """boto3's S3 object of a stored file."""
    return default_storage.bucket.Object(name)


@contextlib.contextmanager
def scratch_dir():
    """A folder of a job's own for its intermediate files, removed when the job ends.

    The job holds a lock on it meanwhile: the kernel drops the lock when the process dies,
    however it dies, so that `sweep_scratch` knows the folder of a killed worker's job from the
    folder of a job still running (in this process or another on the same machine).
    """
    while True:
        path = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=settings.FILE_UPLOAD_TEMP_DIR))
        lock = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        fcntl.flock(lock, fcntl.LOCK_EX)
        # A sweep may have taken the folder between its making and the lock: make another.
        if path.exists() and os.stat(path).st_ino == os.fstat(lock).st_ino:
            break
        os.close(lock)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(lock)


def sweep_scratch() -> int:
    """Remove the scratch folders no running job holds (their worker was killed); returns
    how many."""
    removed = 0
    try:
        entries = list(os.scandir(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(SCRATCH_PREFIX) and entry.is_dir(follow_symlinks=False)):
            continue
        try:
            lock = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock)  # a running job's
            continue
        try:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
        finally:
            os.close(lock)
    return removed


@contextlib.contextmanager
def local_path(name: str, scratch: Path | None = None):
    """A local path to a stored file: the file itself on disk, else a temporary copy (in
    `scratch`, a job's scratch folder, when given: swept with it if the job is killed),
    removed however the caller leaves."""
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(dir=scratch or settings.FILE_UPLOAD_TEMP_DIR) as copy:
        if on_object_storage():
            # Streamed in parts straight into the file, never held in memory.
            _object(name).download_fileobj(copy)
        else:
            with default_storage.open(name, "rb") as stored:
                shutil.copyfileobj(stored, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def offsite_url(name: str, *, download: bool = False) -> str:
    """Where a browser may fetch a stored file straight from object storage: a presigned URL
    valid for VIDEO_SHARE_S3_URL_SECONDS (or one on the custom domain). "" for files on disk,
    which the site serves itself. Signing is local: no request is made. `download`: the
    object store answers it as an attachment, to save rather than play (a link's `download`
    attribute counts for nothing once a redirect leads to another origin)."""
    if not on_object_storage():
        return ""
    parameters = {"ResponseContentDisposition": "attachment"} if download else None
    return default_storage.url(
        name, parameters=parameters, expire=settings.VIDEO_SHARE_S3_URL_SECONDS
    )


def object_info(name: str) -> tuple[int, float]:
    """Size and modification time of a file on object storage, in one request."""
    from botocore.exceptions import ClientError

    stored = _object(name)
    try:
        stored.load()
    except ClientError as error:
        raise FileNotFoundError(name) from error
    return stored.content_length, stored.last_modified.timestamp()


def open_range(name: str, first: int, last: int):
    """Bytes first..last (inclusive) of a file on object storage, as a stream: one ranged GET."""
    return _object(name).get(Range=f"bytes={first}-{last}")["Body"]


def save(name: str, path: Path) -> str:
    """Store a finished local file under `name` (moving it when the storage is local)."""
    with LocalFile(path) as content:
        return default_storage.save(name, content)


def delete_quietly(*names: str) -> None:
    for name in names:
        if name:
            with contextlib.suppress(FileNotFoundError, OSError):
                default_storage.delete(name)


def delete_starting(folder: str, start: str) -> None:
    """Delete the files of a storage folder whose names start with `start` (the files of a
    rendition's HLS, Rendition.hls_prefix)."""
    with contextlib.suppress(FileNotFoundError, OSError):
        _folders, files = default_storage.listdir(folder)
        delete_quietly(*(f"{folder}/{name}" for name in files if name.startswith(start)))


def delete_folder(folder: str) -> None:
    """Delete every file under a storage folder (a video's media_dir)."""
    if on_object_storage():
        # One listing and batched deletes (up to 1,000 keys a request).
        default_storage.bucket.objects.filter(Prefix=f"{folder}/").delete()
        return
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for sub in dirs:
        delete_folder(f"{folder}/{sub}")
    delete_quietly(*(f"{folder}/{name}" for name in files))
    with contextlib.suppress(NotImplementedError, OSError):
        Path(default_storage.path(folder)).rmdir()


@contextlib.contextmanager
def upload_path(upload):
    """A local path to an uploaded file (Django spools large uploads to disk already)."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as copy:
        upload.seek(0)
        shutil.copyfileobj(upload, copy, 1024 * 1024)
        copy.flush()
        upload.seek(0)
        yield Path(copy.name)
