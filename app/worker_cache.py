"""What one worker keeps between requests: a bounded cache whose least recently used entries go
first, each forgotten max_age seconds after it was put when a max_age is given (cachetools'
LRUCache and TTLCache, behind a lock for gunicorn's threads). docs/SCALING.md lists every use and
how stale each may be."""
from __future__ import annotations

import threading

from cachetools import LRUCache, TTLCache
from flask import current_app


class WorkerCache:
    def __init__(self, size: int, max_age: float | None = None):
        self._items = TTLCache(size, max_age) if max_age else LRUCache(size)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._items.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def worker_cache(name: str, size: int, max_age: float | None = None) -> WorkerCache:
    """This app's cache called name (each app its own: tests make many apps in one process)."""
    kept = current_app.extensions.get(name)
    if kept is None:
        kept = current_app.extensions.setdefault(name, WorkerCache(size, max_age))
    return kept
