from django.core.management.base import BaseCommand, CommandError

from video_share.readiness import explain, missing
from video_share.worker import WatchdogThread, make_worker


class Command(BaseCommand):
    help = (
        "Run a background task worker with the watchdog that re-queues interrupted video "
        "jobs. Run several, on any machine sharing the database (set REDIS_URL so their live "
        "events reach the web processes)."
    )

    def handle(self, **options):
        if problems := missing():
            raise CommandError(explain(problems))
        watchdog = WatchdogThread()
        watchdog.start()
        worker = make_worker(interval=1)
        worker.configure_signals()
        try:
            worker.run()
        finally:
            watchdog.stop()
