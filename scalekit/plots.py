"""The book's seaborn theme and the few plot kinds several chapters repeat."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

PALETTE = "colorblind"
#: Width of the book's content column in inches at ``DPI``: 6.8 in x 110 dpi = 748 px, just
#: under the theme's 784 px column, so figures are never shrunk and 9 pt text stays >= 13 px.
COLUMN_INCHES = 6.8
DPI = 110
MIN_FONT_PT = 9.0


def set_theme(context: str = "notebook") -> None:
    """Apply the book's look: whitegrid, colour-blind palette, column-wide HiDPI figures.

    Figures are ``COLUMN_INCHES`` wide by default and drawn as retina PNGs (twice the
    pixels, shown at the column's width); no text is smaller than ``MIN_FONT_PT``.
    """
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE, font_scale=0.85)
    base = max(MIN_FONT_PT, plt.rcParams["font.size"])
    plt.rcParams.update({
        "figure.dpi": DPI, "savefig.dpi": DPI,
        "figure.figsize": (COLUMN_INCHES, 4.2),
        "axes.titleweight": "bold",
        "font.size": base,
        **{k: max(MIN_FONT_PT, _points(plt.rcParams[k])) for k in _SIZED_TEXT},
    })
    try:  # inside IPython only: retina PNGs for HiDPI screens
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        if get_ipython() is not None:
            set_matplotlib_formats("retina")
    except ImportError:  # pragma: no cover - matplotlib-inline ships with ipykernel
        pass


_SIZED_TEXT = ("axes.labelsize", "axes.titlesize", "xtick.labelsize", "ytick.labelsize",
               "legend.fontsize", "legend.title_fontsize")


def _points(size: float | str) -> float:
    """A Matplotlib font size (points or a name such as ``"small"``) in points."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=size).get_size_in_points()


def subplots(ncols: int = 1, nrows: int = 1, *, height: float | None = None, **kwargs):
    """``plt.subplots`` sized to the content column: the figure is never wider than it.

    ``height`` defaults to 3.6 in per row (4.2 in for a single panel).
    """
    for name, n in (("ncols", ncols), ("nrows", nrows)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"{name} must be a positive int, got {n!r}")
    if height is None:
        height = 4.2 if nrows == ncols == 1 else 3.6 * nrows
    if "figsize" in kwargs:
        raise TypeError("subplots sizes the figure itself; pass height= instead of figsize=")
    return plt.subplots(nrows, ncols, figsize=(COLUMN_INCHES, height), layout="constrained",
                        **kwargs)


def _require_columns(data: pd.DataFrame, *columns: str | None) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"data has no column(s) {missing}; it has {list(data.columns)}")


def loglog(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    hue: str | None = None,
    ax: plt.Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
) -> plt.Axes:
    """Lines with markers on log–log axes: the shape of every scaling curve in the book."""
    _require_columns(data, x, y, hue)
    if (data[x] <= 0).any() or (data[y] <= 0).any():
        raise ValueError(f"log-log plot needs positive values in {x!r} and {y!r}")
    ax = ax or plt.subplots()[1]
    sns.lineplot(data=data, x=x, y=y, hue=hue, marker="o", ax=ax,
                 palette=PALETTE if hue else None)
    ax.set(xscale="log", yscale="log", title=title, xlabel=xlabel or x, ylabel=ylabel or y)
    return ax
