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


def test_timeline_draws_every_event():
    events = pd.DataFrame({"year": [2015, 1958], "event": ["b", "a"], "category": ["x", "y"]})
    ax = plots.timeline(events)
    assert len(ax.collections) == 2
    assert ax.texts[0].get_text().startswith("1958")
    assert len(ax.get_legend().get_texts()) == 2
