"""The one privacy gate: consent, shareable highlights in order, exact frames, nothing internal."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coder.app.parent import parent_plan
from coder.errors import ConsentError, ProjectError
from coder.model import BlurBox, Consent, FreezePoint, Highlight
from coder.store import Project

SECRET = "SECRET-31c"


def _highlights() -> list[Highlight]:
    return [
        Highlight(
            "late",
            "s1",
            5_010,
            7_000,
            title="Second",
            talking_point=f"tp {SECRET}",
            theme=f"theme {SECRET}",
            order=2,
            shareable=True,
            freeze_points=(FreezePoint(5_050, "Look"), FreezePoint(9_000, "outside")),
            blur_boxes=(BlurBox(0.1, 0.2, 0.3, 0.4),),
        ),
        Highlight("early", "s1", 1_000, 2_000, title="First", order=1, shareable=True),
        Highlight("draft", "s1", 0, 900, title=f"draft {SECRET}", order=0, shareable=False),
    ]


def test_plan_has_shareable_highlights_in_order_on_exact_frames(project: Project) -> None:
    project.update_session(
        replace(
            project.session("s1"),
            consent=Consent(show_to_parents=True),
            label=f"label {SECRET}",
        )
    )
    with project.transaction():
        for h in _highlights():
            project.put_highlight(h, existed=False)
    plan = parent_plan(project, "s1", "the handout")
    assert [h.title for h in plan.highlights] == ["First", "Second"]
    second = plan.highlights[1]
    # 25 fps: 5010 ms is inside frame 125 (5000-5040); 7000 ms is the end of frame 174.
    assert (second.in_ms, second.out_ms) == (5_000, 7_000)
    assert [(p.at_ms, p.caption) for p in second.freeze_points] == [(5_040, "Look")]
    assert [(b.x, b.y, b.w, b.h) for b in second.blur_boxes] == [(0.1, 0.2, 0.3, 0.4)]
    assert SECRET not in repr(plan)
    assert plan.heading == "Our video moments with Rivera"
    assert plan.watermark == "For Rivera only"


def test_plan_refuses_without_consent_or_without_shareable_moments(project: Project) -> None:
    with project.transaction():
        for h in _highlights():
            project.put_highlight(h, existed=False)
    with pytest.raises(ConsentError, match="the reel"):
        parent_plan(project, "s1", "the reel")
    project.update_session(replace(project.session("s1"), consent=Consent(show_to_parents=True)))
    with project.transaction():
        for h in _highlights():
            project.put_highlight(replace(h, shareable=False), existed=True)
    with pytest.raises(ProjectError, match="no highlights marked 'Show to parents'"):
        parent_plan(project, "s1", "the reel")
