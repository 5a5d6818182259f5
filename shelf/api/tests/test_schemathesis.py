"""Property-based run of the whole API against its OpenAPI document
(schemathesis): generated parameters and bodies for every operation, and
no answer may be a 5xx or fall outside the document (status, content type,
body). Bounded: a fixed number of examples per operation, no example
database, so it takes seconds and runs the same in CI."""

from __future__ import annotations

import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from shelf.api.tests.test_write import WriteTestCase
from shelf.catalogue.models import Visibility
from shelf.curation.tests.base import make_resource

EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@override_settings(SHELF_API_RATE_LIMIT=100_000, DEBUG_PROPAGATE_EXCEPTIONS=False)
class SchemathesisTests(WriteTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.members = make_resource(
            "Members briefing", slug="members-briefing", visibility=Visibility.MEMBERS
        )
        cls.published.terms.set([cls.parents, cls.online])

    def setUp(self):
        super().setUp()
        cache.clear()
        # As Django's test client does: requests in a test must not close the
        # test's database connection (and its transaction).
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        self.addCleanup(signals.request_started.connect, close_old_connections)
        self.addCleanup(signals.request_finished.connect, close_old_connections)

    def test_no_answer_is_a_server_error_or_outside_the_document(self):
        app = WSGIHandler()
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        self.assertGreaterEqual(len(operations), 7)
        for operation in operations:
            with self.subTest(operation=operation.label):
                self.fuzz(operation)

    def fuzz(self, operation) -> None:
        writes = operation.method.upper() not in ("GET", "HEAD")
        # Writes as an administrator, so every branch of the write code runs.
        headers = {"Authorization": f"Bearer {self.tokens['admin']}"} if writes else {}
        # The WSGI client does not undo gzip.
        headers["Accept-Encoding"] = "identity"

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(base_url="http://testserver", headers=headers, checks=CHECKS)

        run()
