import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from scalekit import plots  # noqa: E402


def test_loglog_sets_log_axes():
    plots.set_theme()
    df = pd.DataFrame({"n": [1, 10, 100], "loss": [3.0, 2.0, 1.5], "run": ["a"] * 3})
    ax = plots.loglog(df, "n", "loss", hue="run", title="t")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_title() == "t"


@pytest.mark.parametrize("df, match", [
    (pd.DataFrame({"n": [1, 2], "loss": [0.0, 1.0]}), "positive"),
    (pd.DataFrame({"n": [1, 2]}), "no column")])
def test_loglog_bad_input(df, match):
    with pytest.raises(ValueError, match=match):
        plots.loglog(df, "n", "loss")
    with pytest.raises(TypeError, match="DataFrame"):
        plots.loglog([1, 2], "n", "loss")


def test_theme_sizes_figures_to_the_column_and_keeps_text_readable():
    import matplotlib.pyplot as plt

    plots.set_theme()
    keys = ("axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize")
    assert all(plots._points(plt.rcParams[k]) >= plots.MIN_FONT_PT for k in keys)
    fig, axes = plots.subplots(2, 2)
    assert fig.get_size_inches()[0] == plots.COLUMN_INCHES and axes.shape == (2, 2)
    assert plots.COLUMN_INCHES * plots.DPI <= 784  # the theme's content column in px
    plt.close(fig)


@pytest.mark.parametrize("kwargs, err", [({"ncols": 0}, ValueError), ({"nrows": 1.5}, ValueError),
                                         ({"figsize": (3, 3)}, TypeError)])
def test_subplots_bad_input(kwargs, err):
    with pytest.raises(err):
        plots.subplots(**kwargs)
