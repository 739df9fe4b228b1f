import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from video_share import event_storage
from video_share.readiness import prepare


class Command(BaseCommand):
    help = (
        "Run the whole site: migrate and collect static files (as `prepare` does), start the "
        "task worker and serve "
        "video_project.asgi:application with uvicorn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the task worker in this process (run `manage.py db_worker`).",
        )
        parser.add_argument(
            "--forwarded-allow-ips",
            default=None,
            help="Proxy addresses whose X-Forwarded-For/Proto headers are trusted.",
        )

    def handle(self, *, host, port, no_worker, forwarded_allow_ips, verbosity, **options):
        prepare()

        # Only now: whitenoise lists the static files when the application is made.
        from video_project.asgi import make_application

        worker = settings.VIDEO_SHARE_IN_PROCESS_WORKER and not no_worker
        # Every live event is then written by this process: it may keep their ids in memory.
        # Not behind Pushpin, whose processes (several, as a rule) all publish.
        sole = worker and not settings.REDIS_URL and not getattr(settings, "GRIP_URL", "")
        event_storage.this_process_writes_every_event(sole)
        config = uvicorn.Config(
            make_application(worker=worker),
            host=host,
            port=port,
            lifespan="on",
            # Open event streams would otherwise hold the shutdown until they end.
            timeout_graceful_shutdown=1,
            proxy_headers=forwarded_allow_ips is not None,
            forwarded_allow_ips=forwarded_allow_ips,
            log_level="info" if verbosity > 1 else "warning",
            access_log=verbosity > 1,
        )
        server = uvicorn.Server(config)
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"Video Share is running at http://{shown_host}:{port}/ "
            f"(data in {settings.DATA_DIR}). Press Ctrl-C to stop."
        )
        server.run()
        self.stdout.write("Stopped.")
