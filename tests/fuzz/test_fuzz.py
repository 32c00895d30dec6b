"""Every reader, given mutated input, accepts it or refuses it cleanly: no traceback, no hang,
no leftover file, no clinical text in a message. A fast sample here (ATTUNE_FUZZ_N inputs per
reader, default 40); the long run is ``ATTUNE_FUZZ_N=10000 .venv/bin/python -m tests.fuzz``.
"""

from __future__ import annotations

import pytest

from tests.fuzz.harness import fuzz_n, run_reader


@pytest.mark.parametrize(
    "reader",
    [
        "boris",
        "eaf",
        "csv",
        "json",
        "attune",
        "yaml",
        "bundle",
    ],
)
def test_reader_survives_mutated_input(reader: str) -> None:
    tally = run_reader(reader, fuzz_n())
    print(tally.summary())
    assert tally.clean, tally.summary()
