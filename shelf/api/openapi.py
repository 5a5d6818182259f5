"""The OpenAPI 3.1 document of the API, built from the code it describes:
the facets and sorts of shelf.search.browse, the vocabularies, the
writable fields of shelf.api.write, the export formats and the workflow's
actions. A facet or a field added there appears here, and
``shelf/api/tests/test_openapi.py`` checks live answers against it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from shelf.catalogue.models import VOCABULARIES, VOCABULARY_NAMES, DatePrecision, Status
from shelf.catalogue.models import Visibility as V
from shelf.exports.formats import FORMATS
from shelf.files.models import FileStatus
from shelf.search import browse as catalogue

DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
EXAMPLE_SLUG = "safer-virtual-school"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """An object with exactly these keys (all present unless ``required`` says)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def schemas() -> dict:
    term = obj({"slug": string(), "label": string(_("In the caller's language."))})
    terms = obj(
        {
            name: {"type": "array", "items": ref("Term"), "description": str(label)}
            for name, label in VOCABULARIES
        }
    )
    summary_props = {
        "slug": string(),
        "title": string(),
        "summary": string(),
        "publishers": {"type": "array", "items": string(), "description": _("Labels.")},
        "date": nullable(string(_("As precisely as known."), pattern=DATE)),
        "language": string(_("BCP 47, or empty.")),
        "url": string(_("The HTML page."), format="uri"),
        "terms": ref("Terms"),
    }
    link = obj(
        {
            "slug": string(),
            "title": string(),
            "language": string(),
            "date": nullable(string(pattern=DATE)),
            "url": string(format="uri"),
        }
    )
    facet_value = obj(
        {
            "value": string(),
            "label": string(),
            "count": {"type": "integer", "minimum": 0},
            "selected": {"type": "boolean"},
        }
    )
    facets = obj({f.name: {"type": "array", "items": ref("FacetValue")} for f in catalogue.FACETS})
    visibility = string(enum=list(V.values))
    superseded = {
        "type": "boolean",
        "description": _("Replaced by a newer edition that the caller may see."),
    }
    detail = obj(
        {
            **summary_props,
            "body": string(),
            "date_precision": nullable(string(enum=list(DatePrecision.values))),
            "language_label": string(),
            "source_url": string(),
            "visibility": visibility,
            "last_reviewed": nullable(string(pattern=DAY)),
            "updated": string(format="date-time"),
            "superseded": superseded,
            "translations": {"type": "array", "items": ref("Link")},
            "supersedes": nullable(ref("Link")),
            "superseded_by": {"type": "array", "items": ref("Link")},
            "related": {"type": "array", "items": ref("Link"), "maxItems": 5},
        }
    )
    editorial = obj(
        {
            **summary_props,
            "body": string(),
            "date_precision": nullable(string(enum=list(DatePrecision.values))),
            "source_url": string(),
            "visibility": visibility,
            "status": string(enum=list(Status.values)),
            "publish_at": nullable(string(format="date-time")),
            "last_reviewed": nullable(string(pattern=DAY)),
            "review_by": nullable(string(pattern=DAY)),
            "updated": string(format="date-time"),
            "translations": {"type": "array", "items": string()},
            "supersedes": nullable(string()),
        }
    )
    return {
        "Term": term,
        "Terms": terms,
        "ResourceSummary": obj({**summary_props, "superseded": superseded}),
        "SearchHit": obj(
            {
                **summary_props,
                "snippet": string(_("HTML: escaped text, matched words in <mark>.")),
                "superseded": superseded,
            }
        ),
        "FacetValue": facet_value,
        "Facets": facets,
        "Results": obj(
            {
                "count": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1},
                "suggestion": nullable(string()),
                "notice": nullable(string()),
                "results": {"type": "array", "items": ref("SearchHit")},
                "facets": ref("Facets"),
            }
        ),
        "FacetValues": obj(
            {
                "facet": string(enum=[f.name for f in catalogue.FACETS]),
                "label": string(),
                "contains": string(),
                "resources": {"type": "integer", "minimum": 0},
                "count": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1},
                "results": {
                    "type": "array",
                    "items": ref("FacetValue"),
                    "maxItems": catalogue.FACET_PAGE_SIZE,
                },
            }
        ),
        "Link": link,
        "ResourceDetail": detail,
        "ResourceEditorial": editorial,
        "ResourceWrite": write_schema(),
        "ResourceFile": obj(
            {
                "id": {"type": "integer"},
                "filename": string(),
                "content_type": string(),
                "size": {"type": "integer", "minimum": 1},
                "sha256": string(pattern="^[0-9a-f]{64}$"),
                "status": string(enum=list(FileStatus.values)),
                "url": string(format="uri"),
            }
        ),
        "Error": obj(
            {
                "error": string(_("What went wrong, for a person.")),
                "errors": {
                    "type": "object",
                    "description": _('Messages by field; "" for the whole body.'),
                    "additionalProperties": {"type": "array", "items": string()},
                },
            },
            required=["error"],
        ),
        "ExportList": obj(
            {
                "count": {"type": "integer", "minimum": 0},
                "results": {"type": "array", "items": ref("ResourceSummary")},
            }
        ),
    }


