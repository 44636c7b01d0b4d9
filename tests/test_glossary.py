"""The glossary: every entry has its Chinese term, the book's terms are all there, and
every link out of it (and every ``{term}`` link into it) resolves.

The glossary is a Sphinx ``glossary`` directive in ``book/glossary.md``: each entry is
one or more unindented term lines (the English term first, then the Chinese one),
followed by an indented definition.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
CJK = re.compile(r"[\u3400-\u9fff]")
REF = re.compile(r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`")
TERM = re.compile(r"\{term\}`(?:[^`<]*<)?([^`<>]+?)>?`")
LABEL = re.compile(r"^(?:# )?\(([\w-]+)\)=\s*$", re.M)

# Terms the book uses and a reader of the source needs (issue 16); more are welcome.
REQUIRED = [
    "Learning rate", "Epoch", "Mini-batch", "Batch size", "Vanishing gradient",
    "Exploding gradient", "Gradient clipping", "Weight clipping", "Distillation",
    "Clustering", "Low-rank factorization", "Quantization", "Quantization-aware training",
    "Post-training quantization", "Pruning", "Sparsity", "Parameter server", "All-reduce",
    "Tokens per parameter", "Irreducible loss", "Compute-optimal", "Data parallelism",
    "Model parallelism", "Hybrid parallelism", "Tensor parallelism",
    "Pipeline parallelism", "Sharded data parallelism", "Transfer learning",
    "Multi-task learning", "Data augmentation", "Regularization", "Over-fitting",
    "Under-fitting", "Mixed precision", "Loss scaling", "Gradient accumulation",
    "Activation recomputation", "Roofline", "Arithmetic intensity", "Critical batch size",
    "Gradient noise scale", "KV cache", "Transformer", "Attention", "FLOPs",
    "Scaling law", "Parameter", "Hyper-parameter", "Compute",
]


def _block() -> list[str]:
    text = GLOSSARY.read_text(encoding="utf-8")
    m = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```\s*$", text, re.M | re.S)
    assert m, "book/glossary.md has no ```{glossary} block"
    return m.group(1).split("\n")


def _entries() -> list[tuple[list[str], str]]:
    """``(term lines, definition)`` for every entry of the glossary directive."""
    entries: list[tuple[list[str], list[str]]] = []
    in_definition = True
    for line in _block():
        if not line.strip():
            continue
        if line[0].isspace():
            assert entries, f"definition before any term: {line!r}"
            entries[-1][1].append(line.strip())
            in_definition = True
        else:
            if in_definition:
                entries.append(([], []))
                in_definition = False
            entries[-1][0].append(line.strip())
    return [(terms, " ".join(definition)) for terms, definition in entries]


ENTRIES = _entries()
IDS = [terms[0] for terms, _ in ENTRIES]


def _labels() -> set[str]:
    labels: set[str] = set()
    for path in list((ROOT / "book").rglob("*.md")) + list((ROOT / "notebooks").rglob("*.py")):
        labels.update(LABEL.findall(path.read_text(encoding="utf-8")))
    return labels


def test_glossary_has_at_least_forty_entries():
    assert len(ENTRIES) >= 40, f"only {len(ENTRIES)} glossary entries; the book needs 40+"


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=IDS)
def test_entry_has_english_and_chinese_term_and_a_definition(index):
    terms, definition = ENTRIES[index]
    english, others = terms[0], terms[1:]
    assert not CJK.search(english), f"{english!r}: the first term line is the English term"
    assert any(CJK.search(t) for t in others), (
        f"{english!r}: needs a second term line with the Chinese term (the source's own "
        "wording where it has one)")
    assert len(definition) >= 60, f"{english!r}: the definition is missing or too short"
    where = re.search(r"Source §\d|Not in the source", definition)
    assert where, f"{english!r}: say where the source uses the term, or 'Not in the source'"


def test_terms_are_unique():
    seen = [t.lower() for terms, _ in ENTRIES for t in terms]
    assert len(seen) == len(set(seen)), sorted({t for t in seen if seen.count(t) > 1})


def test_entries_are_sorted():
    assert IDS == sorted(IDS, key=str.lower), "keep the glossary in alphabetical order"


def test_required_terms_are_defined():
    defined = {t.lower() for t in IDS}
    missing = [t for t in REQUIRED if t.lower() not in defined]
    assert not missing, f"the glossary lacks: {missing}"


def test_links_out_of_the_glossary_resolve():
    text = GLOSSARY.read_text(encoding="utf-8")
    labels = _labels()
    missing = sorted({label for label in REF.findall(text) if label not in labels})
    assert not missing, f"{{ref}} targets that no page defines: {missing}"


def test_every_term_link_names_a_glossary_term():
    defined = {t.lower() for terms, _ in ENTRIES for t in terms}
    bad = []
    for path in list((ROOT / "book").rglob("*.md")) + list((ROOT / "notebooks").rglob("*.py")):
        for target in TERM.findall(path.read_text(encoding="utf-8")):
            if target.strip().lower() not in defined:
                bad.append(f"{path.relative_to(ROOT)}: {target}")
    assert not bad, f"{{term}} links to terms the glossary does not define: {bad}"


def test_parameter_entry_states_both_counting_conventions():
    """Kaplan counts non-embedding parameters, Chinchilla all of them (issue 16)."""
    definition = dict((terms[0], d) for terms, d in ENTRIES)["Parameter"]
    assert "non-embedding" in definition and "kaplan2020scaling" in definition
    assert "hoffmann2022training" in definition and "pearce2024reconciling" in definition
