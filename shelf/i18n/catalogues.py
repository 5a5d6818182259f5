"""Shelf's interface catalogues (``shelf/locale/<locale>/LC_MESSAGES/django.po``).

Extraction, merging and compiling are done in Python with Babel, so they run
from the project's own install: Django's ``makemessages`` and
``compilemessages`` need GNU gettext, which a fresh machine lacks. Templates
go through Django's own ``templatize`` (what ``makemessages`` feeds to
xgettext), so the message ids are exactly the ones Django looks up.
"""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.utils.translation import to_locale
from django.utils.translation.template import templatize

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ROOT_DIR = PACKAGE_DIR.parent
SOURCE_LANGUAGE = "en"

# Django's keywords (those makemessages passes to xgettext).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ["Translators:"]

# The gettext plural rules Shelf's catalogues are written for (the same as
# Django's own catalogues for fr, ar and zh-Hans). A language added later
# without an entry here gets Babel's rule from CLDR.
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "es": "nplurals=2; plural=(n != 1);",
    "ar": (
        "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
        "n%100>=11 && n%100<=99 ? 4 : 5);"
    ),
    "zh_Hans": "nplurals=1; plural=0;",
}

SKIP_DIRS = {"tests", "migrations", "locale", "static", "__pycache__"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def locales() -> list[str]:
    """Catalogue folders, one per language in ``settings.LANGUAGES`` but the
    source language: ``fr``, ``es``, ``ar``, ``zh_Hans``."""
    return [to_locale(code) for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def po_path(locale: str) -> Path:
    return locale_dir() / locale / "LC_MESSAGES" / "django.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def source_files(root: Path = PACKAGE_DIR) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        if SKIP_DIRS.intersection(path.relative_to(root).parts[:-1]) or not path.is_file():
            continue
        if path.suffix == ".py" or (
            path.suffix in (".html", ".txt") and "templates" in path.relative_to(root).parts
        ):
            files.append(path)
    return files


def _messages(path: Path):
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        # Line numbers survive: templatize keeps the template's lines.
        text = templatize(text, origin=str(path))
        # templatize's output is only Python-like: a marked string after a tag on an indented
        # line would be an indentation error to Python's tokenizer. Its strings never span lines.
        text = "\n".join(line.lstrip() for line in text.split("\n"))
    yield from extract(
        "python",
        io.BytesIO(text.encode("utf-8")),
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        options={"encoding": "utf-8"},
        strip_comment_tags=True,
    )


def extract_template(root: Path = PACKAGE_DIR) -> Catalog:
    """Every marked string in Shelf's Python files and templates."""
    template = Catalog(project="Shelf", fuzzy=False)
    singular, plural = {}, {}
    for path in source_files(root):
        location = path.relative_to(root.parent).as_posix()
        for lineno, message, comments, context in _messages(path):
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            if isinstance(message, tuple):
                message = tuple(m or "" for m in message)
                plural.setdefault((message[0], context), f"{location}:{lineno}")
            else:
                singular.setdefault((message, context), f"{location}:{lineno}")
            template.add(
                message,
                None,
                [(location, lineno)],
                auto_comments=comments,
                context=context,
            )
    # gettext keeps one entry per id: a string marked both with and without
    # a plural is only found by ngettext, so gettext() returns it in English.
    template.clashes = sorted(
        f"{key[0]!r} is marked without a plural at {singular[key]} and with one at {plural[key]}"
        for key in singular.keys() & plural.keys()
    )
    return template


def new_catalog(locale: str) -> Catalog:
    catalog = Catalog(
        locale=locale,
        project="Shelf",
        version="1",
        fuzzy=False,
        msgid_bugs_address="",
        last_translator="",
        language_team="",
        header_comment=(
            f"# Shelf's interface in {Locale.parse(locale).english_name}.\n"
            "# Updated by `make messages`; see the README, Translations."
        ),
    )
    if locale in PLURAL_FORMS:
        _set_plural_forms(catalog, PLURAL_FORMS[locale])
    return catalog


def _set_plural_forms(catalog: Catalog, rule: str) -> None:
    headers = [(k, v) for k, v in catalog.mime_headers if k.lower() != "plural-forms"]
    catalog.mime_headers = [*headers, ("Plural-Forms", rule)]


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale, abort_invalid=True)


def render_po(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, ignore_obsolete=True, include_previous=True)
    return out.getvalue()


def render_mo(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


_DATE_HEADER = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.M)


def _write_if_changed(path: Path, content: bytes) -> bool:
    """Write unless only the dates in the header would change, so that
    running ``make messages`` twice leaves no diff."""
    if path.exists() and _DATE_HEADER.sub(b"", path.read_bytes()) == _DATE_HEADER.sub(b"", content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def update(template: Catalog | None = None, languages: list[str] | None = None) -> list[Path]:
    """Merge the source strings into every catalogue: new strings come in
    untranslated, changed ones as fuzzy (with the old translation to start
    from), strings gone from the source are dropped. Returns what changed."""
    template = template or extract_template()
    changed = []
    for locale in languages or locales():
        path = po_path(locale)
        catalog = read(locale) if path.exists() else new_catalog(locale)
        catalog.update(template, update_header_comment=False, update_creation_date=False)
        if locale in PLURAL_FORMS:
            _set_plural_forms(catalog, PLURAL_FORMS[locale])
        if _write_if_changed(path, render_po(catalog)):
            changed.append(path)
    return changed


def compile_all(languages: list[str] | None = None) -> list[Path]:
    """Write each catalogue's .mo (translated, non-fuzzy entries only)."""
    written = []
    for locale in languages or locales():
        path = mo_path(locale)
        content = render_mo(read(locale))
        if not path.exists() or path.read_bytes() != content:
            path.write_bytes(content)
            written.append(path)
    return written


def _mo_messages(content: bytes) -> dict:
    messages = gettext.GNUTranslations(io.BytesIO(content))._catalog
    messages.pop("", None)  # the header: its dates may differ
    return messages


def is_translated(message: Message) -> bool:
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def _format_problem(message: Message) -> str | None:
    """A translation naming a variable the source does not have fails at
    render time (KeyError); one dropping a variable loses information."""
    if isinstance(message.id, (tuple, list)):
        allowed = _placeholders(message.id[0]) | _placeholders(message.id[1])
        for form in message.string or ():
            if extra := _placeholders(form) - allowed:
                return f"uses unknown %({sorted(extra)[0]})s"
        return None
    if message.string and _placeholders(message.string) != _placeholders(message.id):
        return "has different %(name)s placeholders from the source"
    return None


@dataclass(frozen=True)
class Problem:
    locale: str
    message: str

    def __str__(self) -> str:
        return f"{self.locale}: {self.message}"


def _label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
    context = f" [{message.context}]" if message.context else ""
    return f"{msgid!r}{context}" + (f" ({where})" if where else "")


def check(template: Catalog | None = None, languages: list[str] | None = None) -> list[Problem]:
    """Everything that keeps a catalogue from being complete and current:
    strings missing from it or no longer in the source (extraction would
    change it), untranslated, fuzzy or obsolete entries, a wrong plural rule
    or number of plural forms, bad placeholders, a stale .mo."""
    template = template or extract_template()
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m for m in template if m.id}
    problems = [Problem("source", clash) for clash in getattr(template, "clashes", [])]
    for locale in languages or locales():
        if not po_path(locale).exists():
            problems.append(Problem(locale, f"no catalogue at {po_path(locale)}"))
            continue
        catalog = read(locale)
        rule = PLURAL_FORMS.get(locale)
        if rule and catalog.plural_forms.replace(" ", "") != rule.replace(" ", ""):
            problems.append(Problem(locale, f"Plural-Forms is {catalog.plural_forms!r}"))
        have = {}
        for message in catalog:
            if not message.id:
                continue
            key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
            have[key] = message
            if key not in wanted:
                problems.append(Problem(locale, f"no longer in the source: {_label(message)}"))
                continue
            if message.fuzzy:
                problems.append(Problem(locale, f"fuzzy: {_label(message)}"))
            if not is_translated(message):
                problems.append(Problem(locale, f"untranslated: {_label(message)}"))
            if message.pluralizable and len(message.string) != catalog.num_plurals:
                problems.append(
                    Problem(
                        locale,
                        f"{len(message.string)} plural forms, not {catalog.num_plurals}: "
                        f"{_label(message)}",
                    )
                )
            if message.pluralizable != wanted[key].pluralizable:
                problems.append(Problem(locale, f"plural changed in the source: {_label(message)}"))
            if error := _format_problem(message):
                problems.append(Problem(locale, f"{error}: {_label(message)}"))
        for key, message in wanted.items():
            if key not in have:
                problems.append(Problem(locale, f"not in the catalogue: {_label(message)}"))
        for message in catalog.obsolete.values():
            problems.append(Problem(locale, f"obsolete entry: {_label(message)}"))
        mo = mo_path(locale)
        if not mo.exists() or _mo_messages(mo.read_bytes()) != _mo_messages(render_mo(catalog)):
            problems.append(Problem(locale, f"{mo.name} is out of date (run `shelf messages`)"))
    return problems
