"""Steam in tonnes -> heat in GJ: AD = M x (h - 83.74) x 1e-3 (83.74 kJ/kg: water at 20 °C).

The enthalpy h comes from the assessment: given directly, or from IAPWS-IF97 for the metered
pressure (absolute) and temperature (saturated vapour when no temperature is given).
"""

from __future__ import annotations

from milkprint.bundle.models import Steam

FEED_WATER_KJ_PER_KG = 83.74


def enthalpy_kj_per_kg(steam: Steam) -> float:
    if steam.enthalpy_kj_per_kg is not None:
        return steam.enthalpy_kj_per_kg
    from iapws import IAPWS97  # imported here: only steam users pay its start-up time

    assert steam.pressure_mpa is not None
    if steam.temperature_c is None:
        return float(IAPWS97(P=steam.pressure_mpa, x=1).h)
    return float(IAPWS97(P=steam.pressure_mpa, T=steam.temperature_c + 273.15).h)


def gj_per_tonne(steam: Steam) -> float:
    return (enthalpy_kj_per_kg(steam) - FEED_WATER_KJ_PER_KG) / 1000.0
