"""Seed inputs for the fuzz harness: small, valid files of every format a reader accepts.

BORIS, ELAN and CSV seeds are files in ``seeds/``; the project file, its JSON export and the
scheme YAML are made from the code at run time so they follow the current schema. Every seed
carries the marker ``SECRET`` in clinical text (notes, talking points, goals), so the harness
can check that no error message ever repeats clinical text.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

SEEDS = Path(__file__).parent / "seeds"
MARKER = "SECRET"


@functools.cache
def project_seed() -> bytes:
    """A small project: one video record, two sessions, two coders, every kind of row."""
    from coder.model import (
        BlurBox,
        Consent,
        Event,
        Fingerprint,
        FreezePoint,
        Highlight,
        Media,
        Observation,
        RatingValue,
        Segment,
        Session,
    )
    from coder.schemes import load_shipped, scheme_content_hash
    from coder.store import Project

    folder = Path(tempfile.mkdtemp(prefix="attune-fuzz-seed-"))
    path = folder / "seed.attune"
    with Project.create(path, user="fuzz") as p:
        scheme, text = load_shipped("attachment-core")
        snap = p.adopt_scheme(scheme, text, scheme_content_hash(text))
        fingerprint = Fingerprint(1000, "a" * 64, "b" * 64, 60_000)
        with p.transaction():
            p.add_media(
                Media("m1", "/videos/week1.mp4", fingerprint, 60_000, 25.0, 320, 240),
                [i * 40 for i in range(1500)],
            )
            for sid, label in (("s1", "Week 1"), ("s2", "Week 2")):
                p.add_session(
                    Session(
                        sid,
                        label,
                        "m1",
                        family="Rivera",
                        recorded_on=f"2026-01-0{sid[1]}",
                        consent=Consent(show_to_parents=True, research=sid == "s1"),
                        goal=f"goal {MARKER}-goal",
                        practice_point=f"practice {MARKER}-practice",
                    )
                )
        for oid, sid, coder in (("o1", "s1", "Ana"), ("o2", "s1", "Ben"), ("o3", "s2", "Ana")):
            p.add_observation(Observation(oid, sid, coder, snap.id, name=f"{sid}/{coder}"))
        with p.transaction():
            for oid in ("o1", "o2", "o3"):
                for k in range(12):
                    state = k % 3 == 0
                    p.insert_event(
                        Event(
                            f"{oid}e{k}",
                            oid,
                            "following_lead" if state else "attunement",
                            "parent",
                            1000 + k * 2500,
                            1000 + k * 2500 + 1200 if state else None,
                            {"intensity": "high", "channel": ("words", "face")} if k % 4 else {},
                            f"note {MARKER}-{oid}-{k}" if k % 2 else "",
                        )
                    )
                p.put_rating(RatingValue(f"{oid}r", oid, "warmth_global", 5.0, None))
            p.put_segment(Segment("g1", "s1", "Child-led play", 0, 30_000, None), existed=False)
            p.put_highlight(
                Highlight(
                    "h1",
                    "s1",
                    2000,
                    6000,
                    title="You followed her lead",
                    caption="She showed you the tower",
                    child_voice="Look!",
                    talking_point=f"talking {MARKER}-tp",
                    freeze_points=(FreezePoint(3000, "Her face", 2.0),),
                    speed=0.5,
                    shareable=True,
                    event_ids=("o1e0",),
                    blur_boxes=(BlurBox(0.1, 0.1, 0.2, 0.2),),
                ),
                existed=False,
            )
    data = path.read_bytes()
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    return data


@functools.cache
def json_seed() -> bytes:
    from coder.store import Project
    from exports.json_io import write_json

    folder = Path(tempfile.mkdtemp(prefix="attune-fuzz-seed-"))
    try:
        (folder / "seed.attune").write_bytes(project_seed())
        with Project.open(folder / "seed.attune", read_only=True) as p:
            write_json(p, folder / "seed.json", include_notes=True)
        return (folder / "seed.json").read_bytes()
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


@functools.cache
def yaml_seed() -> bytes:
    from coder.schemes import shipped_scheme_paths

    return shipped_scheme_paths()["pcit-style"].read_bytes()


def file_seed(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


BUNDLE_WORDS = "fuzzing passphrase"


def seal(plain: bytes) -> bytes:
    """``plain`` sealed as a bundle body with the fuzz passphrase (cheap key derivation)."""
    import io

    from coder.sharing.sealed import SealingWriter

    out = io.BytesIO()
    writer = SealingWriter(out, BUNDLE_WORDS, scrypt_n=1 << 10, chunk=4096)
    writer.write(plain)
    writer.finish()
    return out.getvalue()


@functools.cache
def bundle_plain() -> bytes:
    """The archive inside a bundle of the project seed (manifest + project file)."""
    import io

    from coder.sharing.bundle import make_bundle
    from coder.sharing.sealed import OpeningReader

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "seed.attune"
        project.write_bytes(project_seed())
        out = Path(folder) / "seed.attunebundle"
        make_bundle(project, out, BUNDLE_WORDS, scrypt_n=1 << 10, chunk=4096)
        reader = OpeningReader(io.BytesIO(out.read_bytes()), BUNDLE_WORDS, out.name)
        return reader.read()


def bundle_seed() -> bytes:
    return seal(bundle_plain())
