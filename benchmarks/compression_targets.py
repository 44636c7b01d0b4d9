"""Chapter 5.4 targets: run the compression notebooks at their default sizes and print ratios.

    python benchmarks/compression_targets.py

Every ratio is against a baseline measured in the same run (the float Keras model for size,
the float32 TFLite model for latency). Targets (issue 8): pruned + int8 at least 10x smaller
(gzip) than the float Keras baseline with at most 1 point accuracy drop, beating the TFMOT
guide's recipe run on the same data; at least 80% sparsity; full-int8 TFLite latency at
least 2x lower than float32 (interpreter, 1 thread, median after warm-up).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from nbtools import run_variant  # noqa: E402


def main() -> None:
    start = time.time()
    # defaults; written under _build/variants/benchmark/, never a page of the CI book
    pruning = run_variant("notebooks/ch05/compression.ipynb", {}, tag="benchmark")
    comparison = run_variant("notebooks/ch05/compression_comparison.ipynb", {},
                             tag="benchmark")
    drop = comparison["cmp_pruned_int8_accuracy_drop"]
    pruned_int8 = comparison["cmp_gzip_ratio_pruned_int8"]
    guide = comparison["cmp_gzip_ratio_guide"]
    rows = [
        ("pruned sparsity (exported kernels)", pruning["prune_sparsity"], ">= 0.80",
         pruning["prune_sparsity"] >= 0.80),
        ("gzip ratio, pruned (HDF5)", pruning["prune_gzip_ratio"], "-", True),
        ("gzip ratio, pruned + int8", pruned_int8, ">= 10", pruned_int8 >= 10),
        ("accuracy drop, pruned + int8", drop, "<= 0.01", drop <= 0.01),
        ("gzip ratio, TFMOT guide recipe", guide, "< pruned + int8", guide < pruned_int8),
        ("gzip ratio, pruned + clustered + int8", comparison["cmp_gzip_ratio_pipeline"],
         "-", True),
        ("latency ratio, float32 / int8", comparison["cmp_latency_ratio_int8"], ">= 2",
         comparison["cmp_latency_ratio_int8"] >= 2),
    ]
    print(f"{'measure':40s} {'value':>10s}  {'target':>16s}  met")
    for name, value, target, met in rows:
        print(f"{name:40s} {value:10.3f}  {target:>16s}  {'yes' if met else 'NO'}")
    print(f"baseline accuracy {comparison['cmp_keras_accuracy']:.4f}; "
          f"float32 {comparison['cmp_latency_float32_us']:.2f} us, "
          f"int8 {comparison['cmp_latency_int8_us']:.2f} us; "
          f"{time.time() - start:.0f} s in total")


if __name__ == "__main__":
    main()
