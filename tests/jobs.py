"""Running queued background jobs inside a test, the way the worker would."""

from django_tasks_db.models import DBTaskResult


def queued_jobs() -> list[tuple[str, list]]:
    return [
        (r.task_path.rsplit(".", 1)[-1], r.args_kwargs["args"])
        for r in DBTaskResult.objects.ready()
    ]


def run_jobs(max_jobs: int | None = None) -> int:
    """Run ready jobs (and the jobs they queue) in the worker's order: all, or `max_jobs`."""
    done = 0
    while done < (max_jobs or 50):
        result = DBTaskResult.objects.ready().get_locked()
        if result is None:
            return done
        result.claim("tests")
        task = result.task
        args = result.args_kwargs
        try:
            value = task.call(*args["args"], **args["kwargs"])
        except Exception as exc:
            result.set_failed(exc)
            raise
        result.set_successful(value)
        done += 1
    if max_jobs is None:
        raise AssertionError("jobs keep queueing more jobs")
    return done
