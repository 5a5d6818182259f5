import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _static_files_by_plain_name():
    # Production hashes static names at collectstatic time; tests run without
    # that step (shelf/front/tests/test_light.py covers the hashed setup).
    from django.conf import settings
    from django.test import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # And so do the processes tests start (workers, readers during a write).
    os.environ["STATICFILES_BACKEND"] = plain["BACKEND"]
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        yield


@pytest.fixture(autouse=True, scope="session")
def _sessions_in_a_temporary_folder(tmp_path_factory):
    # On SQLite sessions are files in the data directory: not the developer's.
    from django.test import override_settings

    with override_settings(SESSION_FILE_PATH=str(tmp_path_factory.mktemp("sessions"))):
        yield


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Tests run queued tasks in-process (after the commit) instead of
    # leaving them for a db_worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _stats_written_only_when_asked(settings):
    # No background thread writing counts into a test's database; each test
    # starts with nothing pending (shelf.stats.counter).
    from shelf.stats.counter import COUNTER

    settings.STATS_FLUSH_SECONDS = 0
    COUNTER.discard()


@pytest.fixture(autouse=True)
def search_index(request, tmp_path, settings):
    """Every test gets its own search index, built from its own database on
    first use, so no test sees another's items or the developer's index."""
    from shelf.search.replica import forget

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.SEARCH_REFRESH_INTERVAL = 0
    forget()
    if request.node.get_closest_marker("django_db") or _is_django_db_test(request):
        # Built now from the test class's data, so a test that counts a page's
        # queries does not count the first search building the index.
        from shelf.search.replica import get_replica

        try:
            get_replica()
        except RuntimeError:
            forget()  # database access not set up yet: built on first search instead
    yield
    forget()


def _is_django_db_test(request) -> bool:
    from django.test import TransactionTestCase

    return request.instance is not None and isinstance(request.instance, TransactionTestCase)


@pytest.fixture(autouse=True)
def _source_language():
    """Each test starts in English: LocaleMiddleware leaves the language of
    a test's last request active in the thread, which would carry over."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
