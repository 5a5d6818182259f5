"""One JSON work list for translators: every string some language still
lacks, with all languages side by side, so a new batch of strings is
translated in one pass and taken back with ``shelf messages --import``."""

from __future__ import annotations

from pathlib import Path

from shelf.i18n import catalogues


def _key(message) -> tuple[str, str | None]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def todo(languages: list[str] | None = None) -> dict:
    languages = languages or catalogues.locales()
    loaded = {locale: catalogues.read(locale) for locale in languages}
    entries: dict[tuple, dict] = {}
    for locale, catalog in loaded.items():
        for message in catalog:
            if not message.id or (catalogues.is_translated(message) and not message.fuzzy):
                continue
            key = _key(message)
            if key not in entries:
                entry = {"msgid": key[0]}
                if message.pluralizable:
                    entry["msgid_plural"] = message.id[1]
                if message.context:
                    entry["context"] = message.context
                entry["locations"] = [f"{f}:{n}" for f, n in message.locations]
                if message.auto_comments:
                    entry["comments"] = list(message.auto_comments)
                entries[key] = entry
            if message.fuzzy:
                entries[key].setdefault("fuzzy", []).append(locale)
    for key, entry in entries.items():
        for locale, catalog in loaded.items():
            message = catalog.get(*key)
            if message is None:
                continue
            if message.pluralizable:
                forms = list(message.string or ())
                entry[locale] = forms + [""] * (catalog.num_plurals - len(forms))
            else:
                entry[locale] = message.string or ""
    return {
        "plural_forms": {locale: loaded[locale].plural_forms for locale in languages},
        "messages": list(entries.values()),
    }


def apply(data: dict, languages: list[str] | None = None) -> list[Path]:
    """Write the filled-in strings of ``data`` into the catalogues. Empty
    strings are left untranslated; a filled one also clears "fuzzy"."""
    languages = languages or catalogues.locales()
    changed = []
    for locale in languages:
        catalog = catalogues.read(locale)
        for entry in data.get("messages", []):
            value = entry.get(locale)
            if not value or (isinstance(value, list) and not any(value)):
                continue
            message = catalog.get(entry["msgid"], entry.get("context"))
            if message is None:
                raise ValueError(
                    f"{locale}: {entry['msgid']!r} is not in the catalogue; "
                    "run `shelf messages` and export again"
                )
            if message.pluralizable:
                if not isinstance(value, list) or len(value) != catalog.num_plurals:
                    raise ValueError(
                        f"{locale}: {entry['msgid']!r} needs a list of "
                        f"{catalog.num_plurals} plural forms ({catalog.plural_forms})"
                    )
                message.string = tuple(value)
            elif isinstance(value, list):
                raise ValueError(f"{locale}: {entry['msgid']!r} takes one string, not a list")
            else:
                message.string = value
            message.flags.discard("fuzzy")
            message.previous_id = []  # the "#|" note on what changed: reviewed now
        path = catalogues.po_path(locale)
        if catalogues._write_if_changed(path, catalogues.render_po(catalog)):
            changed.append(path)
    return changed
