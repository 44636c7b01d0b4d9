"""Small argument checks shared by the modules, so every error names its argument."""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real

import numpy as np


def positive_int(name: str, value: object, *, allow_zero: bool = False) -> int:
    """Return ``value`` as ``int`` if it is a positive integer (or zero when allowed)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    low = 0 if allow_zero else 1
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def one_of(name: str, value: object, choices: Iterable[object]) -> object:
    """Return ``value`` if it is one of ``choices``, or raise naming ``name``."""
    options = tuple(choices)
    if isinstance(value, (list, dict, set)) or value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def boolean(name: str, value: object) -> bool:
    """Return ``value`` if it is a ``bool`` (NumPy's included), or raise naming ``name``."""
    if type(value).__name__ not in ("bool", "bool_"):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return bool(value)


def fraction(name: str, value: object, *, low: float = 0.0, high: float = 1.0,
             inclusive_high: bool = False) -> float:
    """Return ``value`` as ``float`` if it lies in ``[low, high)`` (or ``[low, high]``)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    ok = low <= v <= high if inclusive_high else low <= v < high
    if not ok:
        bracket = "]" if inclusive_high else ")"
        raise ValueError(f"{name} must lie in [{low}, {high}{bracket}, got {value}")
    return v


def positive_int_list(name: str, values: Iterable[object]) -> list[int]:
    """Return a non-empty list of positive ints, or raise naming ``name``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of ints, got {type(values).__name__}")
    out = [positive_int(f"{name}[{i}]", v) for i, v in enumerate(values)]
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


def positive_number(name: str, value: object) -> float:
    """Return ``value`` as ``float`` if it is a finite real number > 0."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return v


def text(name: str, value: object) -> str:
    """Return ``value`` if it is a non-empty ``str``, or raise naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    return value


def positive_array(name: str, values: object) -> np.ndarray:
    """Return ``values`` as a flat float array if every entry is finite and > 0."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers") from err
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be positive, got min {arr.min():g}")
    return arr


def nonnegative(name: str, value: object, *, positive: bool = False) -> float:
    """Return ``value`` as ``float`` if it is a finite number >= 0 (> 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    ok = (v > 0 if positive else v >= 0) and v != float("inf")  # NaN fails both tests
    if not ok:
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value}")
    return v


def flag(name: str, value: object) -> bool:
    """Return ``value`` if it is a ``bool`` (not merely truthy), or raise naming ``name``."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
    return value


def function(name: str, value: object) -> object:
    """Return ``value`` if it is callable, or raise ``TypeError`` naming ``name``."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, got {type(value).__name__}")
    return value
