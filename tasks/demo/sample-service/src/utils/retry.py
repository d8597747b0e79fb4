"""Retrying calls that fail for a while."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry(
    call: Callable[[], T],
    attempts: int = 3,
    delay: float = 0.1,
    backoff: float = 2.0,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Calls `call` until it succeeds, at most `attempts` times, sleeping longer each time."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    wait = delay
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except retry_on:
            if attempt == attempts:
                raise
            sleep(wait)
            wait *= backoff
    raise AssertionError("unreachable")
