"""Off-site wastewater treatment (委外处理) counts only its transport: the transport is asked for when it is missing.

Wastewater sent off-site is item `wastewater.offsite` (engine/wastewater.py); its transport is a `transport.*` row
(t·km to the treatment plant) in the same process. Needs no result, so it runs on bundles that cannot be assessed too.
"""

from __future__ import annotations

import math

from milkprint.bundle.reader import Bundle
from milkprint.engine.wastewater import offsite_transport
from milkprint.i18n import quantity
from milkprint.methods.items import WASTEWATER_OFFSITE, split_item
from milkprint.methods.processes import label
from milkprint.quality.base import at, make
from milkprint.quality.findings import Finding, Where
from milkprint.units import UnitProblem, factor


def _m3(amount: float, unit: str) -> float | None:
    try:
        return amount * factor(unit, "m3", water=True)
    except UnitProblem:
        return None  # the assessment names the unit at fault


def check_offsite_transport(bundle: Bundle) -> list[Finding]:
    """Each process with wastewater treated off-site has the transport to the treatment plant (t·km)."""
    entries = [(r.process, r.item) for r in bundle.activities] + [(m.process, m.item) for m in bundle.meters]
    out: list[Finding] = []
    for process, transported in offsite_transport(entries).items():
        rows = [r for r in bundle.activities if r.process == process and r.item == WASTEWATER_OFFSITE]
        meters = [m for m in bundle.meters if m.process == process and m.item == WASTEWATER_OFFSITE]
        volumes = [_m3(r.amount, r.unit) for r in rows]
        m3 = math.fsum(v for v in volumes if v is not None)
        if rows:
            where = at(rows[0].origin, "item", process=process, item=WASTEWATER_OFFSITE)
        else:
            where = Where(process=process, item=WASTEWATER_OFFSITE, meter=meters[0].meter_id)
        amount_zh = f" {quantity(m3)} m3" if rows else ""
        amount_en = f" ({quantity(m3)} m3)" if rows else ""
        name_zh, name_en = label(process, "zh"), label(process, "en")
        if transported:
            items = sorted(
                {item for p, item in entries if p == process and (split_item(item) or ("", ""))[0] == "transport"}
            )
            out.append(
                make(
                    "completeness.offsite_transport",
                    "info",
                    "mp.offsite_treatment",
                    f"{name_zh}：委外处理废水{amount_zh}仅计运输，已填报运输（{'、'.join(items)}）",
                    f"{name_en}: wastewater treated off-site{amount_en} counts only its transport, which is given "
                    f"({', '.join(items)})",
                    where,
                    offsite_m3=m3,
                )
            )
            continue
        out.append(
            make(
                "completeness.offsite_transport",
                "warning",
                "mp.offsite_treatment",
                f"{name_zh}：委外处理废水{amount_zh}不计处理排放、仅计其运输，但该工序没有运输数据。请在 activities.csv 中"
                f"补充同一工序的运输行（如 {process},transport.truck_diesel,<数量>,tkm）：运输量（吨·千米）= 运出的废水吨数 × "
                "至处理厂的距离（km）",
                f"{name_en}: wastewater treated off-site{amount_en} counts no treatment, only its transport, and this "
                f"process has no transport. Add a transport row in the same process to activities.csv (e.g. "
                f"{process},transport.truck_diesel,<amount>,tkm): t·km = tonnes of wastewater sent × distance to the "
                "treatment plant (km)",
                where,
                offsite_m3=m3,
            )
        )
    return out
