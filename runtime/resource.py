"""Lifetime gate shared by Device, Buffer and Kernel.

An operation `pin()`s the objects it uses; `retire()` marks an object dead (further
pins fail with InvalidHandleError) and waits until running operations have unpinned it.
No lock is held while an operation waits on the GPU: the gate is a counter.
"""
from __future__ import annotations

import threading

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

    @property
    def alive(self) -> bool:
        return self._alive

    def pin(self) -> None:
        """Mark an operation in progress; raises InvalidHandleError once freed."""
        with self._pin_lock:
            if not self._alive:
                raise InvalidHandleError(f"{self.kind} was freed")
            self._pins += 1

    def unpin(self) -> None:
        with self._pin_lock:
            self._pins -= 1
            if self._pins == 0 and not self._alive:
                self._drained.notify_all()

    def retire(self) -> bool:
        """Mark dead and wait for running operations; False if already dead."""
        with self._pin_lock:
            if not self._alive:
                return False
            self._alive = False
            while self._pins:
                self._drained.wait()
            return True

    def free(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.free()


def pin_all(objects) -> list:
    """Pin each object in turn; on failure unpin those already pinned and re-raise."""
    done = []
    try:
        for obj in objects:
            obj.pin()
            done.append(obj)
    except BaseException:
        unpin_all(done)
        raise
    return done


def unpin_all(objects) -> None:
    for obj in objects:
        obj.unpin()
