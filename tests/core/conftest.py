from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.model import Consent, Fingerprint, Media, Observation, Session
from coder.schemes import load_shipped, scheme_content_hash
from coder.store import Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A project with the attachment-core scheme, one session and one observation."""
    p = Project.create(tmp_path / "p.attune", user="tester")
    scheme, text = load_shipped("attachment-core")
    snap = p.adopt_scheme(scheme, text, scheme_content_hash(text))
    media = Media(
        "m1",
        str(tmp_path / "video.mp4"),
        Fingerprint(10, "a" * 64, "b" * 64, 60_000),
        60_000,
        25.0,
        160,
        120,
    )
    with p.transaction():
        p.add_media(media, [i * 40 for i in range(1500)])
        p.add_session(Session("s1", "Week 1", "m1", family="Rivera", consent=Consent()))
    p.add_observation(Observation("o1", "s1", "Therapist A", snap.id, name="Week 1/Therapist A"))
    yield p
    p.close()


# The parametrised store suite's fixtures (one project per backend), see store_fixtures.py.
from tests.core.store_fixtures import (  # noqa: E402, F401
    backend_name,
    new_location,
    store,
)
