"""Whether the database and the static files are ready to serve, and making them so.

`manage.py prepare` (and `serve`, before it serves) migrates the database and collects the
static files. Several processes starting at once on a fresh database take turns: a
PostgreSQL advisory lock, or a lock file beside the data (SQLite lives on one machine).
Processes that do not prepare (gunicorn, plain uvicorn, `worker`) check first, and say what is
missing instead of failing on every request.
"""

import contextlib
import fcntl

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Any number of the site's own, for pg_advisory_lock: the same in every process.
LOCK_KEY = 7_216_641_853


@contextlib.contextmanager
def one_at_a_time():
    """Hold the preparation lock: one process of the installation at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        return
    with (settings.DATA_DIR / "prepare.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def prepare() -> None:
    with one_at_a_time():
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)


def missing() -> list[str]:
    """What keeps this installation from serving: empty if nothing does."""
    problems = []
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        problems.append("the database is not migrated")
    if isinstance(staticfiles_storage, ManifestFilesMixin) and not (
        staticfiles_storage.manifest_storage.exists(staticfiles_storage.manifest_name)
    ):
        problems.append(f"the static files are not collected in {settings.STATIC_ROOT}")
    return problems


def explain(problems: list[str]) -> str:
    return (
        f"Video Share cannot serve yet: {' and '.join(problems)}. Run `manage.py prepare` "
        "once per release (as `manage.py serve` does when it starts), then start this again."
    )


def require_ready() -> None:
    """Refuse to start, with a clear message, if this installation cannot serve yet (an
    exception rather than an exit: gunicorn then stops instead of starting workers again)."""
    if problems := missing():
        raise ImproperlyConfigured(explain(problems))
