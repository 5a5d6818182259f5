"""OAI-PMH 2.0: the six verbs, their arguments and errors, resumption tokens.

Lists run over the ledger (:class:`shelf.oai.models.OaiRecord`) in
(datestamp, resource id) order. A resumption token carries the request and
the last (datestamp, id) delivered, signed and dated, so it stays valid while
records change: a record changed during a harvest moves to the end of the
list and is delivered again, none is skipped. Metadata is read through
``Resource.objects.visible_to(None)``; a ledger row whose resource is not
public for any reason is reported deleted.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from django.conf import settings
from django.core import signing
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shelf.catalogue.models import VOCABULARIES, Resource
from shelf.oai import ledger, metadata
from shelf.oai.models import OaiRecord

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = metadata.XSI
SCHEMA_LOCATION = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
TOKEN_SALT = "shelf.oai.resumption"  # noqa: S105 (a namespace, not a secret)
SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

for prefix, uri in {
    "": OAI,
    "xsi": XSI,
    "oai_dc": metadata.OAI_DC,
    "dc": metadata.DC,
    "qdc": metadata.QDC,
    "dcterms": metadata.DCTERMS,
    "oai-identifier": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}.items():
    register_namespace(prefix, uri)

LISTS = ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"})
ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": LISTS,
    "ListRecords": LISTS,
}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def q(tag: str) -> str:
    return f"{{{OAI}}}{tag}"


def add(parent: Element, tag: str, text="", **attrs) -> Element:
    element = SubElement(parent, q(tag), {k: str(v) for k, v in attrs.items()})
    if text:
        element.text = metadata.clean(text)
    return element


def stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def repository_id() -> str:
    return settings.SHELF_OAI_REPOSITORY_ID or host(settings.SITE_ROOT)


@functools.cache
def host(site_root: str) -> str:
    return urlsplit(site_root).hostname or "localhost"


def identifier(resource_id: int) -> str:
    return f"oai:{repository_id()}:{resource_id}"


def resource_id(value: str) -> int:
    prefix = f"oai:{repository_id()}:"
    number = value[len(prefix) :] if value.startswith(prefix) else ""
    if not (number.isascii() and number.isdigit()) or len(number) > 18:
        raise OaiError("idDoesNotExist", _("There is no record %(id)s.") % {"id": value[:200]})
    return int(number)


def base_url() -> str:
    return settings.SITE_ROOT + "/oai"


def respond(params) -> bytes:
    """The OAI-PMH response to request ``params`` (a QueryDict), as XML bytes."""
    root = Element(q("OAI-PMH"), {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION})
    add(root, "responseDate", stamp(timezone.now()))
    request = add(root, "request", base_url())
    try:
        verb, args = parse(params)
        # Echoed only for a request that is valid as far as its syntax goes.
        request.attrib.update({"verb": verb, **args})
        VERBS[verb](root, args)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            request.attrib.clear()
        for child in list(root)[2:]:
            root.remove(child)
        add(root, "error", error.message, code=error.code)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode()


def parse(params) -> tuple[str, dict[str, str]]:
    verbs = params.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in ARGUMENTS:
        message = (
            _("The verb argument is repeated.")
            if len(verbs) > 1
            else _("Give a verb: one of %(verbs)s.") % {"verbs": ", ".join(ARGUMENTS)}
        )
        raise OaiError("badVerb", message)
    verb = verbs[0]
    required, optional = ARGUMENTS[verb]
    args = {}
    for key in params:
        if key == "verb":
            continue
        values = params.getlist(key)
        if len(values) > 1:
            raise OaiError("badArgument", _("%(arg)s is repeated.") % {"arg": key[:50]})
        if key not in required | optional:
            raise OaiError(
                "badArgument",
                _("%(verb)s takes no argument %(arg)s.") % {"verb": verb, "arg": key[:50]},
            )
        if not values[0]:
            raise OaiError("badArgument", _("%(arg)s has no value.") % {"arg": key})
        args[key] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", _("resumptionToken is an exclusive argument."))
    elif missing := sorted(required - set(args)):
        needs = {"verb": verb, "args": ", ".join(missing)}
        raise OaiError("badArgument", _("%(verb)s needs %(args)s.") % needs)
    return verb, args


def identify(root: Element, args: dict) -> None:
    earliest = OaiRecord.objects.aggregate(earliest=Min("datestamp"))["earliest"]
    element = add(root, "Identify")
    add(element, "repositoryName", settings.SITE_NAME)
    add(element, "baseURL", base_url())
    add(element, "protocolVersion", "2.0")
    add(element, "adminEmail", admin_email())
    add(element, "earliestDatestamp", stamp(earliest or timezone.now()))
    add(element, "deletedRecord", "persistent")
    add(element, "granularity", GRANULARITY)
    add(element, "compression", "gzip")
    if re.match(r"^[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+$", repository_id()):
        ns = "http://www.openarchives.org/OAI/2.0/oai-identifier"
        description = add(element, "description")
        scheme = SubElement(
            description,
            f"{{{ns}}}oai-identifier",
            {
                f"{{{XSI}}}schemaLocation": f"{ns} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
            },
        )
        for tag, text in (
            ("scheme", "oai"),
            ("repositoryIdentifier", repository_id()),
            ("delimiter", ":"),
            ("sampleIdentifier", identifier(1)),
        ):
            SubElement(scheme, f"{{{ns}}}{tag}").text = text


def admin_email() -> str:
    if settings.SHELF_OAI_ADMIN_EMAIL:
        return settings.SHELF_OAI_ADMIN_EMAIL
    if settings.ADMINS:
        admin = settings.ADMINS[0]
        return admin[1] if isinstance(admin, tuple | list) else admin
    host = repository_id()
    return f"admin@{host if '.' in host else host + '.invalid'}"


def list_metadata_formats(root: Element, args: dict) -> None:
    if "identifier" in args:
        find_row(args["identifier"])
    element = add(root, "ListMetadataFormats")
    for found in metadata.formats().values():
        entry = add(element, "metadataFormat")
        add(entry, "metadataPrefix", found.prefix)
        add(entry, "schema", found.schema)
        add(entry, "metadataNamespace", found.namespace)


def list_sets(root: Element, args: dict) -> None:
    if "resumptionToken" in args:
        raise OaiError(
            "badResumptionToken", _("The list of sets is complete in one response; no token.")
        )
    element = add(root, "ListSets")
    labels = dict(VOCABULARIES)
    with translation_override():
        for vocabulary in ledger.SET_VOCABULARIES:
            entry = add(element, "set")
            add(entry, "setSpec", vocabulary)
            add(entry, "setName", str(labels[vocabulary]))
        for term in ledger.public_term_ids():
            entry = add(element, "set")
            add(entry, "setSpec", ledger.term_spec(term.vocabulary, term.slug, term.pk))
            add(entry, "setName", f"{labels[term.vocabulary]}: {term.label}")


def translation_override():
    from django.utils import translation

    # Harvesters get the same names whatever their Accept-Language says.
    return translation.override(settings.LANGUAGE_CODE)


def find_row(value: str) -> OaiRecord:
    row = OaiRecord.objects.filter(resource_id=resource_id(value)).first()
    if row is None:
        raise OaiError("idDoesNotExist", _("There is no record %(id)s.") % {"id": value[:200]})
    return row


def metadata_format(prefix: str) -> metadata.Format:
    found = metadata.formats().get(prefix)
    if found is None:
        raise OaiError(
            "cannotDisseminateFormat",
            _("There is no format %(prefix)s; ListMetadataFormats lists them.")
            % {"prefix": prefix[:50]},
        )
    return found


def get_record(root: Element, args: dict) -> None:
    found = metadata_format(args["metadataPrefix"])
    row = find_row(args["identifier"])
    resources = metadata.load([row.resource_id]) if not row.deleted else {}
    record(add(root, "GetRecord"), row, resources.get(row.resource_id), found)


def record(parent: Element, row: OaiRecord, resource, found: metadata.Format | None) -> None:
    """A record (or with ``found`` None, a header alone) for ledger ``row``;
    ``resource`` is None when it is not public, whatever the row says."""
    entry = add(parent, "record") if found else parent
    header = add(entry, "header", **({"status": "deleted"} if resource is None else {}))
    add(header, "identifier", identifier(row.resource_id))
    add(header, "datestamp", stamp(row.datestamp))
    for spec in row.set_specs:
        add(header, "setSpec", spec)
    if found and resource is not None:
        found.build(add(entry, "metadata"), resource)


@dataclass
class ListQuery:
    verb: str
    prefix: str
    set: str = ""
    start: str = ""  # from
    until: str = ""
    # Where the previous page ended, and how many came before.
    after_stamp: str = ""
    after_id: int = 0
    cursor: int = 0
    total: int = 0

    def rows(self):
        rows = OaiRecord.objects.all()
        if self.start:
            rows = rows.filter(datestamp__gte=parse_date(self.start, "from"))
        if self.until:
            moment = parse_date(self.until, "until")
            # A datestamp shows whole seconds (or days): until includes all of its last one.
            day = bool(DAY.match(self.until))
            step = datetime.timedelta(days=1) if day else datetime.timedelta(seconds=1)
            rows = rows.filter(datestamp__lt=moment + step)
        if self.set:
            rows = rows.filter(sets__contains=f"|{self.set}|")
        return rows.order_by("datestamp", "resource_id")

    def page(self, size: int) -> list[OaiRecord]:
        rows = self.rows()
        if self.after_stamp:
            stamp_ = datetime.datetime.fromisoformat(self.after_stamp)
            # The ">=" alone lets the database walk the (datestamp, id) index
            # from the cursor; the OR only drops the rows already delivered.
            rows = rows.filter(datestamp__gte=stamp_).filter(
                Q(datestamp__gt=stamp_) | Q(resource_id__gt=self.after_id)
            )
        return list(rows[: size + 1])


def parse_date(value: str, name: str) -> datetime.datetime:
    try:
        if DAY.match(value):
            return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
        if SECOND.match(value):
            return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.UTC
            )
    except ValueError:
        pass
    raise OaiError(
        "badArgument",
        _("%(name)s must be a date (YYYY-MM-DD) or a time (YYYY-MM-DDThh:mm:ssZ), not %(value)s.")
        % {"name": name, "value": value[:40]},
    )


def list_query(verb: str, args: dict) -> ListQuery:
    if "resumptionToken" in args:
        return read_token(verb, args["resumptionToken"])
    query = ListQuery(
        verb,
        args["metadataPrefix"],
        args.get("set", ""),
        args.get("from", ""),
        args.get("until", ""),
    )
    start = parse_date(query.start, "from") if query.start else None
    until = parse_date(query.until, "until") if query.until else None
    if start and until:
        if bool(DAY.match(query.start)) != bool(DAY.match(query.until)):
            raise OaiError("badArgument", _("from and until must have the same granularity."))
        if start > until:
            raise OaiError("badArgument", _("from is later than until."))
    metadata_format(query.prefix)
    if query.set and not SET_SPEC.match(query.set):
        raise OaiError("badArgument", _("%(set)s is not a setSpec.") % {"set": query.set[:50]})
    return query


def read_token(verb: str, token: str) -> ListQuery:
    try:
        data = signing.loads(
            token, salt=TOKEN_SALT, max_age=datetime.timedelta(hours=settings.SHELF_OAI_TOKEN_HOURS)
        )
        query = ListQuery(**data)
    except signing.SignatureExpired:
        raise OaiError("badResumptionToken", _("The resumption token has expired.")) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise OaiError("badResumptionToken", _("The resumption token is not valid.")) from None
    if query.verb != verb:
        message = _("The resumption token is for %(verb)s.") % {"verb": query.verb}
        raise OaiError("badResumptionToken", message)
    return query


def list_records(root: Element, args: dict, verb: str = "ListRecords") -> None:
    query = list_query(verb, args)
    size = settings.SHELF_OAI_PAGE_SIZE
    first = not query.after_stamp
    if first:
        query.total = query.rows().count()
    rows = query.page(size)
    if not rows:
        raise OaiError("noRecordsMatch", _("No records match this request."))
    more, rows = len(rows) > size, rows[:size]
    found = metadata_format(query.prefix) if verb == "ListRecords" else None
    live = [r.resource_id for r in rows if not r.deleted]
    if found:
        resources = metadata.load(live)
    else:
        # Headers only: whether each is still public is all that is needed.
        public = Resource.objects.visible_to(None).filter(pk__in=live)
        resources = dict.fromkeys(public.values_list("pk", flat=True), True)
    element = add(root, verb)
    for row in rows:
        record(element, row, resources.get(row.resource_id), found)
    if more:
        expires = timezone.now() + datetime.timedelta(hours=settings.SHELF_OAI_TOKEN_HOURS)
        token = ListQuery(
            **{
                **asdict(query),
                "after_stamp": rows[-1].datestamp.isoformat(),
                "after_id": rows[-1].resource_id,
                "cursor": query.cursor + len(rows),
            }
        )
        add(
            element,
            "resumptionToken",
            signing.dumps(asdict(token), salt=TOKEN_SALT, compress=True),
            expirationDate=stamp(expires),
            # Counted when the harvest began; records changed since are delivered again.
            completeListSize=max(query.total, token.cursor + 1),
            cursor=query.cursor,
        )
    elif not first:
        add(
            element,
            "resumptionToken",
            completeListSize=max(query.total, query.cursor + len(rows)),
            cursor=query.cursor,
        )


def list_identifiers(root: Element, args: dict) -> None:
    list_records(root, args, "ListIdentifiers")


VERBS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
