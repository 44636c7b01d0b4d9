"""Every errata row lets a reader of the source find the passage and the proof."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROWS = [ln for ln in (ROOT / "book" / "errata.md").read_text(encoding="utf-8").splitlines()
        if ln.startswith("| ") and not ln.startswith("| source") and not ln.startswith("|---")]


def test_there_are_rows():
    assert len(ROWS) >= 60


def test_each_row_quotes_the_source_in_chinese_and_links_its_demonstration():
    no_chinese = [r[:80] for r in ROWS if not re.search(r"[\u4e00-\u9fff]", r)]
    no_link = [r[:80] for r in ROWS if "{ref}" not in r]
    assert not no_chinese, f"rows without the source's Chinese phrase: {no_chinese}"
    assert not no_link, f"rows without a {{ref}} to the page that shows it: {no_link}"
