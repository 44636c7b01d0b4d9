"""scalekit.tflite: conversion, interpreter runs, latency and the stored-weight count."""

import numpy as np
import pytest

from scalekit import compare, env, tflite

tf = env.setup(seed=0)



@pytest.fixture(scope="module")
def tflite_models(tiny_model):
    model, x, _ = tiny_model
    return {mode: tflite.convert(model, mode, representative_data=x[:50])
            for mode in tflite.MODES}


def test_tflite_modes_sizes_and_accuracy(tiny_model, tflite_models):
    model, x, y = tiny_model
    keras_pred = np.argmax(model.predict(x, verbose=0), axis=1)
    for mode, tfl in tflite_models.items():
        assert tfl[4:8] == b"TFL3", mode
        agreement = np.mean(np.argmax(tflite.predict(tfl, x), axis=1) == keras_pred)
        assert agreement >= 0.9, (mode, agreement)
        assert tflite.accuracy(tfl, x, y) == pytest.approx(
            np.mean(np.argmax(tflite.predict(tfl, x), axis=1) == y))
    logits = tflite.predict(tflite_models["float32"], x)
    assert compare.max_abs_diff(logits, model.predict(x, verbose=0)) < 1e-4
    interp = tflite.interpreter(tflite_models["int8"])
    assert interp.get_input_details()[0]["dtype"] == np.int8


def test_to_tflite_bad_input(tiny_model):
    model, _, _ = tiny_model
    with pytest.raises(ValueError, match="mode"):
        tflite.convert(model, "int4")
    with pytest.raises(ValueError, match="representative_data"):
        tflite.convert(model, "int8")
    with pytest.raises(TypeError, match="model"):
        tflite.convert("model.h5")


def test_tflite_latency_is_a_positive_median(tflite_models, tiny_model):
    _, x, _ = tiny_model
    for example in (x[0], x[:1]):
        t = tflite.latency(tflite_models["int8"], example, runs=20, warmup=2)
        assert 0 < t < 0.1
    with pytest.raises(ValueError, match="example"):
        tflite.latency(tflite_models["float32"], x[:2], runs=5)
    with pytest.raises(ValueError, match="runs"):
        tflite.latency(tflite_models["float32"], x[0], runs=0)
    with pytest.raises(ValueError, match="threads"):
        tflite.latency(tflite_models["float32"], x[0], runs=5, threads=0)


@pytest.mark.parametrize("bad", [b"", b"not a tflite model at all", bytes(64),
                                 b"\x1c\x00\x00\x00TFL2" + bytes(32)])
def test_non_tflite_bytes_are_rejected(bad, tiny_model):
    _, x, y = tiny_model
    for call in (lambda: tflite.predict(bad, x),
                 lambda: tflite.accuracy(bad, x, y),
                 lambda: tflite.latency(bad, x[0]),
                 lambda: tflite.interpreter(bad)):
        with pytest.raises(ValueError, match="tflite_model is not a TFLite model"):
            call()


def test_tflite_wrong_types(tflite_models, tiny_model):
    _, x, y = tiny_model
    with pytest.raises(TypeError, match="tflite_model"):
        tflite.predict("model.tflite", x)
    with pytest.raises(ValueError, match="same length"):
        tflite.accuracy(tflite_models["float32"], x, y[:-1])
    with pytest.raises(ValueError, match="x must be"):
        tflite.predict(tflite_models["float32"], x[:0])


def test_latencies_are_one_per_run(tflite_models, tiny_model):
    _, x, _ = tiny_model
    times = tflite.latencies(tflite_models["float32"], x[0], runs=15, warmup=0)
    assert times.shape == (15,) and (times > 0).all()
    with pytest.raises(ValueError, match="warmup"):
        tflite.latencies(tflite_models["float32"], x[0], runs=5, warmup=-1)


def test_weight_count_is_kept_by_quantization(tiny_model, tflite_models):
    model, _, _ = tiny_model
    for mode, tfl in tflite_models.items():
        assert tflite.weight_count(tfl) == model.count_params(), mode
    with pytest.raises(ValueError, match="tflite_model"):
        tflite.weight_count(b"12345678")
