"""Our agreement statistics against independent implementations (scikit-learn, statsmodels;
test-only dependencies) on many random tables: prints the largest absolute difference.

Run: .venv/bin/python bench/reliability_oracles.py [N]   (N random tables per check, 2000)
Exits 1 when any difference exceeds 1e-12. The test suite checks the same on fewer,
hypothesis-generated tables (tests/core/test_reliability_oracles.py).
"""

from __future__ import annotations

import sys
import warnings

from media_cache import unshadow  # bench/ helper: take bench/ off sys.path

unshadow()

import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from coder.reliability import cohen_kappa, confusion_table, fleiss_kappa, weighted_kappa

LIMIT = 1e-12


def main(n: int) -> int:
    rng = np.random.default_rng(12)
    worst: dict[str, float] = {}
    counted: dict[str, int] = {}

    def note(name: str, ours: float, theirs: float) -> None:
        worst[name] = max(worst.get(name, 0.0), abs(ours - theirs))
        counted[name] = counted.get(name, 0) + 1

    warnings.simplefilter("ignore")
    for _ in range(n):
        k = int(rng.integers(2, 6))
        units = int(rng.integers(4, 80))
        a = rng.integers(0, k, units).tolist()
        b = [x if rng.random() < 0.6 else int(rng.integers(0, k)) for x in a]
        table, _ = confusion_table(a, b)
        ours = cohen_kappa(table)
        if ours.defined:
            note("Cohen kappa vs sklearn", ours.value, cohen_kappa_score(a, b))
            note(
                "Cohen kappa vs statsmodels",
                ours.value,
                cohens_kappa(table, return_results=True).kappa,
            )
        for w in ("linear", "quadratic"):
            wk = weighted_kappa(table, w)  # type: ignore[arg-type]
            if wk.defined and table.shape[0] >= 2:
                note(
                    f"weighted kappa ({w}) vs sklearn", wk.value, cohen_kappa_score(a, b, weights=w)
                )
                note(
                    f"weighted kappa ({w}) vs statsmodels",
                    wk.value,
                    cohens_kappa(table, wt=w).kappa,
                )
        raters = int(rng.integers(2, 6))
        ratings = rng.integers(0, 4, (int(rng.integers(3, 40)), raters))
        pooled, per_unit = (
            fleiss_kappa(ratings.astype(float)),
            fleiss_kappa(ratings.astype(float), chance="per_unit"),
        )
        if pooled.defined:
            expected = sm_fleiss(aggregate_raters(ratings)[0], method="fleiss")
            note("Fleiss kappa (pooled) vs statsmodels", pooled.value, expected)
            note("Fleiss kappa (per unit, no missing) vs statsmodels", per_unit.value, expected)
    bad = False
    for name, diff in worst.items():
        flag = "ok" if diff <= LIMIT else "TOO FAR"
        bad |= diff > LIMIT
        print(f"{name:<52} tables {counted[name]:>5}  max |diff| {diff:.1e}  {flag}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
