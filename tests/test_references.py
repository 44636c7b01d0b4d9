"""The bibliography: every entry findable, every citation defined, every entry cited."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"
ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", re.S)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def _entries() -> dict[str, str]:
    return {key: body for _, key, body in ENTRY.findall(BIB.read_text(encoding="utf-8"))}


def _cited() -> set[str]:
    keys: set[str] = set()
    sources = list((ROOT / "book").rglob("*.md")) + list((ROOT / "notebooks").rglob("*.py"))
    for path in sources:
        for group in CITE.findall(path.read_text(encoding="utf-8")):
            keys.update(k.strip() for k in group.split(","))
    return keys


def test_every_entry_is_findable():
    entries = _entries()
    assert entries, "no entries parsed from references.bib"
    for key, body in entries.items():
        has_id = re.search(r"\b(doi|eprint|isbn)\s*=", body) or re.search(
            r"\burl\s*=\s*\{https://", body)
        assert has_id, f"{key}: needs a DOI, an arXiv eprint, an ISBN or an https URL"
        assert re.search(r"\byear\s*=\s*\{\d{4}\}", body), f"{key}: no year"
        assert re.search(r"\bauthor\s*=", body), f"{key}: no author"


def test_keys_are_unique():
    keys = [k for _, k, _ in ENTRY.findall(BIB.read_text(encoding="utf-8"))]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_every_citation_is_defined_and_every_entry_cited():
    entries, cited = set(_entries()), _cited()
    assert not cited - entries, f"cited but not in references.bib: {sorted(cited - entries)}"
    assert not entries - cited, f"in references.bib but never cited: {sorted(entries - cited)}"
