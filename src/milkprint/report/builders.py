"""Which builder makes a method's report, declaration and carbon label: the one place the outputs depend on the method.

The milk powder standard (gate to gate) publishes an Annex A report, a water footprint declaration and a label per t;
the dairy carbon-label rules (cradle to grave, §8) an assessment report, a label declaration and a label per package.
Every door (CLI, service, web) asks `builders_for(result.method)` instead of branching on the method itself, so a
third method is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from milkprint.errors import Lang
from milkprint.report.annex_a import ReportInputs, build_report
from milkprint.report.document import Document
from milkprint.report.label import LabelData
from milkprint.report.label_report import build_label_declaration, build_label_report
from milkprint.report.package import net_content_text, per_package
from milkprint.report.render import label_data
from milkprint.report.water import build_water_declaration

DocumentBuilder = Callable[[ReportInputs, Lang], Document]
LabelBuilder = Callable[[ReportInputs, Lang], LabelData]


@dataclass(frozen=True)
class Builders:
    """A method's three forms of communication."""

    report: DocumentBuilder
    declaration: DocumentBuilder
    label: LabelBuilder


def package_label_data(inp: ReportInputs, lang: Lang) -> LabelData:
    """The dairy label's data: the gate-to-gate fields plus the value per package in the package's words; the
    size line falls back to the net content (a label bundle need not give a [product] spec)."""
    a, d = inp.assessment, inp.assessment.declaration
    return LabelData(
        product_name=a.product.name,
        product_spec=a.product.spec or net_content_text(a.product) or per_package(a.product, lang),
        kgco2e_per_t=inp.result.kgco2e_per_t,
        issuer=a.report.issuer or (a.company.name or a.plant.name),
        declaration_type=d.type,
        certificate=d.certificate,
        verifier=d.body,
        valid_until=inp.valid_until,
        report_id=inp.report_id,
        qr_text=f"milkprint:report:{inp.report_id}",
        lang=lang,
        per_package=per_package(a.product, lang),
        kgco2e_per_unit=inp.result.kgco2e_per_unit,
    )


GATE_TO_GATE = Builders(build_report, build_water_declaration, label_data)
DAIRY_LABEL = Builders(build_label_report, build_label_declaration, package_label_data)
BUILDERS: dict[str, Builders] = {"milk-powder-gate-to-gate": GATE_TO_GATE, "dairy-carbon-label": DAIRY_LABEL}


def builders_for(method: str) -> Builders:
    """The builders of a method (the gate-to-gate ones for a method with no outputs of its own)."""
    return BUILDERS.get(method, GATE_TO_GATE)


def build_report_for(inp: ReportInputs, lang: Lang = "zh") -> Document:
    """The report of the bundle's method."""
    return builders_for(inp.result.method).report(inp, lang)


def build_declaration_for(inp: ReportInputs, lang: Lang = "zh") -> Document:
    """The declaration of the bundle's method (water declaration, or carbon label declaration)."""
    return builders_for(inp.result.method).declaration(inp, lang)


def label_data_for(inp: ReportInputs, lang: Lang = "zh") -> LabelData:
    """The carbon label's data of the bundle's method (per t, or per package)."""
    return builders_for(inp.result.method).label(inp, lang)
