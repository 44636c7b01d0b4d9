"""The book's seaborn theme and the few plot kinds several chapters repeat."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

PALETTE = "colorblind"


def set_theme(context: str = "notebook") -> None:
    """Apply the book's look: seaborn's whitegrid style, colour-blind palette, crisp figures."""
    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 110, "figure.figsize": (6.4, 4.0),
                         "axes.titleweight": "bold"})


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


def timeline(
    events: pd.DataFrame,
    *,
    year: str = "year",
    label: str = "event",
    category: str = "category",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Events on a horizontal time axis, one colour per category, labels staggered."""
    _require_columns(events, year, label, category)
    events = events.sort_values(year).reset_index(drop=True)
    cats = list(dict.fromkeys(events[category]))
    colors = dict(zip(cats, sns.color_palette(PALETTE, len(cats)), strict=False))
    ax = ax or plt.subplots(figsize=(11, 0.38 * len(events) + 1.0))[1]
    for i, row in events.iterrows():
        ax.scatter(row[year], i, color=colors[row[category]], s=40, zorder=3)
        ax.annotate(f"{row[year]}  {row[label]}", (row[year], i), xytext=(6, 0),
                    textcoords="offset points", va="center", fontsize=8.5)
    ax.set_yticks([])
    ax.invert_yaxis()
    lo, hi = events[year].min(), events[year].max()
    ax.set_xlim(lo - 2, hi + 0.35 * (hi - lo))
    handles = [plt.Line2D([], [], marker="o", ls="", color=colors[c], label=c) for c in cats]
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True)
    ax.set_xlabel("year")
    sns.despine(ax=ax, left=True)
    return ax
