"""coder.ahead.made_ahead: the reel's pictures made on a second thread, in order, errors
where they happen, and a consumer that stops early stops the maker."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from coder.ahead import InOrder, made_ahead


def test_items_come_in_order_and_all_of_them() -> None:
    assert list(made_ahead(iter(range(1000)), depth=3)) == list(range(1000))


def test_an_error_while_making_comes_out_where_the_item_would_have() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("the video ended early")

    got = []
    with pytest.raises(ValueError, match="ended early"):
        for item in made_ahead(items()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_stops_the_maker() -> None:
    made: list[int] = []

    def items() -> Iterator[int]:
        for i in range(10_000):
            made.append(i)
            yield i

    before = threading.active_count()
    pictures = made_ahead(items(), depth=4)
    assert [next(pictures) for _ in range(5)] == [0, 1, 2, 3, 4]
    pictures.close()
    time.sleep(0.3)
    assert len(made) < 20  # it waited for room, then saw the stop
    assert threading.active_count() == before


def test_work_in_order_is_done_in_order_and_its_error_comes_out() -> None:
    done: list[int] = []
    worker = InOrder(done.append, depth=2)
    for i in range(500):
        worker.put(i)
    worker.finish()
    assert done == list(range(500))

    def fail(item: int) -> None:
        if item == 3:
            raise RuntimeError("the encoder refused a frame")
        done.append(item)

    done.clear()
    failing = InOrder(fail)
    with pytest.raises(RuntimeError, match="refused"):
        for i in range(100):
            failing.put(i)
            time.sleep(0.001)
        failing.finish()
    assert done == [0, 1, 2]
