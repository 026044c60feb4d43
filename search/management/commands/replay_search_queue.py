from django.core.management.base import BaseCommand

from search.sync import replay_pending


class Command(BaseCommand):
    help = "Send the index changes queued while the search engine was down."

    def handle(self, *args, **options):
        sent = replay_pending()
        if options["verbosity"]:
            self.stdout.write(f"{sent} change(s) sent")
