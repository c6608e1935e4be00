"""Argon2id password hashing (argon2-cffi), with a dummy check for unknown users.

Passwords are never logged and never leave this module except as hashes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
# Argon2 takes tens of milliseconds of CPU and 64 MiB per hash: run it in a small
# pool of its own so the event loop keeps answering, and so a burst of logins
# neither starves the default thread pool nor multiplies the memory cost.
HASH_THREADS = 2
HASH_NICENESS = 5


def _lower_priority() -> None:
    # Linux schedules threads one by one: a niced hashing thread (and the lane
    # threads Argon2 starts from it) yields the CPU to the event loop, so a burst
    # of logins slows logins, not every other request.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_NICENESS)


_pool = ThreadPoolExecutor(
    max_workers=HASH_THREADS, thread_name_prefix="argon2", initializer=_lower_priority
)


class WeakPassword(ValueError):
    pass


@lru_cache(maxsize=2)
def _hasher(cheap: bool) -> PasswordHasher:
    # Tests create many users; the cheap profile keeps them fast. Every stored
    # hash names its own parameters, so verification works across profiles.
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


_cheap = False


def use_cheap_hashing(cheap: bool) -> None:
    """Switch to cheap Argon2 parameters (test environment only)."""
    global _cheap
    _cheap = cheap


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > 1024:
        raise WeakPassword("the password must have at most 1024 characters")


def hash_password(password: str) -> str:
    check_strength(password)
    return str(_hasher(_cheap).hash(password))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return str(_hasher(False).hash("not-a-real-password-only-for-timing"))


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches; unknown users (stored None) cost the same time."""
    try:
        return bool(_hasher(_cheap).verify(stored or _dummy_hash(), password)) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password_async(password: str) -> str:
    """`hash_password` off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_pool, hash_password, password)


async def verify_password_async(stored: str | None, password: str) -> bool:
    """`verify_password` off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(
        _pool, verify_password, stored, password
    )
