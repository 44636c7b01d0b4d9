"""Chapter 7: the tools table reads versions from the running environment."""

from importlib import metadata

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook


def test_tools_table_reports_installed_versions():
    glued = run_and_glue("notebooks/ch07/tools.ipynb", {"seed": 0})
    assert glued["tensorflow_version"] == metadata.version("tensorflow"), dump(glued)
    assert glued["tf_keras_version"] == metadata.version("tf-keras")
    assert glued["tfmot_version"] == metadata.version("tensorflow-model-optimization")
    # the book's own stack: TensorFlow, tf_keras, Keras 3 (a TF dependency), TFMOT, NumPy,
    # pandas, scikit-learn, Jupyter Book, papermill (tf.distribute counts as TensorFlow)
    assert glued["tools_installed"] >= 9
    assert glued["tools_listed"] > glued["tools_installed"]
