import numpy as np
import pytest

from scalekit import corpus as corpus_mod
from scalekit import env, sweeps
from scalekit.data import VOCAB

tf = env.setup(seed=0)


@pytest.fixture(scope="module")
def corpus():
    return corpus_mod.load_corpus(context=8, heldout_windows=512, seed=0,
                                  max_train_chars=200_000)


def test_run_sweep_records_tidy_checkpoints(corpus):
    sweep = sweeps.run_sweep([2, 16], train_tokens=256 * 64, context=8, batch_size=256,
                             evaluations=4, corpus=corpus, seed=0)
    frame = sweep.frame
    assert list(frame.columns) == ["width", "N", "step", "D", "C", "loss", "train_loss",
                                   "seconds"]
    assert set(frame["width"]) == {2, 16}
    assert (frame["D"] == frame["step"] * 256).all()
    assert np.allclose(frame["C"], 6 * frame["N"] * frame["D"])
    assert frame.groupby("width")["step"].max().eq(64).all()
    final = sweep.final()
    assert len(final) == 2 and sweep.position_losses.shape == (2, 512)
    assert np.allclose(final["loss"], sweep.position_losses.mean(axis=1), rtol=1e-5)
    # after 64 steps both models beat the uniform guess log(97)
    assert (final["loss"] < np.log(len(VOCAB))).all()
    assert sweep.unigram_entropy == pytest.approx(corpus.unigram_entropy)
    assert sweep.settings["steps"] == 64


@pytest.mark.parametrize("kwargs, err, match", [
    ({"context": 16}, ValueError, "context"),
    ({"train_tokens": 100}, ValueError, "train_tokens"),
    ({"widths": []}, ValueError, "widths"),
    ({"widths": [2, 0]}, ValueError, r"widths\[1\]"),
    ({"learning_rate": -1.0}, ValueError, "learning_rate"),
    ({"evaluations": 0}, ValueError, "evaluations"),
    ({"seed": -2}, ValueError, "seed"),
    ({"progress": "yes"}, TypeError, "progress"),
    ({"corpus": "text"}, TypeError, "corpus")])
def test_run_sweep_bad_input(corpus, kwargs, err, match):
    args = {"widths": [2], "train_tokens": 1024, "batch_size": 256, "context": 8,
            "corpus": corpus, **kwargs}
    widths = args.pop("widths")
    with pytest.raises(err, match=match):
        sweeps.run_sweep(widths, **args)
