import numpy as np
import pytest

from scalekit import data


def test_house_prices_matches_the_generating_line():
    x, y = data.house_prices(20_000, seed=1, noise_std=10.0)
    assert x.shape == y.shape == (20_000, 1)
    assert 0 <= x.min() and x.max() <= 100
    slope, intercept = np.polyfit(x[:, 0], y[:, 0], 1)
    assert abs(slope - 2) < 0.02 and abs(intercept - 3) < 1.0
    resid = y[:, 0] - (2 * x[:, 0] + 3)
    assert abs(resid.std() - 10) < 0.2


def test_house_prices_is_seeded():
    a, b = data.house_prices(5, seed=4), data.house_prices(5, seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], data.house_prices(5, seed=5)[0])


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "n must be"), ({"n": 10, "noise_std": -1.0}, "noise_std"),
    ({"n": 10, "x_range": (5.0, 5.0)}, "x_range")])
def test_house_prices_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.house_prices(**kwargs)


@pytest.mark.parametrize("name, n_features, n_classes", [
    ("digits", 64, 10), ("breast_cancer", 30, 2), ("wine", 13, 3), ("iris", 4, 3)])
def test_load_bundled_sets(name, n_features, n_classes):
    s = data.load(name, seed=0)
    assert s.num_features == n_features and s.num_classes == n_classes
    assert s.x_train.dtype == np.float32 and s.y_train.dtype == np.int64
    n = len(s.x_train) + len(s.x_test)
    assert abs(len(s.x_test) / n - 0.25) < 0.01
    assert set(np.unique(s.y_test)) == set(range(n_classes))  # stratified


def test_load_scales_with_training_statistics_only():
    s = data.load("breast_cancer", seed=0)
    np.testing.assert_allclose(s.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(s.x_train.std(axis=0), 1, atol=1e-4)
    assert not np.allclose(s.x_test.mean(axis=0), 0, atol=1e-3)
    d = data.load("digits")
    assert d.x_train.min() >= 0 and d.x_train.max() <= 1


def test_load_images_and_train_size():
    s = data.load("digits", images=True, train_size=300, seed=2)
    assert s.x_train.shape == (300, 8, 8, 1) and s.x_test.shape[1:] == (8, 8, 1)
    assert len(np.unique(s.y_train)) == 10


@pytest.mark.parametrize("kwargs, match", [
    ({"name": "mnist"}, "unknown data set name"),
    ({"name": "digits", "test_size": 0.0}, "test_size"),
    ({"name": "digits", "test_size": 1.5}, "test_size"),
    ({"name": "iris", "images": True}, "images"),
    ({"name": "digits", "train_size": 100_000}, "train_size"),
    ({"name": "digits", "train_size": 0}, "train_size")])
def test_load_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.load(**kwargs)


def test_to_dataset_batches_and_seeds():
    x = np.arange(10, dtype=np.float32)[:, None]
    y = np.arange(10)
    ds = data.to_dataset(x, y, batch_size=4)
    assert [len(b[0]) for b in ds] == [4, 4, 2]
    assert [len(b[0]) for b in data.to_dataset(x, y, batch_size=4, drop_remainder=True)] == [4, 4]
    order = lambda: np.concatenate([b[1].numpy() for b in data.to_dataset(  # noqa: E731
        x, y, batch_size=3, shuffle=True, seed=9)])
    assert np.array_equal(order(), order()) and sorted(order()) == list(range(10))


def test_to_dataset_bad_input():
    with pytest.raises(ValueError, match="same length"):
        data.to_dataset(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="batch_size"):
        data.to_dataset(np.zeros((3, 1)), np.zeros(3), batch_size=0)


def test_stdlib_split_is_disjoint_and_deterministic():
    train, held = data.stdlib_files("train"), data.stdlib_files("heldout")
    assert train and held and not set(train) & set(held)
    assert set(train) | set(held) == set(data.stdlib_files("all"))
    assert all("test" not in p.parts[-2:-1] for p in train)
    assert data.stdlib_files("train") == train
    with pytest.raises(ValueError, match="split"):
        data.stdlib_files("validation")


def test_stdlib_text_and_encoding_round_trip():
    text = data.stdlib_text(5_000)
    assert len(text) == 5_000
    ids = data.encode_text(text)
    assert ids.dtype == np.int32 and ids.max() < len(data.VOCAB) == 97
    clean = "".join(c if c in data.VOCAB[1:] else "\x00" for c in text)
    assert data.decode_text(ids) == clean
    assert data.encode_text("é\t")[0] == 0
    with pytest.raises(TypeError):
        data.encode_text(b"bytes")
    with pytest.raises(ValueError, match="ids must lie"):
        data.decode_text(np.array([500]))
    with pytest.raises(ValueError, match="max_chars"):
        data.stdlib_text(0)


# ---------------------------------------------------------------- prose_mask / snippet_task


def test_prose_mask_marks_comments_and_strings():
    src = 'x = 1  # one\ns = "ab"\n'
    mask = data.prose_mask(src)
    assert mask.shape == (len(src),)
    marked = "".join(c for c, m in zip(src, mask, strict=True) if m)
    assert marked == '# one"ab"'


def test_prose_mask_bad_input():
    with pytest.raises(TypeError, match="source"):
        data.prose_mask(b"x = 1")
    with pytest.raises(ValueError, match="tokenize"):
        data.prose_mask('s = """never closed\n')


def _source(n_lines: int, word: str) -> str:
    return "".join(f"{word}_{i} = {i}  # note {i}\n" if i % 3 else f'"""{word} doc {i}"""\n'
                   for i in range(n_lines))


def test_snippet_task_is_balanced_and_disjoint():
    sources = [_source(200, "alpha"), _source(120, "beta"), _source(300, "gamma")]
    task = data.snippet_task(sources, length=32, test_fraction=0.25, names=["a", "b", "c"])
    assert task.x_train.shape[1] == 32 and task.x_train.dtype == np.int32
    assert np.bincount(task.y_train).tolist() == [np.bincount(task.y_train)[0]] * 3
    assert np.bincount(task.y_test).min() == np.bincount(task.y_test).max()
    assert set(np.unique(task.prose_train)) <= {0, 1}
    assert len(task.prose_test) == len(task.y_test)
    train_text = {data.decode_text(r) for r in task.x_train}
    assert not train_text & {data.decode_text(r) for r in task.x_test}
    assert task.names == ["a", "b", "c"]


def test_snippet_task_on_stdlib_files():
    texts = [p.read_text(encoding="utf-8") for p in data.stdlib_files("heldout")[:40]
             if p.stat().st_size > 8000][:2]
    task = data.snippet_task(texts, length=64)
    assert task.x_train.shape[0] > task.x_test.shape[0] > 0
    assert 0 < task.prose_train.mean() < 1


@pytest.mark.parametrize("args, kwargs, exc, word", [
    (("abc",), {}, TypeError, "sources"),
    ((["x = 1\n"],), {}, ValueError, "sources"),
    ((["x = 1\n" * 50, 3],), {}, TypeError, r"sources\[1\]"),
    ((["x = 1\n" * 50] * 2,), {"length": 0}, ValueError, "length"),
    ((["x = 1\n" * 50] * 2,), {"test_fraction": 0.0}, ValueError, "test_fraction"),
    ((["x = 1\n" * 50] * 2,), {"names": ["one"]}, ValueError, "names"),
    ((["x = 1\n", "y = 2\n"],), {"length": 64}, ValueError, "too short"),
])
def test_snippet_task_bad_input(args, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        data.snippet_task(*args, **kwargs)
