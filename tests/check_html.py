#!/usr/bin/env python3
"""Check a built book as a reader would meet it.

* every internal link and anchor resolves, and no glue went missing;
* no papermill residue (injected-parameters cells, test temp paths);
* every output table has the theme's table class (formatted, padded, scrolls in its box);
* no stray Python reprs (``<... at 0x...>``, ``Text(...)``) among the outputs;
* nothing is loaded from another host (scripts, stylesheets, icons): the book reads offline;
* every figure in a notebook page has alt text (not a file name) and a caption, and is no
  wider than the content column.

Usage: python tests/check_html.py _build/html
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: The theme's content column, in CSS pixels; figures wider than this are shrunk.
COLUMN_PX = 784
_VOID = {"img", "br", "hr", "meta", "link", "input", "source", "wbr", "col", "area", "base"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.remote: list[str] = []          # assets loaded from another host
        self.tables: list[dict] = []         # tables inside cell outputs
        self.images: list[dict] = []         # output/figure images with their context
        self.stack: list[tuple[str, str]] = []  # (tag, class) of open elements
        self.figures: list[dict] = []

    def _inside(self, cls: str) -> bool:
        return any(cls in c.split() for _, c in self.stack)

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
        url = attrs.get("src") if tag in ("script", "img") else (
            attrs.get("href") if tag == "link" else None)
        if url and (urlsplit(url).scheme in ("http", "https") or url.startswith("//")):
            self.remote.append(f"<{tag}> {url}")
        if tag == "table" and self._inside("cell_output"):
            self.tables.append(attrs)
        if tag == "figure":
            self.figures.append({"caption": False})
        if tag == "figcaption" and self.figures:
            self.figures[-1]["caption"] = True
        if tag == "img" and (self._inside("cell_output") or any(t == "figure" for t, _ in
                                                                 self.stack)):
            self.images.append({**attrs, "figure": self.figures[-1] if any(
                t == "figure" for t, _ in self.stack) else None})
        if tag not in _VOID:
            self.stack.append((tag, attrs.get("class") or ""))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


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
        if rel.parts[0] == "notebooks":
            problems += [f"{rel}: {p}" for p in _reader_problems(text, page, path.parent)]
        problems += [f"{rel}: loads {r} from another host" for r in page.remote]
    problems += _missing_figures(html_dir)
    return problems


_RESIDUE = {
    "a papermill injected-parameters cell": re.compile(r"tag_injected-parameters"),
    "a test's temporary path": re.compile(r"pytest-of-|_build/(executed|variants)/"),
}
_REPRS = re.compile(r"&lt;[\w.]+(?: object)? at 0x[0-9a-f]+&gt;|(?:^|>)Text\([\d.e+-]+, [\d.e+-]+,|"
                    r"&lt;matplotlib\.[\w.]+ (?:object )?at 0x", re.M)
_WIDTH = re.compile(r"width:\s*([\d.]+)px")


def _png_width(path: Path) -> int | None:
    """Pixel width from a PNG header, or None for another format or a missing file."""
    try:
        head = path.read_bytes()[:24]
    except OSError:
        return None
    return int.from_bytes(head[16:20], "big") if head[:8] == b"\x89PNG\r\n\x1a\n" else None


def _reader_problems(text: str, page: _Page, here: Path) -> list[str]:
    """What a reader of a notebook page must not meet (see the module docstring)."""
    problems = [f"shows {what}" for what, rx in _RESIDUE.items() if rx.search(text)]
    problems += [f"shows a stray repr {m.group(0)[:60]!r}" for m in _REPRS.finditer(text)]
    for table in page.tables:
        if "dataframe" not in (table.get("class") or "").split():
            problems.append(f"an unstyled table (id={table.get('id')!r}): use report.table")
    for img in page.images:
        alt = (img.get("alt") or "").strip()
        src = img.get("src", "")
        if not alt or alt == src or re.search(r"\.(png|svg|jpe?g)$|^_images/|^\.\./", alt):
            problems.append(f"an image without descriptive alt text ({src[-40:]})")
        if img["figure"] is None or not img["figure"]["caption"]:
            problems.append(f"an image without a caption ({src[-40:]}): use {{glue:figure}}")
        width = _WIDTH.search(img.get("style", "")) or re.match(r"([\d.]+)$",
                                                                 img.get("width", "") or "")
        shown = float(width.group(1)) if width else _png_width(here / unquote(src))
        if shown and shown > COLUMN_PX:
            problems.append(f"a figure {shown:.0f} px wide, wider than the "
                            f"{COLUMN_PX} px column: draw it with plots.subplots")
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
