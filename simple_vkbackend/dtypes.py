"""The element dtypes host arrays and device buffers may have: bool, integers and
floats. Anything else (object, str, bytes, void/structured, datetime, timedelta,
complex) is refused with a TypeError naming the dtype before any memory is copied:
an object array holds Python pointers, which a kernel must never see."""
from __future__ import annotations

from typing import Any

import numpy as np

NUMERIC_KINDS = "biuf"


def numeric_dtype(dtype: Any, where: str) -> np.dtype:
    """`dtype` as a numpy dtype; TypeError naming it (and `where`) unless numeric."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{where}: {dtype!r} is not a numpy dtype ({exc})") from None
    if dt.kind not in NUMERIC_KINDS or dt.fields is not None or dt.subdtype is not None:
        raise TypeError(f"{where}: dtype {dt} is not numeric; buffers hold bool, integer "
                        "or float elements")
    return dt
