"""A generated translation task and a small sequence-to-sequence model with attention.

* :func:`make_dates`: human-readable dates ("3 march 2021", "tue 03/03/21", ...) paired
  with their ISO form ("2021-03-03"), generated with a seed; the *dates* (not just the
  strings) of the held-out part never occur in the training part;
* :data:`SOURCE_CHARS`, :data:`TARGET_CHARS`, :func:`encode_source`,
  :func:`encode_target`, :func:`decode_target`: the two character vocabularies;
* :func:`translator`: an encoder-decoder of GRUs, with Luong's dot-product attention or
  without it, plus a second model that returns the attention weights;
* :func:`greedy_decode` and :func:`exact_match`.

Used by Chapter 6 (``notebooks/ch06/translation.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scalekit._validate import boolean, fraction, positive_int

__all__ = ["FORMATS", "SOURCE_CHARS", "TARGET_CHARS", "START", "DateTask", "make_dates",
           "format_date", "encode_source", "encode_target", "decode_target",
           "translator", "greedy_decode", "exact_match"]

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: The source formats; numeric ones put the day first; two-digit years 50-99 mean 19yy.
FORMATS = ("{d} {month} {yyyy}", "{dd} {mon} {yyyy}", "{month} {d}, {yyyy}",
           "{day} {d} {month} {yyyy}", "{dy} {dd}/{mm}/{yy}", "{dd}/{mm}/{yyyy}",
           "{d}.{m}.{yy}", "{day}, {month} {d}, {yyyy}", "{dd}-{mon}-{yyyy}",
           "{yyyy} {mon} {d}")
#: Source alphabet; id 0 is padding (masked), so ids start at 1.
SOURCE_CHARS = " ,-./0123456789abcdefghijklmnopqrstuvwxyz"
#: Target alphabet; id 0 (``START``) starts every decoder input.
START = "^"
TARGET_CHARS = START + "0123456789-"
TARGET_LEN = 10
FIRST, LAST = dt.date(1950, 1, 1), dt.date(2049, 12, 31)


def format_date(date: dt.date, fmt: str) -> str:
    """``date`` written in ``fmt`` (one of :data:`FORMATS`)."""
    if not isinstance(date, dt.date):
        raise TypeError(f"date must be a datetime.date, got {type(date).__name__}")
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of FORMATS, got {fmt!r}")
    if not FIRST <= date <= LAST:
        raise ValueError(f"date must lie in {FIRST}..{LAST}, got {date}")
    month, day = MONTHS[date.month - 1], DAYS[date.weekday()]
    return fmt.format(d=date.day, dd=f"{date.day:02d}", m=date.month,
                      mm=f"{date.month:02d}", month=month, mon=month[:3],
                      yyyy=date.year, yy=f"{date.year % 100:02d}", day=day, dy=day[:3])


@dataclass
class DateTask:
    """Source strings, ISO targets and the index of each source's format, per split."""

    train_source: list[str]
    train_target: list[str]
    train_format: np.ndarray
    test_source: list[str]
    test_target: list[str]
    test_format: np.ndarray


def make_dates(n_train: int, n_test: int, *, seed: int = 0,
               test_fraction: float = 0.2) -> DateTask:
    """``n_train`` and ``n_test`` (source, ISO) pairs in random formats, drawn with ``seed``.

    The 36,524 days of 1950-2049 are shuffled and a ``test_fraction`` of them is held
    out: no held-out day appears in the training pairs in any format.
    """
    n_train = positive_int("n_train", n_train)
    n_test = positive_int("n_test", n_test)
    seed = positive_int("seed", seed, allow_zero=True)
    test_fraction = fraction("test_fraction", test_fraction)
    if test_fraction == 0:
        raise ValueError("test_fraction must be > 0")
    rng = np.random.default_rng(seed)
    days = rng.permutation((LAST - FIRST).days + 1)
    n_held = int(round(test_fraction * len(days)))
    parts = {"test": days[:n_held], "train": days[n_held:]}
    out = {}
    for split, n in (("train", n_train), ("test", n_test)):
        picks = rng.choice(parts[split], size=n, replace=n > len(parts[split]))
        fmts = rng.integers(0, len(FORMATS), size=n)
        dates = [FIRST + dt.timedelta(days=int(k)) for k in picks]
        out[split] = ([format_date(d, FORMATS[f]) for d, f in zip(dates, fmts, strict=True)],
                      [d.isoformat() for d in dates], fmts)
    return DateTask(*out["train"], *out["test"])


def _strings(name: str, texts: object) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"{name} must be a list of str, got {type(texts).__name__}")
    if not texts:
        raise ValueError(f"{name} must not be empty")
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(t).__name__}")
    return list(texts)


def encode_source(texts: Sequence[str], length: int | None = None) -> np.ndarray:
    """Source strings as ids (1 + index in :data:`SOURCE_CHARS`), left-padded with 0.

    Padding goes on the left so that the encoder's last step reads the last character.
    """
    texts = _strings("texts", texts)
    longest = max(len(t) for t in texts)
    length = longest if length is None else positive_int("length", length)
    if longest > length:
        raise ValueError(f"length={length} is shorter than the longest text ({longest})")
    out = np.zeros((len(texts), length), dtype=np.int32)
    for i, t in enumerate(texts):
        for j, ch in enumerate(t, start=length - len(t)):
            k = SOURCE_CHARS.find(ch)
            if k < 0:
                raise ValueError(f"texts[{i}] has character {ch!r} outside SOURCE_CHARS")
            out[i, j] = k + 1
    return out


