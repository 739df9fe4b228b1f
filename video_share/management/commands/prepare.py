from django.core.management.base import BaseCommand

from video_share.readiness import prepare


class Command(BaseCommand):
    help = (
        "Migrate the database and collect the static files, one process at a time: run it "
        "once per release before starting gunicorn, uvicorn or workers (`serve` runs it "
        "itself)."
    )

    def handle(self, **options):
        prepare()
