import pytest


@pytest.fixture(autouse=True)
def search_index(tmp_path, settings):
    """Every test gets its own search index, built from its own database on
    first use, so no test sees another's items or the developer's index."""
    from shelf.search.engine import forget

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.SEARCH_REFRESH_INTERVAL = 0
    forget()
    yield
    forget()