def encode_target(texts: Sequence[str]) -> np.ndarray:
    """ISO strings as ids in :data:`TARGET_CHARS`, shape ``(n, 10)``."""
    texts = _strings("texts", texts)
    out = np.zeros((len(texts), TARGET_LEN), dtype=np.int32)
    for i, t in enumerate(texts):
        if len(t) != TARGET_LEN or any(ch not in TARGET_CHARS[1:] for ch in t):
            raise ValueError(f"texts[{i}] = {t!r} is not a date like 2021-03-03")
        out[i] = [TARGET_CHARS.index(ch) for ch in t]
    return out


def decode_target(ids: np.ndarray) -> list[str]:
    """The strings that rows of target ids spell (``START`` shows as ``^``)."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 2-D integer array, got shape {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= len(TARGET_CHARS)):
        raise ValueError(f"ids must lie in [0, {len(TARGET_CHARS)})")
    return ["".join(TARGET_CHARS[k] for k in row) for row in ids]


def teacher_inputs(target_ids: np.ndarray) -> np.ndarray:
    """Decoder inputs for teacher forcing: ``START`` then the target shifted right."""
    target_ids = np.asarray(target_ids)
    if target_ids.ndim != 2:
        raise ValueError(f"target_ids must be 2-D, got shape {target_ids.shape}")
    start = np.zeros((len(target_ids), 1), dtype=np.int32)
    return np.concatenate([start, target_ids[:, :-1]], axis=1).astype(np.int32)


def translator(source_len: int, units: int = 32, *, attention: bool = True,
               embed_dim: int = 16, steps: int = TARGET_LEN):
    """An encoder-decoder of GRUs; returns ``(model, attention_model)``.

    ``model([source_ids, decoder_ids])`` gives logits ``(batch, steps, len(TARGET_CHARS))``
    for sources of ``source_len`` ids (left-padded) and ``steps`` decoder inputs. The
    encoder GRU's final state starts the decoder GRU. With ``attention``, each decoder
    output queries all encoder outputs with Luong's dot-product attention (padding
    masked) and the context joins the decoder output before the classifier;
    ``attention_model`` returns the weights ``(batch, steps, source_len)``. Without it,
    the whole source must pass through the final state (Cho et al.; Sutskever et al.)
    and ``attention_model`` is ``None``.
    """
    source_len = positive_int("source_len", source_len)
    steps = positive_int("steps", steps)
    units = positive_int("units", units)
    embed_dim = positive_int("embed_dim", embed_dim)
    attention = boolean("attention", attention)
    import tensorflow as tf

    layers = tf.keras.layers
    source = tf.keras.Input(shape=(source_len,), dtype="int32", name="source")
    decoder_in = tf.keras.Input(shape=(steps,), dtype="int32", name="decoder_in")
    h = layers.Embedding(len(SOURCE_CHARS) + 1, embed_dim, name="source_embedding")(source)
    # reset_after=False: the plain GRU kernel only, which compiles faster on a CPU
    enc_seq, state = layers.GRU(units, return_sequences=True, return_state=True,
                                reset_after=False, name="encoder")(h)
    g = layers.Embedding(len(TARGET_CHARS), embed_dim, name="target_embedding")(decoder_in)
    dec_seq = layers.GRU(units, return_sequences=True, reset_after=False,
                         name="decoder")(g, initial_state=state)
    weights = None
    if attention:
        not_padding = layers.Lambda(lambda ids: tf.not_equal(ids, 0), name="mask")(source)
        context, weights = layers.Attention(name="attention")(
            [dec_seq, enc_seq], mask=[None, not_padding], return_attention_scores=True)
        dec_seq = layers.Concatenate()([dec_seq, context])
    hidden = layers.Dense(units, activation="tanh")(dec_seq)
    logits = layers.Dense(len(TARGET_CHARS), name="logits")(hidden)
    name = "with_attention" if attention else "no_attention"
    model = tf.keras.Model([source, decoder_in], logits, name=name)
    att = (tf.keras.Model([source, decoder_in], weights, name=f"{name}_weights")
           if attention else None)
    return model, att


def greedy_decode(model, source_ids: np.ndarray, steps: int = TARGET_LEN) -> np.ndarray:
    """Target ids chosen one step at a time, each the arg-max given the ones before.

    Step ``t`` runs ``model`` on the decoder input ``START, y_0, ..., y_{t-1}``, padded
    with ``START`` to ``steps`` (the padding does not matter: the decoder GRU only looks
    back), and keeps the arg-max at position ``t``. No target is ever fed in.
    """
    steps = positive_int("steps", steps)
    source_ids = np.asarray(source_ids)
    if source_ids.ndim != 2:
        raise ValueError(f"source_ids must be 2-D, got shape {source_ids.shape}")
    if not callable(getattr(model, "predict_on_batch", None)):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    dec = np.zeros((len(source_ids), steps), dtype=np.int32)
    out = np.zeros_like(dec)
    for t in range(steps):
        logits = np.asarray(model.predict_on_batch([source_ids, dec]))
        out[:, t] = logits[:, t].argmax(axis=-1)
        if t + 1 < steps:
            dec[:, t + 1] = out[:, t]
    return out


def exact_match(predicted: Sequence[str], reference: Sequence[str]) -> float:
    """Share of predictions equal, character for character, to their reference."""
    predicted = _strings("predicted", predicted)
    reference = _strings("reference", reference)
    if len(predicted) != len(reference):
        raise ValueError(f"predicted has {len(predicted)} items, reference "
                         f"{len(reference)}")
    return float(np.mean([p == r for p, r in zip(predicted, reference, strict=True)]))
