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
    subgroup_size: int = 32  # lanes per subgroup (software/subgroups.py)
    _ids: dict = field(default_factory=dict, repr=False)

    @property
    def num_groups(self) -> Size3:
        (gx, gy, gz), (lx, ly, lz) = self.global_size, self.local_size
        return (-(-gx // lx), -(-gy // ly), -(-gz // lz))

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
            groups = np.arange(prod(self.num_groups), dtype=np.int64)
            self._ids["group"] = self._spread(groups.reshape(self.num_groups[::-1] + (1, 1, 1)))
        return self._ids["group"]

    def ids_of_lane(self, lane: int) -> Size3:
        """The global id (x, y, z) of one lane, for messages."""
        x, y, z = (int(self.id_vector("global_id", d)[lane]) for d in range(3))
        return (x, y, z)

    def _compute(self, name: str, dim: int) -> np.ndarray:
        # Lanes form a C-order grid (group z, y, x, local z, y, x): x fastest.
        local = _along(np.arange(self.local_size[dim], dtype=np.int32), 5 - dim)
        group = _along(np.arange(self.num_groups[dim], dtype=np.int32), 2 - dim)
        if name == "local_id":
            return self._spread(local)
        if name == "group_id":
            return self._spread(group)
        return self._spread(group * np.int32(self.local_size[dim]) + local)

    def _spread(self, values: np.ndarray) -> np.ndarray:
        """`values` (broadcastable to the lane grid) as one entry per lane."""
        grid = np.empty(self.num_groups[::-1] + self.local_size[::-1], dtype=values.dtype)
        np.copyto(grid, values)
        return grid.reshape(-1)


def _along(values: np.ndarray, axis: int) -> np.ndarray:
    """A 1-D array reshaped to lie along `axis` of a 6-D grid."""
    shape = [1] * 6
    shape[axis] = len(values)
    return values.reshape(shape)
