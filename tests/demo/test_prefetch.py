from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ardesk.demo.prefetch import prefetch


def test_items_come_through_in_order():
    assert list(prefetch(iter(range(50)), depth=2)) == list(range(50))


def test_an_error_in_the_generator_reaches_the_consumer():
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("generator broke")

    with pytest.raises(ValueError, match="generator broke"):
        list(prefetch(failing()))


def test_a_consumer_that_stops_early_stops_the_generator_thread():
    # given
    produced: list[int] = []

    def endless() -> Iterator[int]:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    # when
    for item in prefetch(endless(), depth=2):
        if item == 3:
            break
    # then: the worker is gone and did not run far ahead
    assert not any(t.name == "demo-generator" for t in threading.enumerate())
    assert len(produced) <= 3 + 1 + 2 + 1
