"""Lifetime gate shared by Device, Buffer and Kernel.

An operation runs `with obj.pinned():` (or `with pinned(a, b, ...)`) around its use of
the objects; `free()` retires the object (marks it dead: further pins fail with
InvalidHandleError, and waits until running operations have unpinned it), then
`_release()`s what it holds, once. No lock is held while an operation waits on the
GPU: the gate is a counter.
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .errors import InvalidHandleError


class Resource:
    """An object with an alive flag and a count of operations using it; a context
    manager that frees it on exit."""

    kind = "object"

    def __init__(self) -> None:
        self._pin_lock = threading.Lock()
        self._drained = threading.Condition(self._pin_lock)
        self._pins = 0
        self._alive = True
        self._gone = ""                     # why pins fail once dead (default: "was freed")
        self._released = threading.Event()  # set once _release has run (or never will)

    @property
    def alive(self) -> bool:
        return self._alive

    # pin/unpin run on every launch and transfer: explicit acquire/release (no `with`,
    # nothing between them can raise) costs about half as much.

    def pin(self) -> None:
        """Mark an operation in progress; raises InvalidHandleError once freed."""
        lock = self._pin_lock
        lock.acquire()
        if self._alive:
            self._pins += 1
            lock.release()
            return
        lock.release()
        raise self.dead_error()

    def dead_error(self) -> InvalidHandleError:
        """What an operation on the object gets once it is dead."""
        return InvalidHandleError(f"{self.kind} {self._gone or 'was freed'}")

    def unpin(self) -> None:
        lock = self._pin_lock
        lock.acquire()
        try:
            self._pins -= 1
            if self._pins == 0 and not self._alive:
                self._drained.notify_all()
        finally:
            lock.release()

    def retire(self) -> bool:
        """Mark dead and wait for running operations; False if already dead."""
        with self._pin_lock:
            if not self._alive:
                return False
            self._alive = False
            while self._pins:
                self._drained.wait()
            return True

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """`with obj.pinned():` an operation using the object (see pin/unpin)."""
        self.pin()
        try:
            yield
        finally:
            self.unpin()

    def free(self) -> None:
        """Retire the object, then release what it holds; idempotent. When another
        thread is already freeing it, wait until that thread's release is over."""
        if not self.retire():
            self._released.wait()
            return
        try:
            self._release()
        finally:
            self._released.set()

    def abandon(self, reason: str) -> None:
        """Mark dead without releasing anything (the handles belong to another process
        after fork()); pins then fail with "<kind> <reason>". Takes no lock: the lock
        may have been held by a thread that does not exist in this process."""
        self._pin_lock = threading.Lock()
        self._drained = threading.Condition(self._pin_lock)
        self._alive, self._pins, self._gone = False, 0, reason
        self._released = threading.Event()
        self._released.set()

    def _release(self) -> None:
        """Destroy the object's Vulkan objects (runs once, after retire)."""
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.free()


@contextmanager
def pinned(objects: Iterable[Resource]) -> Iterator[list]:
    """Pin each object in turn for the `with` body; on a failure to pin, unpin those
    already pinned and re-raise."""
    done: list = []
    try:
        for obj in objects:
            obj.pin()
            done.append(obj)
        yield done
    finally:
        for obj in done:
            obj.unpin()


def release_all(*steps) -> None:
    """Run every step (a callable) of a destroy path even if some raise; then raise
    the first failure (the others are chained in its message)."""
    errors: list[BaseException] = []
    for step in steps:
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - keep releasing the rest, report after
            errors.append(exc)
    if errors:
        first = errors[0]
        if len(errors) > 1 and sys.version_info >= (3, 11):  # (3.10 has no exception notes)
            first.add_note(f"{len(errors) - 1} more failure(s) while releasing: "
                           + "; ".join(repr(e) for e in errors[1:]))
        raise first
