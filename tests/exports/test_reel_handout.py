"""The parent reel and handout, made from the demo project and checked frame by frame."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import av
import numpy as np
import pytest

from coder.commands import AddHighlight, CommandStack, EditEvent, EditHighlight
from coder.errors import Cancelled, ConsentError
from coder.media.synth import read_frame_index
from coder.model import new_id
from coder.store import Project
from coder.timebase import TimeBase
from exports.handout import write_handout_html, write_handout_pdf
from exports.handout_content import build_handout_content
from exports.reel import ReelOptions, make_reel

SECRET = "ZZSECRET42"


def demo_index(rgb: np.ndarray) -> int:
    strip = max(4, rgb.shape[0] // 40)  # the demo video's index strip is thin
    return read_frame_index(rgb[:strip])


def seed_secrets(path: Path) -> None:
    """Put a secret into every internal field a parent must never see."""
    with Project.open(path) as project:
        stack = CommandStack(project)
        session = project.sessions()[0]
        for obs in project.observations():
            for e in project.events(obs.id)[:5]:
                stack.push(EditEvent(e.id, note=f"note {SECRET}"))
        for h in project.highlights(session.id):
            title = h.title if h.shareable else f"private {SECRET}"
            stack.push(
                EditHighlight(
                    replace(h, talking_point=f"tp {SECRET}", title=title, theme=f"theme {SECRET}")
                )
            )


def ensure_two_shareable(path: Path) -> None:
    """Two shareable highlights, the second one slowed to half speed."""
    with Project.open(path) as project:
        session = project.sessions()[0]
        stack = CommandStack(project)
        first = project.highlights(session.id)[0]
        stack.push(EditHighlight(replace(first, shareable=True)))
        second = replace(
            first,
            id=new_id(),
            in_ms=12_000,
            out_ms=15_000,
            order=5,
            speed=0.5,
            title="Sharing the fun",
            caption="You both laughed.",
            freeze_points=(),
        )
        stack.push(AddHighlight(second))


def test_reel_frames_holds_captions_audio(demo_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "reel.mp4"
    ensure_two_shareable(demo_copy)
    with Project.open(demo_copy, read_only=True) as project:
        session = project.sessions()[0]
        media = project.media(session.media_id)  # type: ignore[arg-type]
        tb = TimeBase(project.frame_times(media.id), media.duration_ms)
        old_umask = os.umask(0o022)  # a normal umask: the reel must still be owner-only
        try:
            result = make_reel(project, session.id, out, ReelOptions(title_s=1.0))
        finally:
            os.umask(old_umask)
    assert out.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if "reel" in p.name) == ["reel.mp4"]
    assert next(p.kind for p in result.pieces) == "title"
    assert any(p.kind == "hold" for p in result.pieces)
    assert any(p.repeat == 2 for p in result.pieces)  # the demo's slowed highlight
    with av.open(str(out)) as container:
        assert "encoder" not in container.metadata  # metadata stripped
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        audio_s = float(container.streams.audio[0].duration * container.streams.audio[0].time_base)
    assert len(frames) == result.frame_count
    video_s = result.frame_count / result.fps
    assert abs(audio_s - video_s) <= 1024 / 48000 + 1 / result.fps
    position = 0
    for piece in result.pieces:
        chunk = frames[position : position + piece.frames]
        position += piece.frames
        if piece.kind == "title":
            assert np.abs(chunk[0][:9].astype(int) - (250, 243, 232)).mean() < 20
        elif piece.kind == "hold":
            expected = tb.frame_at(piece.start_ms)
            assert {demo_index(f) for f in chunk} == {expected}
        else:
            step = 1000 / result.fps
            wanted = [
                tb.frame_at(piece.start_ms + int((k // piece.repeat) * step))
                for k in range(piece.frames)
            ]
            assert [demo_index(f) for f in chunk] == wanted
            # The caption band darkens the bottom of the picture.
            assert chunk[0][-20:].mean() < 120


def test_reel_refuses_without_consent_and_cancel_leaves_nothing(
    demo_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reel.mp4"
    with Project.open(demo_copy) as project:
        session = project.sessions()[0]
        with pytest.raises(Cancelled):
            make_reel(project, session.id, out, cancel=lambda: True)
        assert list(tmp_path.glob("*reel*")) == []
        project.update_session(
            replace(session, consent=replace(session.consent, show_to_parents=False))
        )
        with pytest.raises(ConsentError, match="highlight reel"):
            make_reel(project, session.id, out)
        with pytest.raises(ConsentError, match="parent handout"):
            build_handout_content(project, session.id)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_handout_has_exact_stills_and_nothing_internal(demo_copy: Path, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    ensure_two_shareable(demo_copy)
    seed_secrets(demo_copy)
    with Project.open(demo_copy, read_only=True) as project:
        session = project.sessions()[0]
        shareable = [h for h in project.highlights(session.id) if h.shareable]
        content = build_handout_content(project, session.id, watermark=True)
        coders = {o.coder for o in project.observations()}
        media_path = project.media(session.media_id).path  # type: ignore[arg-type]
    assert len(content.stills) == len(shareable) >= 2
    html_path = write_handout_html(content, tmp_path / "handout.html")
    pdf_path = write_handout_pdf(content, tmp_path / "handout.pdf")
    html = html_path.read_text(encoding="utf-8")
    parser = _Parser()
    parser.feed(html)
    assert "script" not in parser.tags and parser.tags.count("img") == len(shareable)
    pdf_text = " ".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf_path.read_bytes())).pages
    )
    for text in (html, pdf_text):
        assert SECRET not in text
        assert all(coder not in text for coder in coders)
        assert media_path not in text and "demo-session.mp4" not in text
    assert "For Demo family only" in " ".join(parser.text)
    assert shareable[0].caption.split(",")[0] in " ".join(pdf_text.split())
