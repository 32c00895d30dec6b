"""BORIS parity: our BORIS-compatible kappa and Needleman–Wunsch identity against the values
BORIS's own tests (tests/test_irr.py) assert on its tests/files/test.boris.

Run: .venv/bin/python bench/boris_parity.py PATH/TO/test.boris
Prints one line per asserted value (ours, BORIS's, match) and exits 1 on any mismatch.
Identity on states: BORIS's test file still asserts values from before BORIS 8.11.3 (which
ended the identity grid at the last start); they are checked with that setting, and the
value current BORIS (9.x) gives is printed beside them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from media_cache import unshadow  # bench/ helper: take bench/ off sys.path

unshadow()

from coder.reliability.boris_mode import boris_identity, boris_kappa
from exports.boris import read_boris

S2 = ["subject1", "subject2"]
S3 = ["no_subject", "subject1", "subject2"]
# (observation 1, observation 2, subjects, codes, slice ms, kappa, identity) from test_irr.py
CASES = [
    ("observation #1", "observation #1", S2, ["s", "p"], 1000, 1, 100.0),
    ("observation #1", "observation #2", S2, ["s"], 1000, -0.036, 85.84070796460178),
    ("observation #2", "observation #2 (copy)", S3, ["s"], 1000, 0.988, 99.36708860759494),
    ("observation #2", "observation #2 (copy)", S3, ["s"], 3000, 1, 100.0),
    ("observation #2", "observation #2 (copy)", S3, ["p"], 1000, 0.866, 99.29577464788733),
    ("observation #2", "observation #2 (copy)", S3, ["p"], 3000, 0.798, 97.91666666666666),
    ("observation #2", "observation without events", S3, ["s"], 1000, None, None),
]


def main(path: str) -> int:
    project = read_boris(Path(path))
    obs = {o.name: o for o in project.observations}
    failures = 0
    print(f"{'pair':<52} {'codes':<6} {'slice':>5}  {'ours':>18} {'BORIS':>18}  same")
    for a, b, subjects, codes, slice_ms, want_k, want_i in CASES:
        common = {"scheme": project.scheme, "slice_ms": slice_ms, "codes": codes}
        k = boris_kappa(obs[a].events, obs[b].events, subjects=subjects, names=(a, b), **common)
        got_k = k.value if k.value is not None else -100  # BORIS's "cannot compute"
        rows = [("kappa", got_k, -100 if want_k is None else want_k, "")]
        if want_i is not None:
            old = boris_identity(
                obs[a].events, obs[b].events, subjects=subjects, before_8_11_3=True, **common
            )
            new = boris_identity(obs[a].events, obs[b].events, subjects=subjects, **common)
            extra = f"   (BORIS 9.x: {new.value!r})" if new.value != old.value else ""
            rows.append(("identity", old.value, want_i, extra))
        for what, got, want, extra in rows:
            same = got == want
            failures += not same
            label = f"{a} vs {b}"[:44] + f" {what}"
            print(
                f"{label:<52} {'+'.join(codes):<6} {slice_ms / 1000:>5g}  {got!r:>18} "
                f"{want!r:>18}  {'yes' if same else 'NO'}{extra}"
            )
        if k.reason:
            print(f"    not computable: {k.reason}")
    print(f"{'all match' if not failures else f'{failures} mismatch(es)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench/boris_parity.py PATH/TO/test.boris")
    sys.exit(main(sys.argv[1]))
