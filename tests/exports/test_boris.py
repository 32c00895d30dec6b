"""BORIS interchange: projects of formats 1.6, 4.0 and 7.0, BORIS's event exports, and the
way back (.boris written by Attune, read back by our reader and checked against the project
structure BORIS itself checks when it opens a file).

Fixtures (hand-written, tests/data/boris): v7_two_players.boris (two players with an offset,
an observation time offset, "No focal subject", numeric, multiple and spaced modifier values,
an unpaired START, an unknown behaviour, an NA time), v4_style.boris, v16_comma_modifiers.boris,
tabular_v7.tsv (metadata block + Status), tabular_v8.csv (Behavior type + Modifier #n),
aggregated.tsv (Start/Stop per row, "a   |c " modifiers).
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from coder.errors import ImportFormatError
from coder.store import Project
from exports.boris import read_boris
from exports.boris_write import write_boris
from exports.bundle import bundles_from_project
from exports.importers import import_boris
from ui.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "boris"


def _events(target: Path, observation: str) -> list[tuple[Any, ...]]:
    with Project.open(target, read_only=True) as p:
        obs = p.find_observation(observation)
        scheme = p.scheme_for_observation(obs.id)
        codes = {c.id: c.name for c in scheme.codes}
        subjects = {s.id: s.name for s in scheme.subjects}
        return [
            (codes[e.code_id], subjects[e.subject_id], e.onset_ms, e.offset_ms, dict(e.modifiers))
            for e in p.events(obs.id)
        ]


def test_format_7_two_players_offsets_no_focal_subject_and_modifiers(tmp_path: Path) -> None:
    target = tmp_path / "p.attune"
    report = import_boris(target, DATA / "v7_two_players.boris")
    events = _events(target, "session 1 (coder A)")
    assert ("praise", "Mother", 1500, None, {"praise_m1": "warm"}) in events
    shared = [e for e in events if e[0] == "shared attention"]
    assert shared[0] == ("shared attention", "No focal subject", 2000, 6250, {})  # literal + ""
    assert shared[1] == ("shared attention", "Child", 100000, None, {})  # past player 1's end
    touch = next(e for e in events if e[0] == "touch")
    assert touch == ("touch", "Mother", 7000, 9000, {"touch_m1": "hold", "touch_m2": 3.5})
    gesture = next(e for e in events if e[0] == "gesture")
    assert gesture[4] == {"gesture_m1": ("left", "right")}  # multiple selection
    flat = next(e for e in events if e[2] == 10000)
    assert flat[4] == {"praise_m1": "flat"}  # "flat " in the event, "flat  " in the ethogram
    assert next(e for e in events if e[2] == 95500)[4] == {}  # "None": no value
    # coder B: the observation's time offset (5 s) is taken off
    b = _events(target, "session 1 (coder B)")
    assert [(e[0], e[2], e[3]) for e in b] == [
        ("praise", 1600, None),
        ("shared attention", 2100, 6300),
    ]
    with Project.open(target, read_only=True) as p:
        sessions = {s.label: s for s in p.sessions()}
        assert set(sessions) == {"front", "live visit"}  # both coders of front.mp4 share one
        media = p.media(sessions["front"].media_id)  # type: ignore[arg-type]
        assert media.duration_ms >= 110_000  # player 2 runs to 20 + 90 s
        scheme = p.snapshots()[0].scheme
        assert scheme.modifier("touch_m2").kind.value == "numeric"
        assert [g.codes for g in scheme.groups] == [("shared_attention", "apart")]
    lines = {line.source: line for line in report.lines}
    assert lines["behaviour 'praise'"].not_imported == {
        "they fall before the media starts (after the time offset)": 1
    }
    assert lines["behaviour 'wave' (not in the ethogram)"].missing == 1
    assert lines["behaviour 'gesture'"].not_imported == {
        "their time is missing (NA) or not a number": 1
    }
    assert (
        "START rows without a STOP, imported as still running"
        in lines["behaviour 'shared attention'"].notes
    )
    for line in report.lines:
        assert line.found == line.imported + line.missing
    assert any("more than one player" in n for n in report.notes)


def test_format_4_and_format_1_6_comma_separated_modifiers(tmp_path: Path) -> None:
    import_boris(tmp_path / "a.attune", DATA / "v4_style.boris")
    events = _events(tmp_path / "a.attune", "home 1")
    assert ("read", "Mum", 3040, 20000, {"read_m1": "story"}) in events  # paired by modifiers
    assert ("read", "Mum", 21000, None, {"read_m1": "picture"}) in events
    import_boris(tmp_path / "b.attune", DATA / "v16_comma_modifiers.boris")
    events = _events(tmp_path / "b.attune", "visit")
    assert [e[4] for e in events if e[0] == "vocal"] == [
        {"vocal_m1": "babble", "vocal_m2": "high"},
        {"vocal_m1": "word", "vocal_m2": "low"},
        {"vocal_m1": "coo"},
    ]
    assert ("look", "Adult", 2500, 8000, {}) in events


def test_gzipped_cut_short_and_unknown_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = (DATA / "v4_style.boris").read_bytes()
    gz = tmp_path / "p.boris.gz"
    gz.write_bytes(gzip.compress(raw))
    assert import_boris(tmp_path / "a.attune", gz).events == 3
    cut = tmp_path / "cut.boris"
    cut.write_bytes(raw[:300])
    target = tmp_path / "b.attune"
    with pytest.raises(ImportFormatError, match="cut.boris: line .*not valid JSON"):
        import_boris(target, cut)
    assert not target.exists()
    bomb = tmp_path / "bomb.boris"
    monkeypatch.setattr("exports.boris.MAX_INFLATED_BYTES", 2**20)  # the limit, scaled down
    bomb.write_bytes(gzip.compress(b" " * (2**20 + 1)))
    with pytest.raises(ImportFormatError, match="bomb.boris: unpacks to more than"):
        import_boris(target, bomb)


@pytest.mark.parametrize(
    ("name", "observation", "expected"),
    [
        (
            "tabular_v7.tsv",
            "session 7",
            [
                ("shared attention", "Mother", 1300, 5750, {}),
                ("shared attention", "Child", 2000, 7500, {}),
                ("praise", "No focal subject", 6000, None, {}),
                ("apart", "Mother", 13000, None, {}),
            ],
        ),
        (
            "tabular_v8.csv",
            "visit 3",
            [
                ("touch", "Mother", 1000, 4500, {"touch_m1": "hold", "touch_m2": 2.5}),
                ("praise", "Mother", 2040, None, {"praise_m1": "warm"}),
                ("gesture", "Child", 5000, None, {"gesture_m1": ("left", "right")}),
                ("touch", "Mother", 6000, None, {"touch_m1": "stroke", "touch_m2": 1.0}),
            ],
        ),
        (
            "aggregated.tsv",
            "visit 9",
            [
                ("shared attention", "No focal subject", 1800, 8125, {}),
                ("praise", "Mother", 9000, None, {"praise_m1": "a"}),
                ("praise", "Mother", 12663, None, {"praise_m1": "a", "praise_m2": "c"}),
                ("praise", "Mother", 20135, None, {"praise_m2": "111"}),
                ("shared attention", "Child", 30000, None, {}),
            ],
        ),
    ],
)
def test_borises_own_event_exports(
    name: str, observation: str, expected: list[tuple[Any, ...]], tmp_path: Path
) -> None:
    target = tmp_path / "p.attune"
    report = import_boris(target, DATA / name)
    assert _events(target, observation) == expected
    for line in report.lines:
        assert line.found == line.imported + line.missing


def test_boris_export_as_xlsx_and_hand_trimmed_table(tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = list(csv.reader((DATA / "tabular_v8.csv").open(encoding="utf-8")))
    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    book.save(tmp_path / "visit.xlsx")
    import_boris(tmp_path / "x.attune", tmp_path / "visit.xlsx")
    assert len(_events(tmp_path / "x.attune", "visit 3")) == 4
    trimmed = tmp_path / "trimmed.csv"
    trimmed.write_text("\n".join(",".join(r[:14] + r[15:]) for r in rows), encoding="utf-8")
    with pytest.raises(ImportFormatError, match="no 'Status' or 'Behavior type' column"):
        import_boris(tmp_path / "y.attune", trimmed)


def _check_like_boris(data: dict[str, Any]) -> list[str]:
    """The checks BORIS runs when it opens a project (project_functions.check_project_integrity
    and open_project_json), written independently: keys, behaviours and subjects defined,
    states paired per subject/behaviour/modifiers, categories listed, no spaced modifier values,
    media info for every file."""
    problems = []
    for key in ("project_format_version", "subjects_conf", "behaviors_conf", "observations",
                "behavioral_categories", "independent_variables", "coding_map"):  # fmt: skip
        if key not in data:
            problems.append(f"no {key}")
    ethogram = {b["code"]: b for b in data["behaviors_conf"].values()}
    subjects = {s["name"] for s in data["subjects_conf"].values()}
    for b in ethogram.values():
        if b["category"] and b["category"] not in data["behavioral_categories"]:
            problems.append(f"category {b['category']} not listed")
        for m in b["modifiers"].values():
            problems += [f"spaced value {v!r}" for v in m["values"] if v != v.strip()]
    for name, obs in data["observations"].items():
        for k in ("type", "file", "date", "description", "time offset", "events"):
            if k not in obs:
                problems.append(f"{name}: no {k}")
        open_count: dict[tuple[str, str, str], int] = {}
        for t, subject, code, modifier, _comment in obs["events"]:
            if code not in ethogram:
                problems.append(f"{name}: behaviour {code} not in ethogram")
            if subject and subject not in subjects:
                problems.append(f"{name}: subject {subject} not defined")
            if not -2147483647 <= t <= 2147483647:
                problems.append(f"{name}: time {t}")
            if code in ethogram and "State" in ethogram[code]["type"]:
                key = (subject, code, modifier)
                open_count[key] = open_count.get(key, 0) + 1
        unpaired = [k for k, n in open_count.items() if n % 2]
        problems += [f"{name}: unpaired {k}" for k in unpaired]
        for files in obs["file"].values():
            for f in files:
                for info in ("length", "fps", "hasVideo", "hasAudio"):
                    if f not in obs.get("media_info", {}).get(info, {}):
                        problems.append(f"{name}: {f} has no {info}")
    return problems


def _semantic(project: Any) -> dict[str, list[tuple[Any, ...]]]:
    names = {c.id: c.name for c in project.scheme.codes}
    subjects = {s.id: s.name for s in project.scheme.subjects}
    return {
        o.name: sorted(
            (
                names[e.code_id],
                subjects[e.subject_id],
                e.onset_ms,
                e.offset_ms,
                tuple(sorted(e.modifiers.items())),
            )
            for e in o.events
        )
        for o in project.observations
    }


def test_boris_export_reads_back_with_the_same_events(tmp_path: Path) -> None:
    target = tmp_path / "p.attune"
    import_boris(target, DATA / "v7_two_players.boris")
    out = tmp_path / "back.boris"
    with Project.open(target, read_only=True) as p:
        notes = write_boris(bundles_from_project(p), out)
    assert notes == ["2 running states (no end yet) written as a START without a STOP"]
    original, back = read_boris(DATA / "v7_two_players.boris"), read_boris(out)
    ours, theirs = _semantic(original), _semantic(back)
    assert theirs == ours  # every event, subject, modifier and time, per observation
    data = json.loads(out.read_text(encoding="utf-8"))
    problems = _check_like_boris(data)
    assert [p for p in problems if "unpaired" not in p] == []
    assert len([p for p in problems if "unpaired" in p]) == 2  # the two running states
    obs_a = data["observations"]["session 1 (coder A)"]
    assert obs_a["file"] == {"1": ["front.mp4"], "2": ["side.mp4"]}  # both players kept
    assert obs_a["media_info"]["offset"] == {"1": 0.0, "2": 20.0}
    assert data["observations"]["session 1 (coder B)"]["time offset"] == 5.0
    assert data["observations"]["session 1 (coder B)"]["events"][0][0] == 6.6  # BORIS time again
    ethogram = {b["code"]: b for b in data["behaviors_conf"].values()}
    assert ethogram["touch"]["modifiers"]["1"] == {"name": "intensity", "type": 2, "values": []}
    assert ethogram["shared attention"]["excluded"] == "apart"


def test_attune_coding_exports_to_boris(demo_dir: Path, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "demo.boris"
    assert (
        main(["export", str(demo_dir / "demo.attune"), "--format", "boris", "--out", str(out)]) == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert _check_like_boris(data) == []
    with Project.open(demo_dir / "demo.attune", read_only=True) as p:
        bundles = bundles_from_project(p)
        names = {c.id: c.name for c in bundles[0].scheme.codes}
        ours = {
            b.observation.name: sorted(
                (names[e.code_id], e.onset_ms, e.offset_ms) for e in b.events
            )
            for b in bundles
        }
    back = read_boris(out)
    back_names = {c.id: c.name for c in back.scheme.codes}
    theirs = {
        o.name: sorted((back_names[e.code_id], e.onset_ms, e.offset_ms) for e in o.events)
        for o in back.observations
    }
    assert theirs == ours


def test_cli_prints_the_report(tmp_path: Path, capsys: Any) -> None:
    target = tmp_path / "p.attune"
    assert main(["import", str(target), "--from", "boris", str(DATA / "v7_two_players.boris")]) == 0
    out = capsys.readouterr().out
    assert "behaviour 'wave' (not in the ethogram), 1 row: 1 not imported" in out
    assert "Imported 3 observations, 11 events (2 new sessions); 3 rows not imported into" in out


def test_chosen_observations_only_and_a_missing_name_is_refused(tmp_path: Path) -> None:
    for name, obs in (("v7_two_players.boris", "live visit"), ("tabular_v7.tsv", "session 7")):
        import_boris(tmp_path / f"all-{name}.attune", DATA / name)
        report = import_boris(tmp_path / f"one-{name}.attune", DATA / name, [obs])
        assert report.observations == 1
        with Project.open(tmp_path / f"one-{name}.attune", read_only=True) as p:
            assert [o.name for o in p.observations()] == [obs]
        everything = _events(tmp_path / f"all-{name}.attune", obs)
        assert _events(tmp_path / f"one-{name}.attune", obs) == everything and everything
    for name in ("v7_two_players.boris", "tabular_v7.tsv"):
        target = tmp_path / f"c-{name}.attune"
        with pytest.raises(ImportFormatError, match=f"{name}: no observation named nope"):
            import_boris(target, DATA / name, ["nope"])
        assert not target.exists()
