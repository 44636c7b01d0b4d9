"""The glossary: enough entries, each with its Chinese term, and every {term} resolves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _entries() -> dict[str, list[str]]:
    """English term -> its term lines (English first, then aliases such as Chinese)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    assert block, "book/glossary.md has no {glossary} block"
    entries: dict[str, list[str]] = {}
    terms: list[str] = []
    for line in block.group(1).splitlines():
        if not line.strip():
            terms = []
        elif not line.startswith(" "):
            terms.append(line.strip())
            if len(terms) == 1:
                entries[line.strip()] = terms
    return entries


def test_glossary_has_enough_entries():
    assert len(_entries()) >= 40


def test_every_entry_has_its_chinese_term():
    missing = [t for t, lines in _entries().items() if not any(CJK.search(x) for x in lines)]
    assert not missing, f"glossary entries without a Chinese term: {missing}"


def test_every_term_reference_resolves():
    known = {t.lower() for lines in _entries().values() for t in lines}
    sources = list((ROOT / "book").rglob("*.md")) + list((ROOT / "notebooks").rglob("*.py"))
    bad = []
    for path in sources:
        for ref in re.findall(r"\{term\}`([^`]+)`", path.read_text(encoding="utf-8")):
            target = re.search(r"<([^>]+)>$", ref)
            name = (target.group(1) if target else ref).strip().lower()
            if name not in known:
                bad.append(f"{path.relative_to(ROOT)}: {ref}")
    assert not bad, bad
