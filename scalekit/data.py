"""Offline data sets: nothing here downloads anything. Used by chapters 1-6.

* :func:`house_prices`: the source text's synthetic data, x ~ U(0, 100), y = 2x + 3 + N(0, σ²).
* :func:`load`: scikit-learn's bundled sets (digits, breast cancer, wine, iris) as a
  seeded, stratified train/test :class:`Split`, scaled for neural networks.
* :func:`to_dataset`: NumPy arrays to a batched, prefetched ``tf.data`` pipeline
  (``ch06/nlp`` feeds its pre-training with it).
* :func:`stdlib_text` and :func:`encode_text`: the Python standard library's own source
  files, a text corpus present on every machine that runs Python.
* :func:`prose_mask` and :func:`snippet_task`: a labelled text task built from Python
  source files (which file a snippet comes from; whether it is mostly prose or code),
  used by chapter 6 (``ch06/nlp``).
"""

from __future__ import annotations

import hashlib
import io
import sysconfig
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from scalekit._validate import fraction, positive_int

DATASETS = ("digits", "breast_cancer", "wine", "iris")


def house_prices(
    n: int = 100,
    *,
    seed: int = 0,
    noise_std: float = 10.0,
    slope: float = 2.0,
    intercept: float = 3.0,
    x_range: tuple[float, float] = (0.0, 100.0),
) -> tuple[np.ndarray, np.ndarray]:
    """The source's synthetic house prices: ``x ~ U(x_range)``, ``y = slope·x + intercept + ε``.

    Returns ``(x, y)``, each of shape ``(n, 1)`` and dtype float64; ``ε ~ N(0, noise_std²)``.
    """
    n = positive_int("n", n)
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
    lo, hi = x_range
    if not hi > lo:
        raise ValueError(f"x_range must be (low, high) with high > low, got {x_range}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, size=(n, 1))
    y = slope * x + intercept + rng.normal(0.0, noise_std, size=(n, 1))
    return x, y


@dataclass
class Split:
    """A train/test split of a bundled data set, with its metadata."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str
    class_names: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)

    @property
    def num_classes(self) -> int:
        """Number of classes (labels are the integers ``0 .. num_classes-1``)."""
        return len(self.class_names)

    @property
    def num_features(self) -> int:
        """Number of input features per example (flattened)."""
        return int(np.prod(self.x_train.shape[1:]))


def _bunch(name: str) -> Any:
    from sklearn import datasets

    loaders = {
        "digits": datasets.load_digits,
        "breast_cancer": datasets.load_breast_cancer,
        "wine": datasets.load_wine,
        "iris": datasets.load_iris,
    }
    if name not in loaders:
        raise ValueError(f"unknown data set name {name!r}; choose one of {DATASETS}")
    return loaders[name]()


def load(
    name: str,
    *,
    test_size: float = 0.25,
    seed: int = 0,
    scale: bool = True,
    images: bool = False,
    train_size: int | None = None,
) -> Split:
    """Load a scikit-learn bundled data set as a stratified, seeded train/test split.

    Args:
        name: one of ``"digits"``, ``"breast_cancer"``, ``"wine"``, ``"iris"``.
        test_size: fraction of examples held out for testing, in (0, 1).
        seed: seed of the split (and of the ``train_size`` subsample).
        scale: digits are divided by 16 (pixel range 0..16 → 0..1); the other sets are
            standardized with the *training* mean and standard deviation.
        images: digits only: return ``(n, 8, 8, 1)`` images instead of 64-vectors.
        train_size: keep only this many training examples (stratified), for data sweeps.

    Labels are ``int64`` class indices; features are ``float32``.
    """
    from sklearn.model_selection import train_test_split

    bunch = _bunch(name)
    test_size = fraction("test_size", test_size)
    if test_size == 0.0:
        raise ValueError("test_size must be > 0")
    if images and name != "digits":
        raise ValueError(f"images=True is only available for 'digits', not {name!r}")
    x = np.asarray(bunch.data, dtype=np.float32)
    y = np.asarray(bunch.target, dtype=np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=test_size, random_state=seed, stratify=y
    )
    if train_size is not None:
        train_size = positive_int("train_size", train_size)
        if train_size > len(x_tr):
            raise ValueError(
                f"train_size={train_size} exceeds the {len(x_tr)} training examples of {name!r}"
            )
        if train_size < len(x_tr):
            x_tr, _, y_tr, _ = train_test_split(
                x_tr, y_tr, train_size=train_size, random_state=seed, stratify=y_tr
            )
    if scale:
        if name == "digits":
            x_tr, x_te = x_tr / 16.0, x_te / 16.0
        else:
            mean, std = x_tr.mean(axis=0), x_tr.std(axis=0)
            std[std == 0] = 1.0
            x_tr, x_te = (x_tr - mean) / std, (x_te - mean) / std
    if images:
        x_tr, x_te = x_tr.reshape(-1, 8, 8, 1), x_te.reshape(-1, 8, 8, 1)
    class_names = [str(c) for c in getattr(bunch, "target_names", np.unique(y))]
    feature_names = [str(f) for f in getattr(bunch, "feature_names", [])]
    return Split(
        x_train=x_tr.astype(np.float32),
        y_train=y_tr,
        x_test=x_te.astype(np.float32),
        y_test=y_te,
        name=name,
        class_names=class_names,
        feature_names=feature_names,
    )


def to_dataset(
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
    drop_remainder: bool = False,
    repeat: bool = False,
):
    """NumPy arrays to a ``tf.data.Dataset``: (shuffle) → batch → (repeat) → prefetch.

    Shuffling is seeded and reshuffles each epoch, so a given seed gives the same order.
    """
    import tensorflow as tf

    batch_size = positive_int("batch_size", batch_size)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    if repeat:
        ds = ds.repeat()
    return ds.prefetch(tf.data.AUTOTUNE)


# ---------------------------------------------------------------------------------------
# The standard-library text corpus
# ---------------------------------------------------------------------------------------

#: The corpus alphabet: newline, then printable ASCII 32..126. Index 0 stands for any other
#: character (tabs, non-ASCII), so ``len(VOCAB) == 97``.
VOCAB: str = "\x00\n" + "".join(chr(c) for c in range(32, 127))
_CHAR_TO_ID = {c: i for i, c in enumerate(VOCAB)}
_EXCLUDED_DIRS = {"test", "tests", "idlelib", "site-packages", "dist-packages", "__pycache__",
                  "turtledemo", "lib2to3", "ensurepip", "venv"}


def stdlib_files(split: str = "train", *, heldout_every: int = 10) -> list[Path]:
    """Sorted ``.py`` files of the standard library, split train/held-out by path hash.

    A file is held out when ``md5(relative path) mod heldout_every == 0``, so the split
    does not depend on the order files are listed in. Test suites, IDLE, demos and
    installed third-party packages are excluded.
    """
    if split not in ("train", "heldout", "all"):
        raise ValueError(f"split must be 'train', 'heldout' or 'all', got {split!r}")
    heldout_every = positive_int("heldout_every", heldout_every)
    root = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if _EXCLUDED_DIRS.intersection(rel.parts[:-1]) or rel.name.startswith("test_"):
            continue
        digest = int(hashlib.md5(rel.as_posix().encode()).hexdigest(), 16)
        is_heldout = digest % heldout_every == 0
        if split == "all" or (split == "heldout") == is_heldout:
            files.append(path)
    return files


def stdlib_text(max_chars: int | None = None, *, split: str = "train") -> str:
    """Concatenated standard-library source text (files in sorted order), ``max_chars`` long.

    The text differs a little between Python versions, so results computed on it do too.
    """
    if max_chars is not None:
        max_chars = positive_int("max_chars", max_chars)
    parts: list[str] = []
    total = 0
    for path in stdlib_files(split):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        parts.append(text)
        total += len(text)
        if max_chars is not None and total >= max_chars:
            break
    joined = "\n".join(parts)
    return joined if max_chars is None else joined[:max_chars]


def encode_text(text: str) -> np.ndarray:
    """Map text to ``int32`` ids in :data:`VOCAB` (unknown characters → 0)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return np.fromiter((_CHAR_TO_ID.get(c, 0) for c in text), dtype=np.int32, count=len(text))


def decode_text(ids: np.ndarray) -> str:
    """Inverse of :func:`encode_text` (id 0 decodes to ``'\\x00'``)."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= len(VOCAB)):
        raise ValueError(f"ids must lie in [0, {len(VOCAB)}), got range [{ids.min()}, {ids.max()}]")
    return "".join(VOCAB[i] for i in ids.ravel())


def prose_mask(source: str) -> np.ndarray:
    """Boolean per character of ``source``: True inside comments and string literals.

    Docstrings are string literals, so they count as prose. Uses :mod:`tokenize`; a
    source that does not tokenize raises ``ValueError``.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    line_starts = np.r_[0, np.cumsum([len(line) for line in source.splitlines(keepends=True)])]
    mask = np.zeros(len(source), dtype=bool)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as err:
        raise ValueError(f"source does not tokenize as Python: {err}") from err
    for tok in tokens:
        if tok.type in (tokenize.COMMENT, tokenize.STRING):
            start = line_starts[tok.start[0] - 1] + tok.start[1]
            end = line_starts[tok.end[0] - 1] + tok.end[1]
            mask[start:end] = True
    return mask


@dataclass
class SnippetTask:
    """Fixed-length snippets of several sources with two labels each.

    ``y_*`` is the index of the source a snippet comes from; ``prose_*`` is 1 when more
    than half of the snippet's characters lie in comments or string literals.
    Train snippets come from the first part of each source, test snippets from the rest,
    so no test text overlaps any training text.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    prose_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    prose_test: np.ndarray
    names: list[str]


def snippet_task(sources: Sequence[str], *, length: int = 128, test_fraction: float = 0.3,
                 names: Sequence[str] | None = None) -> SnippetTask:
    """Cut each source into non-overlapping ``length``-character snippets, encoded as ids.

    The first ``1 - test_fraction`` of each source gives training snippets, the rest test
    snippets. Each class keeps as many snippets as the smallest source has (evenly
    spaced), so the classes are balanced. Characters are encoded with
    :func:`scalekit.data.encode_text`.
    """
    if isinstance(sources, str) or not isinstance(sources, Sequence):
        raise TypeError(f"sources must be a sequence of str, got {type(sources).__name__}")
    if len(sources) < 2:
        raise ValueError(f"sources must hold at least 2 texts, got {len(sources)}")
    length = positive_int("length", length)
    test_fraction = fraction("test_fraction", test_fraction)
    if test_fraction == 0.0:
        raise ValueError("test_fraction must be > 0")
    names = [f"source {i}" for i in range(len(sources))] if names is None else list(names)
    if len(names) != len(sources):
        raise ValueError(f"names must have {len(sources)} entries, got {len(names)}")
    for i, text in enumerate(sources):
        if not isinstance(text, str):
            raise TypeError(f"sources[{i}] must be a str, got {type(text).__name__}")
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"train": [], "test": []}
    for i, text in enumerate(sources):
        ids, prose = encode_text(text), prose_mask(text)
        cut = int(len(text) * (1 - test_fraction))
        for split, (lo, hi) in (("train", (0, cut)), ("test", (cut, len(text)))):
            n = (hi - lo) // length
            if n == 0:
                raise ValueError(f"sources[{i}] is too short for a {split} snippet of "
                                 f"length {length}")
            starts = lo + length * np.arange(n)
            x = np.stack([ids[s:s + length] for s in starts])
            p = np.array([prose[s:s + length].mean() > 0.5 for s in starts], dtype=np.int64)
            parts[split].append((x, p))
    out = {}
    for split, chunks in parts.items():
        keep = min(len(x) for x, _ in chunks)
        xs, ys, ps = [], [], []
        for label, (x, p) in enumerate(chunks):
            idx = np.unique(np.linspace(0, len(x) - 1, keep).round().astype(int))
            xs.append(x[idx])
            ps.append(p[idx])
            ys.append(np.full(len(idx), label, dtype=np.int64))
        out[split] = (np.concatenate(xs).astype(np.int32), np.concatenate(ys),
                      np.concatenate(ps))
    return SnippetTask(*out["train"], *out["test"], names=names)
