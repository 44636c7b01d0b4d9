import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from scalekit import report

matplotlib.use("Agg")


@pytest.fixture
def glued(monkeypatch):
    store = {}
    monkeypatch.setattr(report, "_glue", lambda name, value, display=False: store.__setitem__(
        name, value))
    return store


def test_record_glues_plain_values_under_the_prefix(glued):
    table = report.record("demo", ratio=np.float32(0.5), count=np.int64(12345),
                          ok=np.bool_(True), label="x")
    assert glued == {"demo_ratio": 0.5, "demo_count": 12345, "demo_ok": True,
                     "demo_label": "x"}
    assert type(glued["demo_count"]) is int and type(glued["demo_ok"]) is bool
    assert list(table.index) == list(glued)
    assert table.loc["demo_count", "value"] == "12,345"


def test_record_converts_scalar_tensors(glued):
    tf = pytest.importorskip("tensorflow")
    report.record("demo", loss=tf.constant(1.5))
    assert glued["demo_loss"] == 1.5 and type(glued["demo_loss"]) is float


@pytest.mark.parametrize("prefix", ["", "Demo", "two_parts", "1x", 3])
def test_record_rejects_bad_prefixes(glued, prefix):
    with pytest.raises(ValueError, match="prefix"):
        report.record(prefix, a=1)


def test_record_rejects_arrays_and_empty_calls(glued):
    with pytest.raises(TypeError, match="demo_w"):
        report.record("demo", w=np.ones(3))
    with pytest.raises(ValueError, match="at least one"):
        report.record("demo")
    with pytest.raises(TypeError, match="demo_x"):
        report.record("demo", x=[1, 2])


@pytest.mark.parametrize("value, text", [
    (12345, "12,345"), (0.0123456, "0.01235"), (3.0, "3"), (2.5e-5, "2.500e-05"),
    (1234.5678, "1,235"), (123456.7, "123,457"), (True, "yes"), (float("nan"), "nan"),
    (-0.5, "-0.5"), (0.0, "0"),
])
def test_format_number(value, text):
    assert report.format_number(value) == text


def test_format_number_rejects_bad_digits():
    with pytest.raises(ValueError, match="digits"):
        report.format_number(1.0, digits=0)


def test_table_formats_and_carries_the_theme_class():
    df = pd.DataFrame({"n": [1000, 20], "loss": [0.123456, math.nan], "name": ["a", "b"]})
    html = report.table(df, digits={"loss": 2}, index=False, caption="c").to_html()
    assert 'class="dataframe"' in html and "1,000" in html and "0.12" in html
    assert "0.123" not in html
    with pytest.raises(ValueError, match="nope"):
        report.table(df, digits={"nope": 2})
    with pytest.raises(TypeError, match="DataFrame"):
        report.table([1, 2])


def test_figure_glues_and_closes(glued):
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    report.figure("demo_fig", fig)
    assert glued["demo_fig"] is fig and not plt.fignum_exists(fig.number)
    with pytest.raises(TypeError, match="Figure"):
        report.figure("demo_fig", object())
    with pytest.raises(ValueError, match="snake_case"):
        report.figure("Bad Name", fig)
