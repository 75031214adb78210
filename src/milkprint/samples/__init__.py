"""Built-in sample bundles: the gate-to-gate sample plant and the dairy carbon-label samples.

The label samples (scripts/make_label_samples.py writes them) are a 250 ml box of UHT milk and a 900 g can of
whole milk powder whose plants buy raw milk from the same four farms; `milkprint demo --method
dairy-carbon-label` assesses both.
"""

GATE_TO_GATE_SAMPLE = "sample_plant"
LABEL_SAMPLES = ("label_uht_milk", "label_milk_powder")
