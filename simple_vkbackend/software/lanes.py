"""Sets of active lanes (the execution mask) of one frame."""
from __future__ import annotations

from typing import Iterable, Optional

import numpy as np


class Lanes:
    """The active lanes of a frame: sorted indices into the frame's lane vectors.

    `idx=None` means every lane of the frame; reads of frame-wide vectors then
    skip the gather entirely, which keeps non-divergent kernels cheap.
    """

    __slots__ = ("width", "_idx")

    def __init__(self, width: int, idx: Optional[np.ndarray] = None):
        self.width = width
        self._idx = None if idx is not None and len(idx) == width else idx

    @property
    def full(self) -> bool:
        return self._idx is None

    @property
    def count(self) -> int:
        return self.width if self._idx is None else len(self._idx)

    @property
    def idx(self) -> np.ndarray:
        return np.arange(self.width) if self._idx is None else self._idx

    def take(self, frame_vector: np.ndarray) -> np.ndarray:
        """The entries of a frame-wide vector (or rows of an array) for these lanes."""
        return frame_vector if self._idx is None else frame_vector[self._idx]

    def subset(self, mask: Optional[np.ndarray]) -> "Lanes":
        """The lanes where `mask` (one bool per lane of this set) is true."""
        if mask is None or mask.all():
            return self
        if self._idx is None:
            return Lanes(self.width, np.flatnonzero(mask))
        return Lanes(self.width, self._idx[mask])

    @staticmethod
    def none(width: int) -> "Lanes":
        return Lanes(width, np.empty(0, dtype=np.intp))

    @staticmethod
    def union(width: int, parts: Iterable["Lanes"]) -> "Lanes":
        """The union of disjoint lane sets, sorted."""
        parts = [p for p in parts if p.count]
        if not parts:
            return Lanes.none(width)
        if len(parts) == 1 or sum(p.count for p in parts) == width:
            return parts[0] if len(parts) == 1 else Lanes(width)
        return Lanes(width, np.sort(np.concatenate([p.idx for p in parts])))
