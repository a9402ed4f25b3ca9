"""Test helpers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from scrapy.utils.defer import deferred_from_coro


def coroutine_test(coro_f: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """Run an ``async def`` test as an asyncio task in the test reactor (like Scrapy's
    own tests), so the code under test may await asyncio futures."""

    @wraps(coro_f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return deferred_from_coro(coro_f(*args, **kwargs))

    return wrapper
