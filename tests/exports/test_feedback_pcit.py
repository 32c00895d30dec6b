"""Handout skill counts against PCIT-style targets with a trend, and privacy blur in outputs.

Through the privacy gate: only strength skills unless opted in per metric, trend points only
from sessions that may be shown to parents, labelled only with a name typed for parents."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from coder.commands import AddEvent, AddHighlight, CommandStack, Composite
from coder.media.probe import media_from_probe, probe
from coder.media.synth import write_index_video
from coder.model import (
    BlurBox,
    Consent,
    Event,
    FreezePoint,
    Highlight,
    Observation,
    Session,
    new_id,
)
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project
from exports.handout import render_html
from exports.handout_content import build_handout_content
from exports.reel import ReelOptions, make_reel


@pytest.fixture
def pcit(tmp_path: Path) -> Path:
    path = tmp_path / "pcit.attune"
    scheme, text = load_shipped("pcit-style")
    with Project.create(path) as p:
        snap = p.adopt_scheme(scheme, text, scheme_content_hash(text))
        stack = CommandStack(p)
        for week, praises in ((1, 4), (2, 12), (3, 7)):
            video = tmp_path / f"week{week}.mp4"
            write_index_video(video, frames=125, size=(320, 240), audio=True)
            result = probe(video)
            media = media_from_probe(video, result)
            sid = f"s{week}"
            with p.transaction():
                p.add_media(media, result.frame_times_ms)
                p.add_session(
                    Session(
                        sid,
                        f"Week {week}",
                        media.id,
                        family="Rivera",
                        recorded_on=f"2026-11-0{week}",
                        consent=Consent(show_to_parents=week != 3),
                        goal="More praise",
                    )
                )
            p.add_observation(Observation(f"o{week}", sid, "Ana", snap.id))
            adds = [
                AddEvent(Event(new_id(), f"o{week}", "labelled_praise", "parent", 100 + i * 300))
                for i in range(praises)
            ]
            adds.append(AddEvent(Event(new_id(), f"o{week}", "question", "parent", 4000)))
            stack.push(Composite("codes", adds))
            stack.push(
                AddHighlight(
                    Highlight(
                        f"h{week}",
                        sid,
                        1000,
                        3000,
                        title="Great praise",
                        caption="You named what she did",
                        freeze_points=(FreezePoint(2000, "Look"),),
                        shareable=True,
                        blur_boxes=(BlurBox(0.0, 0.0, 0.4, 0.2),),
                    )
                )
            )  # over the sharp index blocks
    return path


def test_handout_counts_skills_against_targets_with_trend(pcit: Path, tmp_path: Path) -> None:
    with Project.open(pcit, read_only=True) as p:
        content = build_handout_content(p, "s2")
    rows = {r.name: r for r in content.skills}
    assert rows["Labelled praises"].value == 12 and rows["Labelled praises"].met is True
    assert rows["Reflections"].met is False
    assert "Questions, commands and negative talk" not in rows  # not strength codes
    praise = next(t for t in content.trends if t.name == "Labelled praises")
    # Week 3 (7 praises) has no consent to be shown to parents: not in the trend, and the
    # session labels are internal: no names unless typed for parents.
    assert praise.labels == ("", "") and praise.values == (4.0, 12.0) and praise.target == 10
    html = render_html(content)
    assert "<svg" in html and "Week" not in html
    assert "Questions" not in html and 7.0 not in praise.values


def test_parent_names_and_opted_in_metrics_are_shown(pcit: Path) -> None:
    from dataclasses import replace

    with Project.open(pcit) as p:
        p.update_session(replace(p.session("s1"), parent_name="First visit"))
        p.update_session(
            replace(p.session("s2"), parent_name="Today", parent_metrics=("qcn_count",))
        )
        content = build_handout_content(p, "s2")
    rows = {r.name: r for r in content.skills}
    qcn = rows["Questions, commands and negative talk"]
    assert qcn.value == 1 and qcn.met is True  # one question, target at most 3
    praise = next(t for t in content.trends if t.name == "Labelled praises")
    assert praise.labels == ("First visit", "Today")


def test_blur_boxes_reach_stills_and_reel(pcit: Path, tmp_path: Path) -> None:
    with Project.open(pcit, read_only=True) as p:
        clear = build_handout_content(p, "s2", frame_source=None)
        result = make_reel(p, "s2", tmp_path / "reel.mp4", ReelOptions(title_s=0.2, captions=False))
    assert clear.stills
    with av.open(str(tmp_path / "reel.mp4")) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == result.frame_count
    from coder.media.decode import FrameDecoder

    source = FrameDecoder(tmp_path / "week2.mp4")
    h, w = frames[0].shape[:2]
    region = (slice(0, int(0.15 * h)), slice(0, int(0.35 * w)))  # inside the blurred box
    sharp = np.mean([source.frame(i).image[region].std() for i in range(25, 75)])
    blurred = np.mean([f[region].std() for f in frames[-40:]])
    source.close()
    assert sharp > 60 and blurred < sharp / 3  # the index blocks are unreadable in the reel
