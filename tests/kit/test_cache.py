"""The answer cache: versions, the recheck interval, this process's writes, expiry, size limits, gzip and ETags."""

from __future__ import annotations

import gzip
import threading
import time

from majal.kit.cache import AnswerCache, note_write


class Clock:
    """A clock the test moves by hand: the cache's intervals are checked to the exact second, without waiting."""

    def __init__(self) -> None:
        self.now = 1000

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


def test_an_answer_is_served_only_for_the_data_version_it_was_made_from() -> None:
    cache = AnswerCache("test-versions")
    cache.put("q", (1, "a"), b"old")
    assert cache.get("q", (1, "a")).body == b"old"
    assert cache.get("q", (2, "b")) is None
    assert cache.get("q", (1, "a")) is None  # a newer version was seen: the old answer is gone


def test_recent_answers_need_a_version_confirmed_lately_and_no_write_since() -> None:
    clock = Clock()
    cache = AnswerCache("test-recent", recheck=10, clock=clock)
    assert cache.recent("q") is None  # never confirmed
    writes = cache.writes()
    cache.confirm(writes, 7)
    cache.put("q", 7, b"answer")
    assert cache.recent("q").body == b"answer"
    note_write("test-recent")
    assert cache.recent("q") is None  # this process changed the data: confirm again
    cache.confirm(cache.writes(), 7)
    assert cache.recent("q").body == b"answer"
    clock.advance(10)
    assert cache.recent("q").body == b"answer"  # confirmed `recheck` ago: still recent
    clock.advance(1)
    assert cache.recent("q") is None  # others may have written meanwhile: this caller confirms the version ...
    assert cache.recent("q").body == b"answer"  # ... while the next ones go on with the version confirmed last
    clock.advance(9)
    assert cache.recent("q").body == b"answer"
    clock.advance(1)
    assert cache.recent("q") is None  # but not for longer than another `recheck`
    cache.confirm(cache.writes(), 8)
    assert cache.recent("q") is None  # the data changed: the answer must be made again


def test_a_write_between_reading_the_version_and_confirming_it_is_not_missed() -> None:
    cache = AnswerCache("test-race")
    writes = cache.writes()  # taken before the version is read
    note_write("test-race")  # a write commits while the version is being read
    cache.confirm(writes, 1)
    cache.put("q", 1, b"maybe stale")
    assert cache.recent("q") is None


def test_answers_expire_and_the_cache_keeps_to_its_size() -> None:
    clock = Clock()
    cache = AnswerCache("test-size", ttl=30, max_entries=2, max_bytes=4000, clock=clock)
    cache.put("a", 1, b"x" * 10)
    clock.advance(30)
    assert cache.get("a", 1) is not None  # `ttl` old: still served
    clock.advance(1)
    assert cache.get("a", 1) is None
    for key in "bcd":
        cache.put(key, 1, b"y" * 10)
    assert cache.get("b", 1) is None and cache.get("d", 1) is not None  # the least recently used went first
    huge = cache.put("e", 1, b"z" * 2000)  # over a quarter of the budget: answered, not kept
    assert huge.body and cache.get("e", 1) is None


def test_gzip_and_etag_are_made_once_per_answer() -> None:
    cache = AnswerCache("test-gzip")
    answer = cache.put("q", 1, b"[" + b'{"a": 1},' * 500 + b"]")
    assert answer.gzipped() is answer.gzipped()
    assert gzip.decompress(answer.gzipped()) == answer.body
    assert answer.etag == cache.put("r", 1, answer.body).etag != cache.put("s", 1, b"other").etag


def test_clients_asking_for_the_same_answer_wait_for_one_maker() -> None:
    cache = AnswerCache("test-single-flight")
    made: list[int] = []

    def ask() -> None:
        with cache.computing("q"):
            if cache.get("q", 1) is None:
                time.sleep(0.05)
                made.append(1)
                cache.put("q", 1, b"answer")

    clients = [threading.Thread(target=ask) for _ in range(8)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    assert made == [1]
