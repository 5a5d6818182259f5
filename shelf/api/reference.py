"""The readable API page: the OpenAPI document laid out as HTML, so the page
and the document cannot disagree, with nothing loaded from other hosts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

METHODS = ("get", "post", "patch", "put", "delete")


def type_of(schema: dict) -> str:
    """A schema in a few words: "array of Link", "string or null"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "anyOf" in schema:
        return _(" or ").join(type_of(s) for s in schema["anyOf"])
    kind = schema.get("type", _("any"))
    if kind == "array":
        return _("array of %(items)s") % {"items": type_of(schema.get("items", {}))}
    if "enum" in schema:
        return _("one of %(values)s") % {"values": ", ".join(map(str, schema["enum"]))}
    extra = [schema[k] for k in ("format", "pattern") if k in schema]
    if "maxLength" in schema:
        extra.append(_("at most %(n)s characters") % {"n": schema["maxLength"]})
    return f"{kind} ({'; '.join(extra)})" if extra else str(kind)


@dataclass
class Row:
    name: str
    type: str
    required: bool
    description: str
    ref: str = ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    token: bool
    parameters: list[Row] = field(default_factory=list)
    body: list[tuple[str, str, str]] = field(default_factory=list)  # media, type, example
    responses: list[Row] = field(default_factory=list)


def ref_name(schema: dict) -> str:
    return schema["$ref"].rsplit("/", 1)[1] if "$ref" in schema else ""


def operations(doc: dict) -> list[Operation]:
    out = []
    for path, item in doc["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            security = op.get("security", [])
            operation = Operation(
                method.upper(),
                path,
                op.get("summary", ""),
                op.get("description", ""),
                op["operationId"],
                bool(security) and {} not in security,
            )
            for p in shared + op.get("parameters", []):
                operation.parameters.append(
                    Row(
                        p["name"],
                        f"{p['in']}, {type_of(p['schema'])}",
                        p.get("required", False),
                        p.get("description", ""),
                    )
                )
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                example = content.get("example")
                operation.body.append(
                    (
                        media,
                        type_of(content["schema"]),
                        json.dumps(example, indent=2, ensure_ascii=False) if example else "",
                    )
                )
            for status, response in op["responses"].items():
                for media, content in response.get("content", {None: {}}).items():
                    schema = content.get("schema", {})
                    kind = f"{media}: {type_of(schema)}" if media else ""
                    operation.responses.append(
                        Row(status, kind, False, response["description"], ref_name(schema))
                    )
            out.append(operation)
    return out


def schemas(doc: dict) -> list[tuple[str, list[Row]]]:
    out = []
    for name, schema in doc["components"]["schemas"].items():
        required = set(schema.get("required", []))
        rows = [
            Row(prop, type_of(s), prop in required, s.get("description", ""))
            for prop, s in schema.get("properties", {}).items()
        ]
        if not rows and "additionalProperties" in schema:
            rows = [Row("*", type_of(schema["additionalProperties"]), False, "")]
        out.append((name, rows))
    return out