def write_schema() -> dict:
    from shelf.api.write import FIELDS

    kinds = {
        "text": lambda f: string(maxLength=f.max_length) if f.max_length else string(),
        "date": lambda f: string(pattern=DATE),
        "day": lambda f: string(pattern=DAY),
        "choice": lambda f: string(enum=list(f.choices)),
        "slug": lambda f: string(),
        "slugs": lambda f: {"type": "array", "items": string()},
        "terms": lambda f: {
            "type": "object",
            "propertyNames": {"enum": VOCABULARY_NAMES},
            "additionalProperties": {"type": "array", "items": string()},
        },
    }
    properties = {}
    for field in FIELDS:
        schema = kinds[field.kind](field)
        if field.nullable:
            schema = nullable(schema)
        properties[field.name] = {**schema, "description": str(field.description)}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def json_response(description: str, schema: str, example=None) -> dict:
    content = {"schema": ref(schema)}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


def common_errors(*statuses: int) -> dict:
    texts = {
        400: _("A parameter or field that cannot be used; the message says why."),
        401: _("A token that is wrong, revoked or of an inactive account; or a write without one."),
        403: _("The caller's role may not do this (or a session write without its CSRF token)."),
        404: _("No such resource for this caller."),
        405: _("A method this address does not take."),
        409: _("A workflow action that cannot start from the item's status."),
        413: _("A body or file over the size limit."),
        429: _("Too many requests with this token this minute; see Retry-After."),
    }
    return {str(s): error_response(texts[s]) for s in statuses}


def facet_parameters() -> list[dict]:
    params = []
    for facet in catalogue.FACETS:
        items = string(pattern="^[0-9]{4}$") if facet.name == "year" else string()
        params.append(
            {
                "name": facet.name,
                "in": "query",
                "required": False,
                "style": "form",
                "explode": True,
                "description": _(
                    "%(facet)s: repeat for several values (OR); different facets combine with AND."
                )
                % {"facet": facet.label},
                "schema": {"type": "array", "items": items},
            }
        )
    return params


def list_parameters(paged: bool = True) -> list[dict]:
    params = [
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": _("Words to search for; at most %(n)s characters are read.")
            % {"n": catalogue.MAX_QUERY_LENGTH},
            "schema": string(),
        },
        {
            "name": "sort",
            "in": "query",
            "required": False,
            "description": _("relevance (newest first without q), newest, oldest or title."),
            "schema": string(enum=list(catalogue.SORTS), default="relevance"),
        },
    ]
    if paged:
        params.append(
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": _("From 1; past the last page is a 400."),
                "schema": {"type": "integer", "minimum": 1, "maximum": 999999, "default": 1},
            }
        )
    return params + facet_parameters()


