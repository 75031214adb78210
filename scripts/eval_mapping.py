"""Print the meter-name model's top-1 accuracy on the shipped held-out set, and what it confuses.

.venv/bin/python scripts/eval_mapping.py
"""

from __future__ import annotations

import sys
import time

from milkprint.mapping.evaluate import evaluate, heldout_rows
from milkprint.mapping.model import NameModel, training_rows


def main() -> int:
    started = time.perf_counter()
    rows = training_rows()
    model = NameModel(rows)  # shipped data only: the user's confirmations would flatter the figure
    loaded = time.perf_counter() - started
    result = evaluate(model, heldout_rows())
    print(
        f"training names: {len(rows)}  labels: {len(model.labels)}  fit: {model.train_seconds:.3f} s  (with read: {loaded:.3f} s)"
    )
    print(f"held-out names: {result.n}")
    print(f"top-1 joint (process+item): {result.joint:.1%}")
    print(f"top-1 process only:         {result.process:.1%}")
    print(f"top-1 item only:            {result.item:.1%}")
    print(f"misses: {len(result.misses)}")
    for m in result.misses:
        print(f"  {m.name!r}: expected {'/'.join(m.expected)}, proposed {'/'.join(m.proposed)} (p={m.confidence:.2f})")
    print("confusion of the misses (expected -> proposed: count):")
    for expected, proposed, n in result.confusion():
        print(f"  {'/'.join(expected)} -> {'/'.join(proposed)}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
