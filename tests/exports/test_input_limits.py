"""Bad input gets a clear error in bounded time and memory, and leaves nothing behind.

Reproduces issue 10's findings: a 342-byte YAML alias bomb ran without bound (scheme validate,
project new, a scheme inside a JSON import); JSON files with Infinity, negative times or fps 0
were accepted and then crashed every export; a failed import into a new path left an empty
project file; a length of 10^11 s built a frame table of that size.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coder.errors import AttuneError, ImportFormatError, MediaError
from coder.store import Project
from coder.timebase import TimeBase
from exports.dispatch import write_export
from exports.importers import import_json_file
from tests.fuzz.seeds import json_seed

ROOT = Path(__file__).resolve().parents[2]

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "",
    ]
)


def _attune(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process with a memory cap, so an unbounded input cannot hurt us."""
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
        "from ui.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def test_yaml_alias_bomb_is_refused_at_once_everywhere(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    assert len(BOMB) < 400
    doc = json.loads(json_seed())
    doc["schemes"][0]["source_text"] = BOMB
    (tmp_path / "bomb.json").write_text(json.dumps(doc), encoding="utf-8")
    for args in (
        ("scheme", "validate", str(bomb)),
        ("project", "new", str(tmp_path / "p.attune"), "--scheme", str(bomb)),
        ("import", str(tmp_path / "q.attune"), "--from", "json", str(tmp_path / "bomb.json")),
    ):
        result = _attune(*args)
        assert result.returncode == 1, (args, result.stderr[-500:])
        assert "anchors and aliases" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "p.attune").exists() and not (tmp_path / "q.attune").exists()


def _damaged(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(json_seed())
    for dotted, value in changes.items():
        kind, index, field = dotted.split("__")
        doc[kind][int(index)][field] = value
    return doc


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"events__0__onset_ms": float("inf")}, None),  # written as Infinity
        ({"events__0__onset_ms": -5}, "events[0]"),
        ({"events__1__offset_ms": 10**30}, "events[1]"),
        ({"media__0__fps": float("nan")}, None),
        ({"media__0__fps": -25}, "media[0]"),
        ({"media__0__duration_ms": 10**14}, "media[0]"),
        ({"media__0__frame_times_ms": [0, -40, 10**18]}, "media[0]"),
        ({"highlights__0__out_ms": 10}, "highlights[0]"),
        ({"highlights__0__speed": 0}, "highlights[0]"),
        ({"highlights__0__freeze_points": [{"at_ms": 3000, "hold_s": 1e308}]}, "highlights[0]"),
        ({"ratings__0__value": "high"}, "ratings[0]"),
        ({"sessions__0__consent": {"show_to_parents": "yes"}}, "sessions[0]"),
    ],
)
def test_json_values_no_export_could_handle_are_refused_and_leave_no_file(
    tmp_path: Path, changes: dict[str, Any], where: str | None
) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps(_damaged(**changes)), encoding="utf-8")
    target = tmp_path / "new.attune"
    with pytest.raises(ImportFormatError) as caught:
        import_json_file(target, src)
    message = str(caught.value)
    assert "in.json" in message and (where is None or where in message), message
    assert "SECRET" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json"]  # nothing left behind


def test_failed_import_into_an_existing_project_changes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_bytes(json_seed())
    target = tmp_path / "p.attune"
    import_json_file(target, src)
    before = target.read_bytes()
    with pytest.raises(ImportFormatError, match="this project already has some of the file"):
        import_json_file(target, src)  # the same ids again
    with Project.open(target, read_only=True) as p:
        assert len(p.sessions()) == 2 and p.verify_audit_chain() == []
    assert target.read_bytes() == before


