"""Rate limits for public forms that keep no visitor's address.

An address is reduced to a keyed hash (HMAC-SHA256 of the address with the
secret key and the current window), held only in the cache and only until
the window ends. Nothing is written to the database, the hash cannot be
turned back into the address without the key, and one window's hashes
cannot be linked to the next one's.

Counts live in Django's cache, so they are per cache: give several nodes a
shared cache (e.g. Redis) to share them.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache


def visitor_key(request, scope: str, window: int, now: float | None = None) -> str:
    """The cache key of this visitor in this scope for the current window."""
    slot = int((time.time() if now is None else now) // window)
    address = get_client_ip_address(request) or ""
    message = f"{scope}\0{window}\0{slot}\0{address}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"throttle:{scope}:{digest[:32]}"


def hit(request, scope: str, *, limit: int, window: int = 3600) -> bool:
    """Count one use of ``scope`` by this visitor: False once they have used
    it more than ``limit`` times in the current ``window`` seconds."""
    key = visitor_key(request, scope, window)
    cache.add(key, 0, timeout=window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        used = 1
    return used <= limit
