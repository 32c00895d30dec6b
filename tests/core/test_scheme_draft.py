"""The scheme form's model: shipped schemes round-trip through it unchanged, cell edits are
parsed (lists, anchors, numbers, choices), new rows get ids from names, and problems are the
scheme loader's own."""

from __future__ import annotations

import pytest

from coder.scheme_draft import SECTIONS, SchemeDraft
from coder.schemes import load_scheme_text, load_shipped, shipped_scheme_paths


def column(section: str, title: str) -> int:
    return [c.title for c in SECTIONS[section]].index(title)


@pytest.mark.parametrize("scheme_id", sorted(shipped_scheme_paths()))
def test_shipped_schemes_round_trip(scheme_id: str) -> None:
    scheme, text = load_shipped(scheme_id)
    draft = SchemeDraft.from_text(text)
    assert draft.problems() == []
    assert load_scheme_text(draft.to_yaml(), "draft") == scheme  # same scheme, field for field


def test_cell_edits_are_parsed_and_checked_by_the_loader() -> None:
    draft = SchemeDraft.from_text(load_shipped("attachment-core")[1])
    codes = draft.table("codes")
    row = [r[0] for r in codes].index("Directing")
    draft.set_cell("codes", row, column("codes", "Name"), "Leading the play")
    draft.set_cell("codes", row, column("codes", "Subjects"), "parent, child")
    scheme = load_scheme_text(draft.to_yaml(), "draft")
    code = scheme.code("directing")  # the id stays: codings refer to it
    assert code.name == "Leading the play" and code.subjects == ("parent", "child")
    rating = [r[0] for r in draft.table("ratings")].index("Warmth (global)")
    draft.set_cell("ratings", rating, column("ratings", "Anchors"), "1=Cold; 4=Mixed; 7=Warm")
    assert draft.cell("ratings", rating, column("ratings", "Anchors")) == "1=Cold; 4=Mixed; 7=Warm"
    scale = load_scheme_text(draft.to_yaml(), "draft").rating("warmth_global")
    assert scale.anchors == {1: "Cold", 4: "Mixed", 7: "Warm"}
    with pytest.raises(ValueError, match="1=Cold; 7=Warm"):
        draft.set_cell("ratings", rating, column("ratings", "Anchors"), "cold to warm")
    with pytest.raises(ValueError, match="point, state"):
        draft.set_cell("codes", row, column("codes", "Kind"), "event")
    with pytest.raises(ValueError, match="number"):
        draft.set_cell("ratings", rating, column("ratings", "Highest"), "seven")
    # A key clash is the loader's problem, reported as such.
    draft.set_cell("codes", row, column("codes", "Key"), "f")
    assert any("key 'f' is already used" in p for p in draft.problems())


def test_new_rows_get_ids_from_their_names() -> None:
    draft = SchemeDraft.from_text(load_shipped("pcit-style")[1])
    first = draft.add_row("codes", "Enthusiastic praise")
    second = draft.add_row("codes", "Enthusiastic praise")
    ids = [r["id"] for r in draft.rows("codes")]
    assert ids[first] == "enthusiastic_praise" and ids[second] == "enthusiastic_praise_2"
    draft.set_cell("codes", first, column("codes", "Key"), "e")
    draft.set_cell("codes", first, column("codes", "Subjects"), "parent")
    draft.set_cell("codes", second, column("codes", "Key"), "h")
    draft.set_cell("codes", second, column("codes", "Subjects"), "parent")
    segment = draft.add_row("segments", "Free play")
    draft.set_cell("segments", segment, column("segments", "Length (s)"), "120")
    metric = draft.add_row("metrics", "Praise count")
    draft.set_cell("metrics", metric, column("metrics", "Codes"), "enthusiastic_praise")
    draft.set_cell("metrics", metric, column("metrics", "Subject"), "parent")
    draft.set_cell("metrics", metric, column("metrics", "Target at least"), "5")
    assert draft.problems() == []
    scheme = load_scheme_text(draft.to_yaml(), "draft")
    assert scheme.code("enthusiastic_praise").key == "e"
    assert [s.duration_s for s in scheme.segments if s.id == "free_play"] == [120]
    (praise,) = [m for m in scheme.metrics if m.id == "praise_count"]
    assert praise.target_min == 5
    draft.remove_row("codes", second)
    assert "enthusiastic_praise_2" not in draft.to_yaml()
