"""A real harvester pointed at the test's Django, and the protocol's schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import httpx2
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from lxml import etree
from oaipmh_scythe import Scythe

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
METADATA_SCHEMAS = {
    "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc": "oai_dc.xsd",
    "{http://dspace.org/qualifieddc/}qualifieddc": "qdc.xsd",
}


@cache
def schema(name: str) -> etree.XMLSchema:
    # Imports resolve beside the file: no network.
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def validate(body: bytes) -> etree._Element:
    """Check a response against OAI-PMH.xsd and each record's metadata
    against its format's schema; returns the parsed document."""
    document = etree.fromstring(body)
    envelope = schema("OAI-PMH.xsd")
    if not envelope.validate(document):
        raise AssertionError(str(envelope.error_log))
    for metadata in document.iter(f"{OAI}metadata"):
        (payload,) = metadata
        checker = schema(METADATA_SCHEMAS[payload.tag])
        if not checker.validate(etree.ElementTree(payload)):
            raise AssertionError(str(checker.error_log))
    return document


class Recorder(httpx2.WSGITransport):
    """Serves the harvester's requests in-process and keeps every body."""

    def __init__(self):
        super().__init__(app=WSGIHandler())
        self.bodies: list[bytes] = []

    def handle_request(self, request):
        # As Django's test client does: the end of a request must not close
        # the test's database connection (it holds the test's transaction).
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = super().handle_request(request)
            response.read()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        self.bodies.append(response.content)
        return response


def harvester() -> tuple[Scythe, Recorder]:
    transport = Recorder()
    scythe = Scythe("http://testserver/oai")
    scythe._client = httpx2.Client(transport=transport)
    return scythe, transport
