import datetime as dt

import numpy as np
import pytest

from scalekit import env, seq2seq

tf = env.setup(seed=0)


def test_format_date_writes_every_format():
    day = dt.date(2021, 3, 2)   # a Tuesday
    out = {f: seq2seq.format_date(day, f) for f in seq2seq.FORMATS}
    assert out["{d} {month} {yyyy}"] == "2 march 2021"
    assert out["{dy} {dd}/{mm}/{yy}"] == "tue 02/03/21"
    assert out["{day}, {month} {d}, {yyyy}"] == "tuesday, march 2, 2021"
    assert out["{dd}-{mon}-{yyyy}"] == "02-mar-2021"
    assert out["{d}.{m}.{yy}"] == "2.3.21"
    assert all(set(s) <= set(seq2seq.SOURCE_CHARS) for s in out.values())


@pytest.mark.parametrize("args, err, match", [
    (("2021-03-02", "{d} {month} {yyyy}"), TypeError, "date"),
    ((dt.date(2021, 3, 2), "{yyyy}"), ValueError, "fmt"),
    ((dt.date(1900, 1, 1), "{d} {month} {yyyy}"), ValueError, "date")])
def test_format_date_bad_input(args, err, match):
    with pytest.raises(err, match=match):
        seq2seq.format_date(*args)


def test_make_dates_holds_out_whole_days_and_is_seeded():
    task = seq2seq.make_dates(3000, 500, seed=3)
    assert len(task.train_source) == 3000 and len(task.test_target) == 500
    assert not set(task.train_target) & set(task.test_target)
    for src, tgt, f in zip(task.train_source[:50], task.train_target[:50],
                           task.train_format[:50], strict=True):
        assert seq2seq.format_date(dt.date.fromisoformat(tgt), seq2seq.FORMATS[f]) == src
    again = seq2seq.make_dates(3000, 500, seed=3)
    assert again.test_source == task.test_source
    assert seq2seq.make_dates(3000, 500, seed=4).test_source != task.test_source
    assert len(set(task.train_format)) == len(seq2seq.FORMATS)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"n_train": 0, "n_test": 5}, ValueError, "n_train"),
    ({"n_train": 5, "n_test": 2.0}, TypeError, "n_test"),
    ({"n_train": 5, "n_test": 5, "test_fraction": 0.0}, ValueError, "test_fraction"),
    ({"n_train": 5, "n_test": 5, "test_fraction": 1.0}, ValueError, "test_fraction"),
    ({"n_train": 5, "n_test": 5, "seed": -1}, ValueError, "seed")])
def test_make_dates_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        seq2seq.make_dates(**kwargs)


def test_encoding_round_trip_and_left_padding():
    ids = seq2seq.encode_source(["3 march 2021", "1.1.50"], 14)
    assert ids.shape == (2, 14) and ids.dtype == np.int32
    assert (ids[1, :8] == 0).all() and (ids[1, 8:] > 0).all()
    assert (ids[0, :2] == 0).all() and ids[0, -1] == seq2seq.SOURCE_CHARS.index("1") + 1
    target = seq2seq.encode_target(["2021-03-03", "1950-01-01"])
    assert seq2seq.decode_target(target) == ["2021-03-03", "1950-01-01"]
    dec = seq2seq.teacher_inputs(target)
    assert (dec[:, 0] == 0).all() and (dec[:, 1:] == target[:, :-1]).all()


@pytest.mark.parametrize("call, err, match", [
    (lambda: seq2seq.encode_source("3 march"), TypeError, "texts"),
    (lambda: seq2seq.encode_source([]), ValueError, "texts"),
    (lambda: seq2seq.encode_source(["3 March"]), ValueError, "'M'"),
    (lambda: seq2seq.encode_source(["3 march 2021"], 4), ValueError, "length"),
    (lambda: seq2seq.encode_source([3]), TypeError, r"texts\[0\]"),
    (lambda: seq2seq.encode_target(["2021/03/03"]), ValueError, "texts"),
    (lambda: seq2seq.decode_target(np.array([1, 2])), ValueError, "ids"),
    (lambda: seq2seq.decode_target(np.array([[99]])), ValueError, "ids"),
    (lambda: seq2seq.teacher_inputs(np.array([1, 2])), ValueError, "target_ids"),
    (lambda: seq2seq.exact_match(["a"], ["a", "b"]), ValueError, "predicted"),
    (lambda: seq2seq.exact_match("ab", ["a"]), TypeError, "predicted"),
    (lambda: seq2seq.translator(0), ValueError, "source_len"),
    (lambda: seq2seq.translator(8, units=2.5), TypeError, "units"),
    (lambda: seq2seq.translator(8, attention=1), TypeError, "attention"),
    (lambda: seq2seq.greedy_decode(len, np.zeros((2, 3))), TypeError, "model"),
    (lambda: seq2seq.greedy_decode(None, np.zeros(3)), ValueError, "source_ids")])
def test_bad_input_names_the_problem(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_exact_match_counts_whole_strings():
    assert seq2seq.exact_match(["2021-03-03", "2021-03-04"],
                               ["2021-03-03", "2021-03-05"]) == 0.5


@pytest.mark.parametrize("attention", [True, False])
def test_translator_shapes_and_attention_weights(attention):
    model, weights = seq2seq.translator(12, 8, attention=attention, embed_dim=4)
    x = seq2seq.encode_source(["3 march 2021", "1.1.50"], 12)
    dec = seq2seq.teacher_inputs(seq2seq.encode_target(["2021-03-03", "1950-01-01"]))
    assert model([x, dec]).shape == (2, 10, len(seq2seq.TARGET_CHARS))
    if not attention:
        assert weights is None
        return
    w = weights.predict_on_batch([x, dec])
    assert w.shape == (2, 10, 12)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, atol=1e-5)
    assert np.all(w[1, :, :6] == 0)   # "1.1.50" is left-padded by six ids


def test_greedy_decode_feeds_back_its_own_choices():
    """A model that copies its previous decoder input plus one spells 0,1,2,..."""
    class Counter:
        def predict_on_batch(self, inputs):
            _, dec = inputs
            nxt = np.minimum(dec + 1, len(seq2seq.TARGET_CHARS) - 1)
            return np.eye(len(seq2seq.TARGET_CHARS))[nxt]

    out = seq2seq.greedy_decode(Counter(), np.zeros((3, 5), dtype=np.int32), steps=4)
    assert out.tolist() == [[1, 2, 3, 4]] * 3
