import itertools

from coder.analysis.highlights import suggest_highlights
from coder.model import Code, CodeKind, Event, Scheme, Subject, Valence

SCHEME = Scheme(
    id="t",
    name="t",
    version="1",
    subjects=(Subject("parent", "Parent"), Subject("child", "Child")),
    codes=(
        Code("lead", "Following the lead", CodeKind.STATE, valence=Valence.STRENGTH),
        Code("warm", "Warmth", CodeKind.POINT, valence=Valence.STRENGTH),
        Code("repair", "Repair", CodeKind.POINT, valence=Valence.STRENGTH),
        Code("rupture", "Rupture", CodeKind.POINT, valence=Valence.CONCERN),
        Code("talk", "Talk", CodeKind.POINT, valence=Valence.NEUTRAL),
    ),
)


def ev(i: str, code: str, on: int, off: int | None = None) -> Event:
    return Event(i, "o", code, "parent", on, off)


def test_ranks_dense_strength_windows_and_never_links_concerns() -> None:
    events = [
        ev("a", "warm", 5_000),
        ev("b", "lead", 40_000, 48_000),
        ev("c", "warm", 42_000),
        ev("d", "warm", 44_000),
        ev("r", "rupture", 70_000),
        ev("e", "repair", 74_000),
        ev("t", "talk", 41_000),
    ]
    got = suggest_highlights(SCHEME, events, 120_000, max_count=3)
    assert next(s.event_ids for s in got) == ("b", "c", "d")
    assert got[0].score == 8.0  # 6 s state (capped) + 2 points
    assert all("r" not in s.event_ids and "t" not in s.event_ids for s in got)
    assert all("Rupture" not in s.reason for s in got)
    # The repair window slides off the rupture itself and says it holds a repair.
    repair = next(s for s in got if "e" in s.event_ids)
    assert repair.in_ms > 70_000 and "repair after a difficult moment" in repair.reason
    # Windows do not overlap and stay inside the session.
    spans = sorted((s.in_ms, s.out_ms) for s in got)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert all(0 <= s.in_ms < s.out_ms <= 120_000 for s in got)


def test_no_strength_codes_means_no_suggestions() -> None:
    assert suggest_highlights(SCHEME, [ev("r", "rupture", 1000)], 60_000) == []
    assert suggest_highlights(SCHEME, [], 60_000) == []


def test_short_session_window_is_clamped() -> None:
    got = suggest_highlights(SCHEME, [ev("a", "warm", 3_000)], 4_000)
    assert len(got) == 1 and got[0].in_ms == 0 and got[0].out_ms == 4_000


def test_window_pushed_off_a_concern_past_all_strengths_is_dropped() -> None:
    # The only strength moment sits inside a long concern state: no window can avoid it.
    scheme = Scheme(
        id="t",
        name="t",
        version="1",
        subjects=SCHEME.subjects,
        codes=(*SCHEME.codes, Code("dis", "Disengaged", CodeKind.STATE, valence=Valence.CONCERN)),
    )
    events = [ev("w", "warm", 3_000), ev("d", "dis", 2_000, 4_000)]
    got = suggest_highlights(scheme, events, 20_000, length_ms=5_000)
    assert all("w" in s.event_ids for s in got)
