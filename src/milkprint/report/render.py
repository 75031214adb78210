"""One door to every rendering: a Document to HTML, PDF or DOCX bytes, and the carbon label of a report."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from milkprint.errors import InputError, Lang, Location
from milkprint.report.annex_a import ReportInputs
from milkprint.report.document import Document
from milkprint.report.label import LabelData

Format = Literal["html", "pdf", "docx"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "docx")


def render(doc: Document, fmt: Format) -> bytes:
    """The document in one format (UTF-8 for HTML)."""
    if fmt == "html":
        from milkprint.report.html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        from milkprint.report.pdf import render_pdf

        return render_pdf(doc)
    from milkprint.report.docx import render_docx

    return render_docx(doc)


def format_of(path: Path, given: str | None, allowed: tuple[str, ...] = FORMATS) -> str:
    """The format asked for, else the file's suffix; a clear refusal otherwise."""
    fmt = (given or path.suffix.lstrip(".")).lower()
    if fmt not in allowed:
        want = "、".join(allowed)
        raise InputError.at(
            Location(file=path.name, column="--format"),
            f"无法确定输出格式“{fmt}”，应为 {want}（用 --format 指定，或使用相应的文件扩展名）",
            f"cannot tell the output format '{fmt}'; expected one of {', '.join(allowed)} (give --format, or a file "
            "name with that extension)",
        )
    return fmt


def label_data(inp: ReportInputs, lang: Lang) -> LabelData:
    """The carbon label of a report: the same numbers, declaration and validity."""
    a, d = inp.assessment, inp.assessment.declaration
    return LabelData(
        product_name=a.product.name,
        product_spec=a.product.spec or "",
        kgco2e_per_t=inp.result.kgco2e_per_t,
        issuer=a.report.issuer or (a.company.name or a.plant.name),
        declaration_type=d.type,
        certificate=d.certificate,
        verifier=d.body,
        valid_until=inp.valid_until,
        report_id=inp.report_id,
        qr_text=f"milkprint:report:{inp.report_id}",
        lang=lang,
    )
