import pytest

from scalekit._validate import fraction, positive_int, positive_int_list


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
