"""The stylesheet a phone downloads: static/css/site.css with its comments and spaces taken
out by rcssmin, kept beside it as site.min.css. The commented file is the one to edit; then
`flask --app katilim build-css` writes the small one, and tests/core/test_stylesheet.py fails
while the two differ. Pages link the small one: 5–6 KB less on every first visit, which the
60 KB page budget (tests/e2e/test_page_weight.py) needs."""

import rcssmin

from katilim.config import ROOT

STATIC_CSS = ROOT / "static" / "css"
SOURCE = STATIC_CSS / "site.css"
MINIFIED = STATIC_CSS / "site.min.css"


def minified(source: str) -> str:
    return rcssmin.cssmin(source) + "\n"


def build() -> int:
    """Write site.min.css from site.css; the number of bytes written."""
    text = minified(SOURCE.read_text(encoding="utf-8"))
    MINIFIED.write_text(text, encoding="utf-8")
    return len(text.encode())
