"""How a notebook reports what it measured: glued values, tables and figures.

Every chapter uses these three calls (see ``CONTRIBUTING.md``):

* :func:`record` glues headline numbers under ``<prefix>_<name>`` so the prose quotes them
  (``{glue:text}`prefix_name:.3f```) and the tests read them from the executed notebook;
* :func:`table` formats a DataFrame for reading (thousands separators, a few significant
  digits, integers as integers) in the book's table style;
* :func:`figure` glues a Matplotlib figure so a ``{glue:figure}`` directive shows it with a
  caption and alt text.

Glue names are an API shared by prose, tests and other pages: ``prefix`` is a short topic
code (``teaser``, ``tfm``, ``fsdp``) that belongs to exactly one notebook, and ``name`` is
snake_case. ``tests/test_glue_names.py`` checks both statically.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plain", "record", "table", "figure", "format_number", "TABLE_CLASS"]

_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Jupyter Book's theme styles output tables of this class (padding, borders, stripes).
TABLE_CLASS = "dataframe"


def plain(value: Any, *, name: str = "value") -> bool | int | float | str:
    """``value`` as a plain Python ``bool``, ``int``, ``float`` or ``str``.

    NumPy scalars, 0-d arrays and scalar TensorFlow tensors are converted; anything with
    more than one element raises ``TypeError`` naming ``name``.
    """
    if hasattr(value, "numpy") and callable(value.numpy):  # tf.Tensor / tf.Variable
        value = value.numpy()
    if isinstance(value, np.ndarray):
        if value.size != 1 or value.ndim != 0:
            raise TypeError(f"{name} must be a scalar, got an array of shape {value.shape}")
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a bool, number or str, got {type(value).__name__}")


def _glue(name: str, value: Any, display: bool = False) -> None:
    from myst_nb import glue

    glue(name, value, display=display)


def record(prefix: str, /, **values: Any) -> pd.DataFrame:
    """Glue each ``values[key]`` as ``f"{prefix}_{key}"``; return them as a table.

    Values are converted with :func:`plain`. The returned DataFrame (index ``name``,
    column ``value`` formatted for reading) is what a notebook shows under "What we
    measured"; the glued values keep full precision.
    """
    if not isinstance(prefix, str) or not _NAME.match(prefix) or "_" in prefix:
        raise ValueError(f"prefix must be a short lowercase code without '_', got {prefix!r}")
    if not values:
        raise ValueError("record needs at least one value")
    rows = {}
    for key, value in values.items():
        name = f"{prefix}_{key}"
        if not _NAME.match(name):
            raise ValueError(f"glue name {name!r} must be lowercase snake_case")
        value = plain(value, name=name)
        _glue(name, value)
        rows[name] = format_number(value)
    return pd.DataFrame({"value": pd.Series(rows, dtype=object)}).rename_axis("name")


def format_number(value: Any, digits: int = 4) -> str:
    """A number as a reader wants it: ``12,345``, ``0.01234``, ``1.235e+07``, ``yes``."""
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be a positive int, got {digits!r}")
    value = plain(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str):
        return value
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15 and digits >= len(str(int(abs(value)))):
        return f"{int(value):,}"
    magnitude = abs(value)
    if 10**digits <= magnitude < 1e15:
        return f"{value:,.0f}"
    if magnitude != 0 and (magnitude >= 1e15 or magnitude < 1e-3):
        return f"{value:.{digits - 1}e}"
    return f"{value:,.{digits}g}"


def table(
    data: pd.DataFrame,
    *,
    digits: int | Mapping[str, int] = 4,
    index: bool = True,
    caption: str | None = None,
):
    """``data`` as a styled table: numbers formatted with :func:`format_number`.

    ``digits`` is the number of significant digits, for all columns or per column. Returns
    a pandas ``Styler`` whose table has the theme's class, so it gets the book's padding
    and scrolls inside its own box when wide.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    per_column = digits if isinstance(digits, Mapping) else {}
    default = 4 if isinstance(digits, Mapping) else digits
    unknown = set(per_column) - set(data.columns)
    if unknown:
        raise ValueError(f"digits names unknown column(s) {sorted(unknown)}")

    def formatter(column: str):
        d = per_column.get(column, default)
        return lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else (
            format_number(v, d) if isinstance(v, (numbers.Number, np.generic)) else str(v))

    styler = data.style.format({c: formatter(c) for c in data.columns})
    if not index:
        styler = styler.hide(axis="index")
    styler = styler.set_table_attributes(f'class="{TABLE_CLASS}"')
    if caption:
        styler = styler.set_caption(caption)
    return styler


def figure(name: str, fig: Any) -> None:
    """Glue Matplotlib figure ``fig`` as ``name`` and close it.

    The page shows it where a ``{glue:figure}`` directive names it, with a caption and
    ``:alt:`` text; closing it keeps the inline backend from drawing it a second time.
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"figure name must be lowercase snake_case, got {name!r}")
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    _glue(name, fig, display=False)
    plt.close(fig)