def test_an_accepted_json_file_exports_in_every_format(tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_bytes(json_seed())
    import_json_file(tmp_path / "p.attune", src)
    with Project.open(tmp_path / "p.attune", read_only=True) as p:
        for fmt, name in (
            ("csv", "e.csv"),
            ("xlsx", "e.xlsx"),
            ("json", "e.json"),
            ("eaf", "e.eaf"),
            ("srt", "e.srt"),
            ("summary", "e.html"),
            ("timeline-svg", "t.svg"),
        ):
            write_export(p, fmt, tmp_path / name)
            # several sessions give one ELAN file each ("e - <session>.eaf")
            written = list(tmp_path.glob(f"{Path(name).stem}*{Path(name).suffix}"))
            assert written and all(f.stat().st_size > 0 for f in written)


def test_absurd_video_lengths_are_refused_before_a_frame_table_is_built() -> None:
    with pytest.raises(MediaError, match="frame table"):
        TimeBase.constant(25.0, 10**14)  # 10^11 s
    with pytest.raises(MediaError, match="frame table"):
        TimeBase.constant(0.0, 60_000)
    assert isinstance(MediaError("x"), AttuneError)
    assert TimeBase.constant(25.0, 60_000).frame_count == 1500


def test_json_export_follows_the_notes_and_research_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ui.cli import main as cli

    src = tmp_path / "in.json"
    src.write_bytes(json_seed())
    project = tmp_path / "p.attune"
    import_json_file(project, src)
    plain, full = tmp_path / "plain.json", tmp_path / "full.json"
    assert cli(["export", str(project), "--format", "json", "--out", str(plain)]) == 0
    text = plain.read_text(encoding="utf-8")
    assert "SECRET-o1" not in text and "SECRET-tp" not in text  # no notes, no talking points
    assert '"note": ""' in text and '"talking_point": ""' in text
    args = ["export", str(project), "--format", "json", "--include-notes", "--out", str(full)]
    assert cli(args) == 0
    assert "SECRET-o1-1" in full.read_text(encoding="utf-8")
    research = tmp_path / "research.json"
    capsys.readouterr()
    args = ["export", str(project), "--format", "json", "--research", "--out", str(research)]
    assert cli(args) == 1  # Week 2 has no research consent
    assert "no consent for research" in capsys.readouterr().err
    assert not research.exists()


def test_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunk = b"\0" * (1 << 20)
    bomb = b"".join(packer.compress(chunk) for _ in range(300)) + packer.flush()  # 300 MB
    assert len(bomb) < 1 << 20
    path = tmp_path / "p.boris.gz"
    path.write_bytes(bomb)
    run = _attune("import", str(tmp_path / "new.attune"), str(path), "--from", "boris")
    assert run.returncode == 1, run.stderr
    assert "more than 256 MB" in run.stderr and "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.boris.gz"]
    # an honest gzipped BORIS project (two gzip members) still imports
    import gzip

    from exports.importers import import_boris

    seed = (ROOT / "tests" / "fuzz" / "seeds" / "sample.boris").read_bytes()
    path.write_bytes(gzip.compress(seed) + gzip.compress(b""))
    assert import_boris(tmp_path / "ok.attune", path).events == 8


def test_rating_scales_beyond_any_real_size_are_refused_not_a_crash() -> None:
    from coder.errors import SchemeError
    from coder.schemes import load_scheme_text
    from tests.core.test_schemes import VALID

    for scale in (
        "{min: 0, max: .inf}",
        "{min: -.inf, max: 7}",
        "{min: -1.0e+308, max: 1.0e+308}",
        "{min: 0, max: 1000001}",
    ):
        text = VALID.replace("{min: 1, max: 7, anchors: {1: cold, 7: warm}}", scale)
        assert text != VALID
        with pytest.raises(SchemeError) as info:
            load_scheme_text(text, "huge.yaml")
        assert any("more than 1000 points" in p for p in info.value.problems), info.value.problems


def test_lone_surrogates_are_refused_in_json_and_by_the_store(tmp_path: Path) -> None:
    from coder.errors import CommandError

    doc = json.loads(json_seed())
    doc["sessions"][0]["label"] = "\ud800"
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(doc), encoding="utf-8")  # ASCII: the escape "\\ud800"
    with pytest.raises(ImportFormatError, match="not valid Unicode"):
        import_json_file(tmp_path / "new.attune", src)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]
    with Project.create(tmp_path / "p.attune") as project:
        from coder.model import Fingerprint, Media

        media = Media("m\udc00", "v.mp4", Fingerprint(1, "a", "b", 1000), 1000, 25.0)
        with pytest.raises(CommandError, match="not valid Unicode"):
            project.add_media(media, [0, 40])
        with pytest.raises(CommandError, match="too large to store"):
            project.db.execute("SELECT ?", (10**30,))
