"""Print a report Document to PDF with WeasyPrint, from the same HTML page as render_html (one layout, two media).

WeasyPrint is imported inside the function: it takes about a second to import, which CLI commands that never
write a PDF should not pay.
"""

from __future__ import annotations

from milkprint.report.document import Document
from milkprint.report.html import render_html


def render_pdf(doc: Document) -> bytes:
    """The report as PDF bytes (A4, fonts embedded as subsets); title, author and subject come from `doc.meta`."""
    import weasyprint  # type: ignore[import-untyped]

    html = render_html(doc)
    # The HTML head carries the metadata (<title>, author, description → subject, keywords); no base URL is needed
    # because the page references nothing outside itself.
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
