import numpy as np
import pytest

from scalekit._validate import (
    fraction,
    positive_array,
    positive_int,
    positive_int_list,
    positive_number,
)


def test_positive_int():
    assert positive_int("n", 3) == 3
    assert positive_int("n", 0, allow_zero=True) == 0
    with pytest.raises(ValueError, match="n must be >= 1"):
        positive_int("n", 0)
    with pytest.raises(TypeError, match="n must be an int"):
        positive_int("n", True)


def test_fraction():
    assert fraction("p", 0.5) == 0.5
    assert fraction("p", 1, inclusive_high=True) == 1.0
    with pytest.raises(ValueError, match=r"p must lie in \[0.0, 1.0\)"):
        fraction("p", 1.0)
    with pytest.raises(TypeError):
        fraction("p", "0.5")


def test_positive_int_list():
    assert positive_int_list("w", (1, 2)) == [1, 2]
    with pytest.raises(ValueError, match="must not be empty"):
        positive_int_list("w", [])
    with pytest.raises(ValueError, match=r"w\[1\]"):
        positive_int_list("w", [1, 0])
    with pytest.raises(TypeError):
        positive_int_list("w", "12")


def test_positive_number():
    assert positive_number("lr", 2e-3) == 2e-3
    assert positive_number("lr", np.float32(1.0)) == 1.0
    for bad in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lr must be a finite number > 0"):
            positive_number("lr", bad)
    for bad in ("1", True, None):
        with pytest.raises(TypeError, match="lr must be a number"):
            positive_number("lr", bad)


def test_positive_array():
    assert positive_array("x", [[1, 2], [3, 4]]).tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ValueError, match="x must be positive"):
        positive_array("x", [1.0, 0.0])
    with pytest.raises(ValueError, match="x must be finite"):
        positive_array("x", [1.0, np.inf])
    with pytest.raises(ValueError, match="x must not be empty"):
        positive_array("x", [])
    with pytest.raises(TypeError, match="x must be an array"):
        positive_array("x", "abc")
    with pytest.raises(TypeError, match="x must be an array"):
        positive_array("x", [object()])


def test_nonnegative():
    from scalekit._validate import nonnegative

    assert nonnegative("lr", 0) == 0.0
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        nonnegative("lr", 0.0, positive=True)
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
            nonnegative("lr", bad)
    with pytest.raises(TypeError, match="lr must be a number"):
        nonnegative("lr", "0.1")


def test_flag_and_function():
    from scalekit._validate import flag, function

    assert flag("on", False) is False
    with pytest.raises(TypeError, match="on must be a bool"):
        flag("on", 1)
    assert function("f", len) is len
    with pytest.raises(TypeError, match="f must be callable"):
        function("f", 3)
