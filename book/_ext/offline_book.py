"""Sphinx extension: keep the built book self-contained, readable offline and from file://.

* Jupyter Book 1 always loads sphinx-thebe, which adds (twice) an inline script naming a
  CDN copy of Thebe, plus its loader. The book offers no Thebe button (launch buttons go to
  Colab and Binder), so both are dropped: no CDN reference, no "redeclared const" error.
* sphinxcontrib-mermaid imports Mermaid as an ES module, which browsers refuse to load
  from ``file://``. On pages with a diagram the module is replaced by the vendored classic
  build (``_static/vendor/mermaid/mermaid.min.js``), which renders every
  ``<pre class="mermaid">`` on load, from a web server or from disk alike.
"""

from __future__ import annotations

MERMAID_JS = "_static/vendor/mermaid/mermaid.min.js"
MERMAID_INIT = "mermaid.initialize({startOnLoad: true, securityLevel: 'strict'});"


def _body(asset) -> str:
    return str(getattr(asset, "attributes", {}).get("body", "") or "")


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", "") or "")
    return "thebe" in name or "THEBE_JS_URL" in _body(asset)


def _rewrite(app, pagename, templatename, context, doctree) -> None:
    from sphinx.builders.html._assets import _JavaScript

    if "css_files" in context:
        context["css_files"] = [a for a in context["css_files"] if not _is_thebe(a)]
    if "script_files" not in context:
        return
    scripts = [a for a in context["script_files"] if not _is_thebe(a)]
    mermaid = [a for a in scripts if "import mermaid" in _body(a)]
    if mermaid:
        scripts = [a for a in scripts if a not in mermaid]
        scripts += [_JavaScript(MERMAID_JS, priority=900),
                    _JavaScript("", body=MERMAID_INIT, priority=901)]
    context["script_files"] = scripts


def setup(app):
    app.connect("html-page-context", _rewrite, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
