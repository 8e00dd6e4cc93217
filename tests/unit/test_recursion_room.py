"""ddblite.recursion: the interpreter's limit is raised inside, and put back by the last
thread to leave."""

from __future__ import annotations

import sys
import threading

from ddblite.recursion import ROOM, recursion_room, with_recursion_room


def _depth(levels: int) -> int:
    return 0 if levels == 0 else 1 + _depth(levels - 1)


def test_room_is_given_and_the_limit_put_back():
    before = sys.getrecursionlimit()
    with recursion_room():
        assert sys.getrecursionlimit() == max(before, ROOM)
        assert _depth(20_000) == 20_000  # far past the default limit of 1000
        with recursion_room():  # nested: still inside
            assert sys.getrecursionlimit() == max(before, ROOM)
        assert sys.getrecursionlimit() == max(before, ROOM)
    assert sys.getrecursionlimit() == before


def test_the_last_thread_out_puts_the_limit_back():
    before = sys.getrecursionlimit()
    inside, release = threading.Barrier(3), threading.Event()
    seen: list[int] = []

    def hold() -> None:
        with recursion_room():
            inside.wait()
            release.wait()
            seen.append(sys.getrecursionlimit())

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert sys.getrecursionlimit() == max(before, ROOM)
    release.set()
    for thread in threads:
        thread.join()
    assert seen == [max(before, ROOM)] * 2
    assert sys.getrecursionlimit() == before


def test_the_decorator_wraps_a_handler():
    @with_recursion_room
    def handler(levels: int) -> int:
        return _depth(levels)

    assert handler(10_000) == 10_000
    assert handler.__name__ == "handler"
