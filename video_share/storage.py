"""Helpers over Django's storage API, so media code works on disk and on S3 alike."""

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
    `scratch`, a job's scratch folder, when given: swept with it if the job is killed)."""
    try:
        yield Path(default_storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(dir=scratch or settings.FILE_UPLOAD_TEMP_DIR) as copy:
        with default_storage.open(name, "rb") as stored:
            shutil.copyfileobj(stored, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


def save(name: str, path: Path) -> str:
    """Store a finished local file under `name` (moving it when the storage is local)."""
    with LocalFile(path) as content:
        return default_storage.save(name, content)


def delete_quietly(*names: str) -> None:
    for name in names:
        if name:
            with contextlib.suppress(FileNotFoundError, OSError):
                default_storage.delete(name)


def delete_folder(folder: str) -> None:
    """Delete every file under a storage folder (a video's media_dir)."""
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
