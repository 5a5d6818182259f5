"""Finding web addresses in text. No Django here."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Longer addresses are not worth storing: no publisher gives one out.
MAX_LENGTH = 2000
SCHEMES = ("http", "https")

# An address runs until whitespace or a character that never appears
# unescaped in one; punctuation that usually ends the sentence around it is
# trimmed afterwards.
_URL = re.compile(r"""\bhttps?://[^\s<>"'`{}|\\^\[\]«»“”‘’]+""", re.IGNORECASE)
_TRAILING = ".,;:!?\u3002\uff0c\u060c"
_PAIRS = {")": "(", "]": "["}


def find_urls(text: str) -> list[str]:
    """The http(s) addresses in ``text``, in order, each once."""
    found: dict[str, None] = {}
    for match in _URL.finditer(text or ""):
        url = _trim(match.group(0))
        if is_web_url(url):
            found.setdefault(url, None)
    return list(found)


def _trim(url: str) -> str:
    while url and (url[-1] in _TRAILING or _unpaired(url)):
        url = url[:-1]
    return url


def _unpaired(url: str) -> bool:
    """A closing bracket without its opening one: "(see https://example.org/a)",
    but "https://en.wikipedia.org/wiki/X_(y)" keeps its own."""
    last = url[-1]
    return last in _PAIRS and url.count(_PAIRS[last]) < url.count(last)


def is_web_url(url: str) -> bool:
    """An absolute http(s) address with a host, short enough to keep."""
    if not url or len(url) > MAX_LENGTH:
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in SCHEMES and bool(parts.hostname)
    except ValueError:  # a malformed port or IPv6 literal
        return False


def host_of(url: str) -> str:
    """The host name, lower case, without port: politeness is per machine."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
