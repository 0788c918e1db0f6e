"""A small in-process cache of finished answers, for read-heavy public endpoints that clients poll.

An answer is stored with the version of the data it was computed from (e.g. the latest id and change time of the
rows it reads). Looking the version up costs a database round trip, so it is confirmed at most once every `recheck`
seconds, by one caller while the others go on; in between, answers are served from memory without touching the
database. A write committed by this process (see `note_write`) forces the next look-up to confirm again, so its own
writes show at once; writes by other processes (another worker, the CLI) show within two `recheck` periods. Answers
also expire after `ttl` seconds, for the ones that depend on the clock (such as "the last 90 days").

Each answer keeps its gzip encoding (made once, on the first client that asks) and an ETag, so polling clients get
`304 Not Modified` and compressed answers cost no CPU after the first."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

_writes: Counter[str] = Counter()  # per topic, the commits this process made that change the data it names


def note_write(topic: str) -> None:
    """This process committed a change to `topic`'s data: cached answers about it must be confirmed again."""
    _writes[topic] += 1


@dataclass
class Answer:
    version: Hashable
    body: bytes
    stamp: float = field(default_factory=time.monotonic)
    etag: str = ""
    _gzipped: bytes | None = None

    def __post_init__(self) -> None:
        self.etag = '"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"'

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class AnswerCache:
    def __init__(self, topic: str, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024, ttl: float = 30.0,
                 recheck: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.topic, self.ttl, self.recheck = topic, ttl, recheck
        self._clock = clock  # seconds, only ever compared with each other
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[Hashable, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(64)]
        self._confirmed: tuple[float, int, Hashable] | None = None  # when, local writes then, data version
        self._rechecking = False  # a caller was sent to confirm the version again

    def recent(self, key: Hashable) -> Answer | None:
        """The answer for `key` when the data version was confirmed lately; None means: confirm, then `get`.

        Past `recheck` seconds one caller is sent to confirm the version while the others go on with the one
        confirmed last (for up to another `recheck`), so that polling clients do not all query at once."""
        confirmed = self._confirmed
        if confirmed is None or confirmed[1] != _writes[self.topic]:
            return None
        age = self._clock() - confirmed[0]
        if age > self.recheck:
            with self._lock:
                first = not self._rechecking
                self._rechecking = True
            if first or age > 2 * self.recheck:
                return None
        return self.get(key, confirmed[2])

    def writes(self) -> int:
        """This process's write count for the topic: take it before reading the version, then `confirm` both."""
        return _writes[self.topic]

    def confirm(self, writes: int, version: Hashable) -> None:
        """Record `version`, read from the database after this process had made `writes` writes."""
        self._confirmed = (self._clock(), writes, version)
        self._rechecking = False

    def computing(self, key: Hashable) -> threading.Lock:
        """Held while an answer for `key` is made: clients asking for it meanwhile wait for that one answer instead
        of each making their own (when a popular answer expires, every polling client misses at once)."""
        return self._stripes[hash(key) % len(self._stripes)]

    def get(self, key: Hashable, version: Hashable) -> Answer | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found.version != version or self._clock() - found.stamp > self.ttl:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, version: Hashable, body: bytes) -> Answer:
        answer = Answer(version, body, self._clock())
        if len(body) > self.max_bytes // 4:
            return answer  # one huge answer must not push everything else out
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = answer
            self._size += len(body)
            while len(self._entries) > self.max_entries or self._size > self.max_bytes:
                self._drop(next(iter(self._entries)))
        return answer

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0
            self._confirmed = None

    def _drop(self, key: Hashable) -> None:
        self._size -= len(self._entries.pop(key).body)
