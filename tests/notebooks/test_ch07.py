"""Chapter 7: the tools table reads versions from the running environment, and Keras 3
accepts the backends the page says (TensorFlow here; JAX and PyTorch known; not Theano)."""

from importlib import metadata

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

TOOLS = "notebooks/ch07/tools.ipynb"


@pytest.fixture(scope="module")
def tools():
    return run_page(TOOLS, {"seed": 0, "check_backends": True})


def test_tools_table_reports_installed_versions(tools):
    assert tools["tools_tensorflow_version"] == metadata.version("tensorflow"), dump(tools)
    assert tools["tools_tf_keras_version"] == metadata.version("tf-keras")
    assert tools["tools_keras_version"] == metadata.version("keras")
    assert tools["tools_tfmot_version"] == metadata.version("tensorflow-model-optimization")
    # the book's own stack: TensorFlow, tf_keras, Keras 3 (a TF dependency), TFMOT, NumPy,
    # pandas, scikit-learn, Jupyter Book, papermill, and tf.distribute (TensorFlow's)
    assert tools["tools_installed"] >= 10
    assert tools["tools_listed"] > tools["tools_installed"]
    assert tools["tools_source_errors"] >= 4


def test_keras3_backends(tools):
    assert tools["tools_backends_checked"] == 4, dump(tools)
    assert tools["tools_tensorflow_backend_works"] is True, dump(tools)
    assert tools["tools_theano_rejected"] is True, dump(tools)


def test_backend_check_can_be_switched_off():
    glued = run_variant(TOOLS, {"seed": 0, "check_backends": False}, tag="nobackends")
    assert glued["tools_backends_checked"] == 0, dump(glued)
    assert glued["tools_tensorflow_backend_works"] is False
    assert glued["tools_listed"] > 0
