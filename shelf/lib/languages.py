"""Language tags: normalising source spellings to BCP 47, labels, detection."""

from __future__ import annotations

import functools

# Source spellings (lower case) -> BCP 47. Listings write "zh-cn", "zh_CN",
# "Chinese"; Shelf stores one form per language.
ALIASES = {
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-hant": "zh-Hant",
    "chinese": "zh-Hans",
    "simplified chinese": "zh-Hans",
    "traditional chinese": "zh-Hant",
    "english": "en",
    "french": "fr",
    "francais": "fr",
    "français": "fr",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "arabic": "ar",
    "portuguese": "pt",
    "russian": "ru",
    "german": "de",
    "japanese": "ja",
    "korean": "ko",
    "thai": "th",
    "vietnamese": "vi",
    "indonesian": "id",
    "italian": "it",
}

# Labels in the language itself, so a reader recognises their own language
# whatever the interface language is.
LABELS = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh-Hans": "简体中文",
    "zh-Hant": "繁體中文",
    "pt": "Português",
    "ru": "Русский",
    "de": "Deutsch",
    "ja": "日本語",
    "ko": "한국어",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "it": "Italiano",
}

RTL = {"ar", "he", "fa", "ur"}


def normalise(tag: str) -> str | None:
    """Return the BCP 47 form of a language tag or name, or None if unknown."""
    key = tag.strip().lower().replace("_", "-")
    if not key:
        return None
    if key in ALIASES:
        return ALIASES[key]
    for code in LABELS:
        if code.lower() == key:
            return code
    primary = key.split("-")[0]
    if primary in LABELS and len(primary) == 2:
        return primary
    return None


def language_label(code: str) -> str:
    return LABELS.get(code, code)


def slug(code: str) -> str:
    """The URL slug of a language facet value: ``zh-Hans`` -> ``zh-hans``."""
    return code.lower()


def is_rtl(code: str) -> bool:
    return code.split("-")[0] in RTL


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str, default: str = "en") -> str:
    """Guess the language of ``text``; ``default`` when unsure or too short."""
    text = text.strip()
    if len(text) < 12:
        return default
    lang, prob = _identifier().classify(text)
    if prob < 0.5:
        return default
    if lang == "zh":
        return "zh-Hans"
    return normalise(lang) or lang
