import pytest


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Tests run queued tasks in-process (after the commit) instead of
    # leaving them for a db_worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
