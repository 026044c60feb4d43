"""Background jobs of search (django-tasks; the scheduler enqueues them, see SCHEDULED_TASKS)."""

from django_tasks import task

from .sync import push_keys, rebuild_documents, replay_pending


@task()
def push_search_documents(keys):
    """Send these documents' current state to the search engine (queued for later if it is down)."""
    push_keys(keys)


@task()
def replay_search_queue():
    """Every minute: index changes the search engine missed while it was down."""
    return replay_pending()


@task()
def rebuild_search_index():
    """Nightly: every document again (titles of districts and themes, URLs after moves), then a fresh engine index."""
    from .engine import get_engine

    count = rebuild_documents()
    engine = get_engine()
    if engine is not None:
        engine.rebuild()
    return count
