"""A small in-process cache of finished answers, for read-heavy public endpoints that clients poll.

Entries are keyed by the caller with the data's version (so any write makes them unreachable) and also expire after
`ttl` seconds (for answers that depend on the clock, such as "the last 90 days")."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable


class AnswerCache:
    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024, ttl: float = 30.0) -> None:
        self.max_entries, self.max_bytes, self.ttl = max_entries, max_bytes, ttl
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return  # one huge answer must not push everything else out
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (time.monotonic(), body)
            self._size += len(body)
            while len(self._entries) > self.max_entries or self._size > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def _drop(self, key: Hashable) -> None:
        _stamp, body = self._entries.pop(key)
        self._size -= len(body)
