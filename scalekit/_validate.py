"""Small argument checks shared by the modules, so every error names its argument."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral, Real


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
