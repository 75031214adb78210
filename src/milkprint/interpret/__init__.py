"""Interpretation of a result (生命周期结果解释): contributions, hotspots, sensitivity, uncertainty."""
