"""The bibliography: every entry findable, every citation defined, every entry cited.

"Findable" means an identifier a reader can follow: a DOI, an arXiv eprint, an ISBN or an
official https address, each checked for its form (an ISBN's check digit, an arXiv id's
pattern, a DOI's ``10.`` prefix), plus author, title and a four-digit year.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"
ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", re.S)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", re.M)

ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}(v\d+)?")
DOI = re.compile(r"10\.\d{4,9}/\S+")


def _text() -> str:
    return BIB.read_text(encoding="utf-8")


def _entries() -> dict[str, str]:
    return {key: body for _, key, body in ENTRY.findall(_text())}


def _fields(body: str) -> dict[str, str]:
    return {name.lower(): value.strip() for name, value in FIELD.findall(body)}


def _cited() -> dict[str, set[str]]:
    """Citation key -> the files (relative to the repository) that cite it."""
    keys: dict[str, set[str]] = {}
    sources = sorted((ROOT / "book").rglob("*.md")) + sorted(
        (ROOT / "notebooks").rglob("*.py"))
    for path in sources:
        for group in CITE.findall(path.read_text(encoding="utf-8")):
            for key in (k.strip() for k in group.split(",")):
                keys.setdefault(key, set()).add(str(path.relative_to(ROOT)))
    return keys


def _isbn13_ok(isbn: str) -> bool:
    digits = re.sub(r"[-\s]", "", isbn)
    if not re.fullmatch(r"\d{13}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def test_every_entry_is_parsed():
    """A malformed entry (say, a missing closing brace) would silently drop out."""
    declared = re.findall(r"^@(\w+)\s*\{", _text(), re.M)
    assert len(_entries()) == len(declared), "an entry of references.bib does not parse"
    for key, body in _entries().items():
        assert body.count("{") == body.count("}"), f"{key}: unbalanced braces"


ENTRIES = _entries()


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_entry_has_an_identifier(key):
    fields = _fields(ENTRIES[key])
    ids = {k: fields[k] for k in ("doi", "eprint", "isbn", "url") if k in fields}
    assert ids, f"{key}: needs a DOI, an arXiv eprint, an ISBN or an https URL"
    if "doi" in ids:
        assert DOI.fullmatch(ids["doi"]), f"{key}: DOI {ids['doi']!r} is malformed"
    if "eprint" in ids:
        assert ARXIV_ID.fullmatch(ids["eprint"]), f"{key}: {ids['eprint']!r} is no arXiv id"
        assert fields.get("archiveprefix", "").lower() == "arxiv", (
            f"{key}: an eprint needs archivePrefix = {{arXiv}}")
    if "isbn" in ids:
        assert _isbn13_ok(ids["isbn"]), f"{key}: ISBN {ids['isbn']!r} fails its check digit"
    if "url" in ids:
        assert ids["url"].startswith("https://"), f"{key}: the URL must be https"


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_entry_has_author_title_year(key):
    fields = _fields(ENTRIES[key])
    assert fields.get("author"), f"{key}: no author"
    assert fields.get("title"), f"{key}: no title"
    assert re.fullmatch(r"\d{4}", fields.get("year", "")), f"{key}: no four-digit year"
    venue = [k for k in ("journal", "booktitle", "publisher", "howpublished") if k in fields]
    assert venue, f"{key}: no venue (journal, booktitle, publisher or howpublished)"


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_arxiv_journal_matches_eprint(key):
    """``journal = {arXiv preprint arXiv:X}`` must name the same paper as ``eprint``."""
    fields = _fields(ENTRIES[key])
    m = re.search(r"arXiv:(\S+)", fields.get("journal", ""))
    if m:
        assert fields.get("eprint") == m.group(1), f"{key}: journal and eprint disagree"


def test_keys_are_unique():
    keys = [k for _, k, _ in ENTRY.findall(_text())]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_every_citation_is_defined():
    missing = {k: sorted(w) for k, w in _cited().items() if k not in ENTRIES}
    assert not missing, f"cited but not in references.bib: {missing}"


def test_every_entry_is_cited():
    unused = sorted(set(ENTRIES) - set(_cited()))
    assert not unused, f"in references.bib but never cited: {unused}"


def test_corrected_entries_stay_corrected():
    """Errors an audit found once (issue 16) must not come back."""
    dean = [a.strip() for a in _fields(ENTRIES["dean2012large"])["author"].split(" and ")]
    assert len(dean) == 12 and dean[0].startswith("Dean") and dean[-1].startswith("Ng")
    assert dean[5].startswith("Le,"), f"Le is the sixth author of DistBelief, not {dean[5]}"
    assert _fields(ENTRIES["street1993nuclear"]).get("pages") == "861--870"
    assert "Ba," in _fields(ENTRIES["kingma2015adam"])["author"]
    assert "Welling" not in _fields(ENTRIES["kingma2015adam"])["author"]
