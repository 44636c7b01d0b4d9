#!/usr/bin/env python3
"""Check a built book: every internal link and anchor resolves, and no glue went missing.

Usage: python tests/check_html.py _build/html
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.links.append(attrs["src"])


def check(html_dir: Path) -> list[str]:
    pages: dict[Path, _Page] = {}
    for path in html_dir.rglob("*.html"):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.resolve()] = parser
    problems = []
    for path, page in pages.items():
        rel = path.relative_to(html_dir.resolve())
        if rel.parts[0] in ("_static", "_sources", "_sphinx_design_static"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for marker in ("glue key", "Could not find glue", "ERROR:", "Traceback (most recent"):
            if marker in text:
                problems.append(f"{rel}: contains {marker!r}")
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{rel}: broken link {link}")
                continue
            if parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                problems.append(f"{rel}: missing anchor {link}")
    problems += _missing_figures(html_dir)
    return problems


def _missing_figures(html_dir: Path) -> list[str]:
    """Notebook pages whose source draws a plot must show at least one image."""
    root = html_dir.resolve().parents[1]  # <repo>/_build/html -> <repo>
    problems = []
    for script in sorted((root / "notebooks").rglob("*.py")):
        source = script.read_text(encoding="utf-8")
        if not any(k in source for k in ("plots.", "plt.", "sns.", ".plot(")):
            continue
        page = html_dir / script.relative_to(root).with_suffix(".html")
        if page.exists() and "<img" not in page.read_text(encoding="utf-8", errors="replace"):
            problems.append(f"{page.relative_to(html_dir)}: draws plots but shows no image")
    return problems


def main() -> int:
    html_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
    if not (html_dir / "index.html").exists():
        print(f"{html_dir} has no index.html: build the book first", file=sys.stderr)
        return 2
    problems = check(html_dir)
    for p in problems:
        print(p)
    print(f"checked {len(list(html_dir.rglob('*.html')))} pages: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
