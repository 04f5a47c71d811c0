"""Launch geometry: how work items map to lanes, and their id builtins.

All work-groups run at once as one lane vector. Lane `l` is local item
`l % group_size` of group `l // group_size`; both linear numbers count x
fastest, then y, then z. The launch covers ceil(global / local) groups per
dimension, so lanes past the global size run too, as on a GPU, and
`global_size` is num_groups * local_size (as the Vulkan lowering computes it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

import numpy as np

Size3 = tuple[int, int, int]


@dataclass
class Geometry:
    global_size: Size3
    local_size: Size3
    _ids: dict = field(default_factory=dict, repr=False)

    @property
    def num_groups(self) -> Size3:
        return tuple(-(-g // l) for g, l in zip(self.global_size, self.local_size))

    @property
    def group_size(self) -> int:
        return prod(self.local_size)

    @property
    def lanes(self) -> int:
        return prod(self.num_groups) * self.group_size

    def uniform_id(self, name: str, dim: int) -> int:
        """`local_size`, `num_groups` or `global_size` along `dim`."""
        if name == "local_size":
            return self.local_size[dim]
        if name == "num_groups":
            return self.num_groups[dim]
        return self.num_groups[dim] * self.local_size[dim]

    def id_vector(self, name: str, dim: int) -> np.ndarray:
        """`global_id`, `local_id` or `group_id` along `dim` for every lane (i32)."""
        key = (name, dim)
        if key not in self._ids:
            self._ids[key] = self._compute(name, dim)
        return self._ids[key]

    def group_of_lane(self) -> np.ndarray:
        """The linear work-group number of every lane."""
        if "group" not in self._ids:
            self._ids["group"] = np.arange(self.lanes) // self.group_size
        return self._ids["group"]

    def ids_of_lane(self, lane: int) -> Size3:
        """The global id (x, y, z) of one lane, for messages."""
        return tuple(int(self.id_vector("global_id", d)[lane]) for d in range(3))

    def _compute(self, name: str, dim: int) -> np.ndarray:
        if name == "global_id":
            return (self.id_vector("group_id", dim) * np.int32(self.local_size[dim])
                    + self.id_vector("local_id", dim))
        lane = np.arange(self.lanes, dtype=np.int64)
        if name == "local_id":
            linear, extent = lane % self.group_size, self.local_size
        else:
            linear, extent = lane // self.group_size, self.num_groups
        stride = prod(extent[:dim])
        return ((linear // stride) % extent[dim]).astype(np.int32)
