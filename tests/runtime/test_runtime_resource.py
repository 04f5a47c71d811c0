"""The lifetime helpers: handle tracking (created/destroy), pinning, Resource.free."""
from __future__ import annotations

import pytest

from simple_vkbackend.runtime import tracking
from simple_vkbackend.runtime.errors import InvalidHandleError
from simple_vkbackend.runtime.resource import Resource, pinned


def test_destroy_untracks_before_the_handle_is_released():
    handle = tracking.created("VkTestObject", 0x5EED0)
    assert tracking.live_objects().get("VkTestObject") == 1
    seen = []
    tracking.destroy("VkTestObject", handle, lambda h: seen.append(tracking.live_objects().get("VkTestObject", 0)))
    assert seen == [0], "another thread could be handed the address while it is still tracked"
    with pytest.raises(RuntimeError, match="destroyed twice"):
        tracking.destroy("VkTestObject", handle, lambda h: None)


class Thing(Resource):
    kind = "thing"

    def __init__(self):
        super().__init__()
        self.released = 0

    def _release(self):
        self.released += 1


def test_free_releases_once_and_pinned_fails_afterwards():
    thing = Thing()
    with thing.pinned():
        pass
    thing.free()
    thing.free()
    assert thing.released == 1 and not thing.alive
    with pytest.raises(InvalidHandleError, match="thing was freed"):
        with thing.pinned():
            pass


def test_pinned_unpins_what_it_pinned_when_a_later_pin_fails():
    alive, dead = Thing(), Thing()
    dead.free()
    with pytest.raises(InvalidHandleError):
        with pinned([alive, dead]):
            pass
    assert alive._pins == 0
    alive.free()  # would wait forever on a leaked pin
    assert alive.released == 1