SLUG = {"name": "slug", "in": "path", "required": True, "schema": string(minLength=1)}
TOKEN = [{"token": []}]
READ_SECURITY = [{}, {"token": []}]


def document() -> dict:
    example_hit = {
        "slug": EXAMPLE_SLUG,
        "title": "Safer Virtual School",
        "summary": "Safeguarding challenges of online school can be overcome.",
        "publishers": ["ICMEC"],
        "date": "2021-03-04",
        "language": "en",
        "url": f"{settings.SITE_ROOT}/resources/{EXAMPLE_SLUG}/",
        "terms": {name: [] for name in VOCABULARY_NAMES}
        | {"publisher": [{"slug": "icmec", "label": "ICMEC"}]},
        "snippet": "",
        "superseded": False,
    }
    exports = {}
    for name, fmt in FORMATS.items():
        media = fmt.media_type.split(";")[0]
        schema = ref("ExportList") if name == "json" else string()
        if name == "csl.json":
            schema = {"type": "array", "items": {"type": "object"}}
        exports[name] = (media, schema, fmt)
    # The export addresses' format and their answer, for lists and for one item.
    format_parameter = {
        "name": "format",
        "in": "path",
        "required": True,
        "schema": string(enum=list(exports)),
    }
    file_response = {
        "description": _("The file."),
        "content": {m: {"schema": s} for m, s, _f in exports.values()},
    }
    paths = {
        "/api/v1/resources": {
            "get": {
                "operationId": "listResources",
                "summary": _("One page of the listing, with every facet's counts"),
                "description": _(
                    "The twin of the page /resources/: same parameters, same results for the "
                    "same caller. Anonymous callers see published public items; members "
                    "(session or token) also members-only items."
                ),
                "parameters": list_parameters(),
                "security": READ_SECURITY,
                "responses": {
                    "200": json_response(
                        _("The page."),
                        "Results",
                        {
                            "count": 1,
                            "page": 1,
                            "pages": 1,
                            "suggestion": None,
                            "notice": None,
                            "results": [example_hit],
                            "facets": {f.name: [] for f in catalogue.FACETS},
                        },
                    ),
                    **common_errors(400, 401, 429),
                },
            },
            "post": {
                "operationId": "createResource",
                "summary": _("Create a resource (always a draft)"),
                "description": _(
                    "Needs a token (or a session with its CSRF token) of an editor, reviewer "
                    "or administrator. The item is a draft; an action in the body moves it "
                    "on with the workflow's rules: an editor may submit, only a reviewer "
                    "publishes. All of it, or nothing, is written."
                ),
                "security": TOKEN,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {**ref("ResourceWrite")},
                            "example": {
                                "title": "Keeping children safe online",
                                "date": "2021-03",
                                "language": "en",
                                "terms": {"audience": ["parents"]},
                                "action": "submit",
                            },
                        }
                    },
                },
                "responses": {
                    "201": json_response(_("Created."), "ResourceEditorial"),
                    **common_errors(400, 401, 403, 409, 413, 429),
                },
            },
        },
        "/api/v1/resources/facets/{facet}": {
            "parameters": [
                {
                    "name": "facet",
                    "in": "path",
                    "required": True,
                    "schema": string(enum=[f.name for f in catalogue.FACETS]),
                }
            ],
            "get": {
                "operationId": "listFacetValues",
                "summary": _("Every value of one facet, with its count"),
                "description": _(
                    "The twin of the page /resources/facets/<facet>/ (a facet's values beyond "
                    "the listing's top ones): the listing's parameters and the same counts "
                    "as its facets, ordered the same way, a page at a time; page numbers "
                    "the values' pages."
                ),
                "parameters": [
                    *list_parameters(),
                    {
                        "name": "contains",
                        "in": "query",
                        "required": False,
                        "description": _(
                            "Only values whose label or slug contains this, case and "
                            "accents aside; at most %(n)s characters are read."
                        )
                        % {"n": catalogue.MAX_CONTAINS},
                        "schema": string(),
                    },
                ],
                "security": READ_SECURITY,
                "responses": {
                    "200": json_response(
                        _("The values."),
                        "FacetValues",
                        {
                            "facet": "audience",
                            "label": "Audience",
                            "contains": "",
                            "resources": 3,
                            "count": 2,
                            "page": 1,
                            "pages": 1,
                            "results": [
                                {
                                    "value": "parents",
                                    "label": "Parents",
                                    "count": 2,
                                    "selected": False,
                                },
                                {
                                    "value": "teachers",
                                    "label": "Teachers",
                                    "count": 1,
                                    "selected": False,
                                },
                            ],
                        },
                    ),
                    "404": error_response(_("No such facet.")),
                    **common_errors(400, 401, 429),
                },
            },
        },
        "/api/v1/resources/{slug}": {
            "parameters": [SLUG],
            "get": {
                "operationId": "getResource",
                "summary": _("One resource with every field"),
                "security": READ_SECURITY,
                "responses": {
                    "200": json_response(_("The resource."), "ResourceDetail"),
                    **common_errors(401, 404, 429),
                },
            },
            "patch": {
                "operationId": "updateResource",
                "summary": _("Change a resource; fields left out are kept"),
                "description": _(
                    "Any status may be edited by an editor; visibility of a published item "
                    "and every publishing action need a reviewer."
                ),
                "security": TOKEN,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": ref("ResourceWrite"),
                            "example": {"summary": "A new summary.", "action": "submit"},
                        }
                    },
                },
                "responses": {
                    "200": json_response(_("The resource as changed."), "ResourceEditorial"),
                    **common_errors(400, 401, 403, 404, 409, 413, 429),
                },
            },
        },
        "/api/v1/resources/{slug}/files": {
            "parameters": [SLUG],
            "post": {
                "operationId": "uploadFile",
                "summary": _("Attach a file (PDF, DOCX, PPTX, PNG, JPEG)"),
                "description": _(
                    "The type is read from the content; the checks are the admin's. The "
                    "file's text is read in the background (status pending, then ready)."
                ),
                "security": TOKEN,
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                                "required": ["file"],
                            }
                        }
                    },
                },
                "responses": {
                    "201": json_response(_("Attached."), "ResourceFile"),
                    **common_errors(400, 401, 403, 404, 413, 429),
                },
            },
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": _("This document"),
                "security": [{}],
                "responses": {
                    "200": {
                        "description": _("OpenAPI 3.1."),
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/resources/download.{format}": {
            "get": {
                "operationId": "exportList",
                "summary": _("The whole listing as a file"),
                "description": _(
                    "Every result of the listing for the same parameters (no page), in its "
                    "order, streamed. Members-only items only for members. CSV cells that a "
                    "spreadsheet would run as a formula start with an apostrophe."
                ),
                "security": READ_SECURITY,
                "parameters": [
                    format_parameter,
                    *list_parameters(paged=False),
                ],
                "responses": {
                    "200": file_response,
                    "400": {
                        "description": _("A parameter that cannot be used."),
                        "content": {"text/plain": {"schema": string()}},
                    },
                    **common_errors(401, 429),
                },
            }
        },
        "/resources/{slug}/download.{format}": {
            "get": {
                "operationId": "exportOne",
                "summary": _("One resource as a reference file"),
                "security": READ_SECURITY,
                "parameters": [
                    SLUG,
                    format_parameter,
                ],
                "responses": {
                    "200": file_response,
                    "404": {"description": _("No such resource for this caller.")},
                    **common_errors(401, 429),
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": _("Shelf API"),
            "version": "1",
            "description": _(
                "Read the catalogue as JSON, export lists, and, with a token, create and "
                "change resources. Every error is JSON with an error message."
            ),
        },
        "servers": [{"url": settings.SITE_ROOT}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": _(
                        "A token an administrator created for an account in the admin "
                        "(API tokens); it acts as that account, reads included, at most "
                        "%(limit)s requests a minute."
                    )
                    % {"limit": settings.SHELF_API_RATE_LIMIT},
                }
            },
        },
    }
