from django.core.management.base import BaseCommand

from search.engine import EngineUnavailable, get_engine
from search.sync import rebuild_documents


class Command(BaseCommand):
    help = (
        "Rebuild the cross-source search index from every registered source (search.registry), "
        "then, with a search engine configured, fill a new engine index and swap it in (no downtime)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", action="append", help="only this source (repeatable), e.g. pages.article")
        parser.add_argument("--engine-only", action="store_true", help="only refill the engine from the database")

    def handle(self, *args, **options):
        report = self.stdout.write if options["verbosity"] else None
        if not options["engine_only"]:
            count = rebuild_documents(sources=options["source"], report=report)
            if report:
                report(f"database: {count} documents")
        engine = get_engine()
        if engine is not None:
            try:
                engine.rebuild(report=report)
            except EngineUnavailable as error:
                self.stderr.write(f"search engine unavailable ({error}); the database index is up to date, "
                                  "run this command again with --engine-only when the engine is back")
