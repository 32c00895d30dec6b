"""ELAN interchange: every tier type, exact text and time, report per tier, round trip.

Fixture tests/data/eaf/all_constraints.eaf (hand-written): free-text tiers with non-Latin
text, values differing only by case or punctuation, a one-frame, a zero-length and an empty
annotation; Symbolic Association tiers with (multilingual) vocabularies; a Symbolic
Subdivision tier stored out of order; Time Subdivision tiers with unaligned slots; an
Included In tier; an empty tier; two annotators; extra media and a linked file.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pympi
import pytest
from lxml import etree

from coder.errors import ImportFormatError
from coder.model import Event
from coder.store import Project
from exports.bundle import bundles_from_project
from exports.dispatch import write_export
from exports.eaf import write_eaf
from exports.importers import import_eaf
from tests.exports.eaf_schema import validate_eaf

DATA = Path(__file__).resolve().parents[1] / "data"
XSD = DATA / "EAFv3.0.xsd"
FIXTURE = DATA / "eaf" / "all_constraints.eaf"


def _key(row: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(str(v) for v in row)


def _tiers(path: Path) -> dict[str, list[tuple[object, ...]]]:
    eaf = pympi.Elan.Eaf(str(path))
    return {t: sorted(eaf.get_annotation_data_for_tier(t), key=_key) for t in eaf.get_tier_names()}


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Path, object]:
    target = tmp_path / "p.attune"
    return target, import_eaf(target, FIXTURE)


def _events(project: Project) -> list[Event]:
    return [e for o in project.observations() for e in project.events(o.id)]


def test_round_trip_keeps_every_value_tier_type_link_vocabulary_and_time(
    imported: tuple[Path, object], tmp_path: Path
) -> None:
    target, _ = imported
    out = tmp_path / "back.eaf"
    with Project.open(target, read_only=True) as p:
        notes = write_eaf(bundles_from_project(p), out)
    assert notes == []  # nothing changed form
    assert validate_eaf(out, XSD) == []
    a, b = pympi.Elan.Eaf(str(FIXTURE)), pympi.Elan.Eaf(str(out))
    assert list(b.get_tier_names()) == list(a.get_tier_names())  # same tiers, same order
    assert _tiers(out) == _tiers(FIXTURE)  # every value and time (unaligned stay None)
    for tier in a.get_tier_names():
        assert b.tiers[tier][2] == a.tiers[tier][2]  # attributes: parent, participant, ...
        lt = a.tiers[tier][2]["LINGUISTIC_TYPE_REF"]
        assert b.linguistic_types[lt] == a.linguistic_types[lt]  # constraint, vocabulary
    assert b.controlled_vocabularies == a.controlled_vocabularies  # every language
    for part in ("media_descriptors", "linked_file_descriptors", "licenses", "external_refs"):
        assert getattr(b, part) == getattr(a, part), part
    assert (b.languages, b.locales, b.constraints) == (a.languages, a.locales, a.constraints)
    # Symbolic subdivisions keep their order (the fixture stores the second one first).
    doc = etree.parse(str(out))
    words = doc.xpath("//TIER[@TIER_ID='words@CHI']//REF_ANNOTATION")
    by_id = {w.get("ANNOTATION_ID"): w for w in words}
    second = next(w for w in words if w.findtext("ANNOTATION_VALUE") == "мир")
    assert by_id[second.get("PREVIOUS_ANNOTATION")].findtext("ANNOTATION_VALUE") == "привет"
    # Reference annotations point at the annotation of the same text as before.
    values = {x.get("ANNOTATION_ID"): x.findtext("ANNOTATION_VALUE") for x in doc.iter()
              if x.get("ANNOTATION_ID")}  # fmt: skip
    assoc = {
        values[r.get("ANNOTATION_REF")]: r.findtext("ANNOTATION_VALUE")
        for r in doc.xpath("//TIER[@TIER_ID='vcm@CHI']//REF_ANNOTATION")
    }
    assert assoc == {"dog": "C", "DOG": "N", "привет мир": "C", "こんにちは": "X"}
    # Time Subdivision parts share their parent's boundary slots, as ELAN writes them.
    parent = doc.xpath("//TIER[@TIER_ID='CHI']//ALIGNABLE_ANNOTATION")[0]
    parts = doc.xpath("//TIER[@TIER_ID='syll@CHI']//ALIGNABLE_ANNOTATION")
    assert parts[0].get("TIME_SLOT_REF1") == parent.get("TIME_SLOT_REF1")
    assert parts[0].get("TIME_SLOT_REF2") == parts[1].get("TIME_SLOT_REF1")
    assert parts[1].get("TIME_SLOT_REF2") == parent.get("TIME_SLOT_REF2")


def test_free_text_is_kept_exactly_and_never_becomes_codes(imported: tuple[Path, object]) -> None:
    target, _ = imported
    with Project.open(target, read_only=True) as p:
        scheme = p.snapshots()[0].scheme
        chi = [e for e in _events(p) if e.tier == "CHI"]
        fa1 = [e for e in _events(p) if e.tier == "FA1"]
    texts = [e.text for e in chi]
    assert texts == ["dog", "DOG", "right.", "right!", "привет мир", "こんにちは", ""]
    assert {e.code_id for e in chi} == {"transcription"}  # one code: the tier's type
    assert [e.text for e in fa1] == ["look at the <dog> & cat", "  ok  "]
    names = {c.name for c in scheme.codes}
    assert not names & {"dog", "DOG", "right.", "привет мир"}  # text is not a vocabulary
    assert {"C", "N", "Y", "A", "X"} <= names  # vocabularies (and a value outside one) are


def test_times_are_exact_short_and_zero_length_kept(imported: tuple[Path, object]) -> None:
    target, _ = imported
    with Project.open(target, read_only=True) as p:
        by_text = {e.text: e for e in _events(p) if e.tier == "CHI"}
        syll = sorted((e.onset_ms, e.offset_ms) for e in _events(p) if e.tier == "syll@CHI")
    assert (by_text["right."].onset_ms, by_text["right."].offset_ms) == (5000, 5040)  # 1 frame
    assert (by_text["right!"].onset_ms, by_text["right!"].offset_ms) == (6000, 6000)  # zero
    assert (by_text[""].onset_ms, by_text[""].offset_ms) == (11000, 12000)  # empty, kept
    assert syll == [(1000, 1500), (1500, 2000)]  # unaligned boundary: half way, as ELAN shows


def test_reference_tiers_link_to_their_parent_event(imported: tuple[Path, object]) -> None:
    target, _ = imported
    with Project.open(target, read_only=True) as p:
        events = {e.id: e for e in _events(p)}
        subjects = {s.id: s.name for s in p.snapshots()[0].scheme.subjects}
        codes = {c.id: c.name for c in p.snapshots()[0].scheme.codes}
    vcm = [e for e in events.values() if e.tier == "vcm@CHI"]
    assert {(events[e.parent_id].text, codes[e.code_id]) for e in vcm if e.parent_id} == {
        ("dog", "C"),
        ("DOG", "N"),
        ("привет мир", "C"),
        ("こんにちは", "X"),
    }
    assert all(subjects[e.subject_id] == "CHI" for e in vcm)  # the parent tier's speaker
    words = sorted((e.onset_ms, e.offset_ms, e.text) for e in events.values()
                   if e.tier == "words@CHI" and e.text != "dog")  # fmt: skip
    assert words == [(7000, 7500, "привет"), (7500, 8000, "мир")]  # even shares, in order
    xds = [e for e in events.values() if e.tier == "xds@FA1"]
    adult = next(e for e in xds if events[e.parent_id or ""].text == "  ok  ")
    assert codes[adult.code_id] == "A" and adult.text == "V"  # Dutch value of entry "A" kept


def test_report_has_one_line_per_tier_with_counts(imported: tuple[Path, object]) -> None:
    _, report = imported
    lines = {line.source: line for line in report.lines}  # type: ignore[attr-defined]
    assert list(lines) == [f"tier '{t}'" for t in pympi.Elan.Eaf(str(FIXTURE)).get_tier_names()]
    for line in lines.values():
        assert line.found == line.imported + line.missing
    assert lines["tier 'vcm@CHI'"].found == 4
    assert lines["tier 'vcm@CHI'"].notes == {
        "value outside vocabulary 'vcm', kept as an extra code": 1
    }
    assert "Symbolic Association of 'CHI'" in lines["tier 'vcm@CHI'"].how
    text = report.text()  # type: ignore[attr-defined]
    assert "tier 'comments', 0 annotations: empty; kept" in text
    assert "1 more media file and 1 linked file" in text
    for secret in ("привет", "look at the", "こんにちは"):
        assert secret not in text  # annotation text never appears in a report
    assert (report.sessions, report.observations, report.events) == (1, 2, 24)  # type: ignore[attr-defined]


def test_broken_references_are_reported_per_tier_not_crashed(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace('ANNOTATION_REF="a6"', 'ANNOTATION_REF="a999"')  # missing parent
    text = text.replace('TIME_SLOT_REF2="ts20"', 'TIME_SLOT_REF2="ts404"')  # missing slot
    text = text.replace(
        'PARENT_REF="FA1" TIER_ID="gesture@FA1"', 'PARENT_REF="nobody" TIER_ID="gesture@FA1"'
    )
    src = tmp_path / "broken.eaf"
    src.write_text(text, encoding="utf-8")
    report = import_eaf(tmp_path / "p.attune", src)
    lines = {line.source: line for line in report.lines}
    assert lines["tier 'vcm@CHI'"].not_imported == {
        "the annotation they refer to does not exist": 1
    }
    assert lines["tier 'FA1'"].not_imported == {"they point to a time slot that does not exist": 1}
    # the child of the lost FA1 annotation cannot be timed either: said so, not dropped
    assert lines["tier 'xds@FA1'"].not_imported == {
        "the annotation they refer to is not imported": 1
    }
    assert lines["tier 'gesture@FA1'"].not_imported == {
        "its parent tier 'nobody' is missing or not importable": 1
    }
    assert report.not_imported == 4 and report.events == 20
    assert "annotation a27" in lines["tier 'xds@FA1'"].text()  # the place, to find it


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('TIME_VALUE="5040"', 'TIME_VALUE="-40"'), "ts6.*-40 ms is before the video starts"),
        (('TIME_VALUE="5040"', 'TIME_VALUE="5.04"'), "ts6.*not a whole number"),
        (("<TIME_ORDER>", "<TIME_ORDER><!DOCTYPE x>"), "not valid XML|DTD"),
        (("</ANNOTATION_DOCUMENT>", ""), "line .*not valid XML"),
        (('TIME_UNITS="milliseconds"', 'TIME_UNITS="PAL-frames"'), "PAL-frames, not milliseconds"),
    ],
)
def test_bad_files_are_refused_clearly_and_leave_nothing(
    change: tuple[str, str], message: str, tmp_path: Path
) -> None:
    src = tmp_path / "bad.eaf"
    src.write_text(FIXTURE.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    target = tmp_path / "p.attune"
    with pytest.raises(ImportFormatError, match=f"bad.eaf: .*{message}"):
        import_eaf(target, src)
    assert not target.exists()


def test_file_of_only_empty_annotations_is_imported_with_empty_text(tmp_path: Path) -> None:
    src = tmp_path / "empty.eaf"
    src.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><ANNOTATION_DOCUMENT AUTHOR="" DATE="2024-01-01T00:00:00Z"'
        ' FORMAT="3.0" VERSION="3.0"><HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/><TIME_ORDER>'
        '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="100"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="900"/>'
        '</TIME_ORDER><TIER LINGUISTIC_TYPE_REF="lt" TIER_ID="notes"><ANNOTATION><ALIGNABLE_ANNOTATION'
        ' ANNOTATION_ID="a1" TIME_SLOT_REF1="t1" TIME_SLOT_REF2="t2"><ANNOTATION_VALUE/>'
        '</ALIGNABLE_ANNOTATION></ANNOTATION></TIER><LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="lt"'
        ' TIME_ALIGNABLE="true"/></ANNOTATION_DOCUMENT>',
        encoding="utf-8",
    )
    report = import_eaf(tmp_path / "p.attune", src)
    assert report.events == 1
    with Project.open(tmp_path / "p.attune", read_only=True) as p:
        (event,) = _events(p)
    assert (event.text, event.onset_ms, event.offset_ms) == ("", 100, 900)


def test_several_sessions_give_one_valid_file_each(tmp_path: Path) -> None:
    target = tmp_path / "p.attune"
    import_eaf(target, FIXTURE)
    second = tmp_path / "second.eaf"
    second.write_bytes(FIXTURE.read_bytes())
    import_eaf(target, second)  # the same coders, a second session
    folder = tmp_path / "out"
    with Project.open(target, read_only=True) as p:
        bundles = bundles_from_project(p)
        notes = write_eaf(bundles, tmp_path / "one.eaf")
        write_export(p, "eaf", folder)  # a name without .eaf: a folder of files
    beside = sorted(tmp_path.glob("one*.eaf"))
    assert [f.name for f in beside] == ["one - all_constraints.eaf", "one - second.eaf"]
    assert (
        notes[-1] == "2 sessions: one ELAN file each (one - all_constraints.eaf, one - second.eaf)"
    )
    files = sorted(folder.glob("*.eaf"))
    assert [f.name for f in files] == ["all_constraints.eaf", "second.eaf"]
    for f in [*files, *beside]:
        assert validate_eaf(f, XSD) == []
        assert _tiers(f) == _tiers(FIXTURE)


def test_attune_coding_exports_valid_and_reads_back(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.eaf"
    with Project.open(demo_dir / "demo.attune", read_only=True) as p:
        bundles = bundles_from_project(p)
        write_eaf(bundles, out)
        media = bundles[0].media
    assert validate_eaf(out, XSD) == []
    eaf = pympi.Elan.Eaf(str(out))
    for tier in eaf.get_tier_names():  # Attune's events never overlap within a tier
        spans = sorted(eaf.get_annotation_data_for_tier(tier))
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), tier
    assert media is not None
    url = eaf.media_descriptors[0]["MEDIA_URL"]
    assert url == Path(media.path).resolve().as_uri()
    report = import_eaf(tmp_path / "back.attune", out)
    with Project.open(tmp_path / "back.attune", read_only=True) as back:
        coders = {o.coder: o for o in back.observations()}
        for b in bundles:
            ours = sorted((e.code_id, e.subject_id, e.onset_ms, e.offset_ms) for e in b.events)
            theirs = sorted(
                (e.code_id, e.subject_id, e.onset_ms, e.offset_ms)
                for e in back.events(coders[b.observation.coder].id)
            )
            assert theirs == ours  # code ids, subjects, states' times; points stay points
    assert report.not_imported == 0


def test_placeholder_media_url_is_its_name_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exports.importers import import_boris

    target = tmp_path / "p.attune"
    import_boris(target, DATA / "boris" / "v4_style.boris")  # a placeholder video, no ELAN
    monkeypatch.chdir(tmp_path)
    with Project.open(target, read_only=True) as p:
        write_eaf(bundles_from_project(p), tmp_path / "b.eaf")
    descriptor = pympi.Elan.Eaf(str(tmp_path / "b.eaf")).media_descriptors[0]
    assert descriptor["MEDIA_URL"] == "home1.avi"
    assert descriptor["RELATIVE_MEDIA_URL"] == "./home1.avi"
    assert validate_eaf(tmp_path / "b.eaf", XSD) == []


def test_deleted_parent_sends_children_to_a_named_tier_and_says_so(
    imported: tuple[Path, object], tmp_path: Path
) -> None:
    from coder.commands import CommandStack, DeleteEvents

    target, _ = imported
    with Project.open(target) as p:
        dog = next(e for e in _events(p) if e.tier == "CHI" and e.text == "dog")
        CommandStack(p).push(DeleteEvents((dog.id,)))
        notes = write_eaf(bundles_from_project(p), tmp_path / "x.eaf")
    assert validate_eaf(tmp_path / "x.eaf", XSD) == []
    assert any("vcm@CHI" in n and "'vcm@CHI (parent missing)'" in n for n in notes)
    tiers = _tiers(tmp_path / "x.eaf")
    assert [row[2] for row in tiers["vcm@CHI (parent missing)"]] == ["C"]
    assert "dog" not in [row[2] for row in tiers["CHI"]]


def test_old_eaf_vocabulary_entries_import_and_export_as_eaf3(tmp_path: Path) -> None:
    src = tmp_path / "old.eaf"
    src.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><ANNOTATION_DOCUMENT AUTHOR="x" DATE="2010-01-01T00:00:00Z"'
        ' FORMAT="2.7" VERSION="2.7"><HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/><TIME_ORDER>'
        '<TIME_SLOT TIME_SLOT_ID="t1" TIME_VALUE="0"/><TIME_SLOT TIME_SLOT_ID="t2" TIME_VALUE="500"/>'
        '</TIME_ORDER><TIER LINGUISTIC_TYPE_REF="g" TIER_ID="gaze" PARTICIPANT="Child"><ANNOTATION>'
        '<ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="t1" TIME_SLOT_REF2="t2">'
        "<ANNOTATION_VALUE>face</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>"
        '<LINGUISTIC_TYPE CONTROLLED_VOCABULARY_REF="gazecv" LINGUISTIC_TYPE_ID="g" TIME_ALIGNABLE="true"/>'
        '<CONTROLLED_VOCABULARY CV_ID="gazecv" DESCRIPTION="where the child looks">'
        '<CV_ENTRY DESCRIPTION="at a face">face</CV_ENTRY><CV_ENTRY DESCRIPTION="away">away</CV_ENTRY>'
        "</CONTROLLED_VOCABULARY></ANNOTATION_DOCUMENT>",
        encoding="utf-8",
    )
    import_eaf(tmp_path / "p.attune", src)
    with Project.open(tmp_path / "p.attune", read_only=True) as p:
        scheme = p.snapshots()[0].scheme
        assert {(c.name, c.description) for c in scheme.codes} == {
            ("face", "at a face"),
            ("away", "away"),
        }
        write_eaf(bundles_from_project(p), tmp_path / "new.eaf")
    assert validate_eaf(tmp_path / "new.eaf", XSD) == []
    eaf = pympi.Elan.Eaf(str(tmp_path / "new.eaf"))
    assert eaf.get_annotation_data_for_tier("gaze") == [(0, 500, "face")]
    assert eaf.get_cv_entries("gazecv")["cve0"] == ([("face", "und", "at a face")], None)


def test_short_states_keep_exact_times_and_running_states_are_reported(
    demo_copy: Path, tmp_path: Path
) -> None:
    with Project.open(demo_copy) as p, p.transaction():
        obs = p.observations()[0]
        for e in p.events(obs.id):
            p.delete_event(e.id)
        for i, (code, subject, on, off) in enumerate(
            [
                ("directing", "child", 3000, 3040),  # one frame at 25 fps
                ("directing", "child", 3100, 3101),  # 1 ms: kept, not widened
                ("warmth", "parent", 5000, None),  # a point
                ("following_lead", "parent", 15000, None),  # still running
            ]
        ):
            p.insert_event(Event(f"e{i}", obs.id, code, subject, on, off))
    with Project.open(demo_copy, read_only=True) as p:
        bundles = [b for b in bundles_from_project(p) if b.observation.id == obs.id]
        length = bundles[0].media.duration_ms  # type: ignore[union-attr]
    out = tmp_path / "short.eaf"
    notes = write_eaf(bundles, out)
    assert validate_eaf(out, XSD) == []
    eaf = pympi.Elan.Eaf(str(out))
    spans = sorted(s[:2] for t in eaf.get_tier_names() for s in eaf.get_annotation_data_for_tier(t))
    assert spans == [(3000, 3040), (3100, 3101), (5000, 5040), (15000, length)]
    assert notes == [
        "1 running state (no end yet) written as lasting to the end of the media",
        "1 point event written as one-frame annotations (ELAN annotations have a duration)",
    ]
