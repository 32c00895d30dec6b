"""What a user does to a project, each defined once for the GUI, the CLI and the importers.

Create a project with its scheme, add a session from a video, start an observation, find a
session or an observation by what the user typed, re-link a moved video, open an observation
for coding. Errors are AttuneErrors whose messages name ids and files, never clinical text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coder.app.session import CodingSession
from coder.errors import AttuneError, MediaError, ProjectError
from coder.model import Consent, Media, Observation, Scheme, Session, new_id
from coder.progress import Cancel, Progress, check_cancel, report
from coder.store import Project

if TYPE_CHECKING:
    from coder.media.probe import ProbeResult


def load_scheme_ref(value: str) -> tuple[Scheme, str]:
    """A shipped scheme id or a path to a scheme YAML file -> (scheme, its source text)."""
    from coder import schemes

    if value in schemes.shipped_scheme_paths():
        return schemes.load_shipped(value)
    path = Path(value)
    if not path.is_file():
        known = ", ".join(sorted(schemes.shipped_scheme_paths()))
        raise AttuneError(f"unknown scheme '{value}': not a shipped id ({known}) nor a file")
    scheme = schemes.load_scheme(path)
    return scheme, path.read_text(encoding="utf-8")


def create_project(location: str | Path, scheme: str | tuple[Scheme, str], *, user: str) -> Project:
    """A new project holding ``scheme`` (shipped id, file, or (scheme, text)), open for writing.

    If adopting the scheme fails, the new file is removed again: nothing half-made is left.
    """
    from coder.schemes import scheme_content_hash

    chosen, text = load_scheme_ref(scheme) if isinstance(scheme, str) else scheme
    project = Project.create(location, user=user)
    try:
        project.adopt_scheme(chosen, text, scheme_content_hash(text))
    except BaseException:
        project.close()
        _remove_new_file(project)
        raise
    return project


def _remove_new_file(project: Project) -> None:
    try:
        path = project.path
    except ProjectError:  # a team project on a server: nothing on disk
        return
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def add_session_from_video(
    project: Project,
    video: str | Path,
    *,
    label: str | None = None,
    consent: Consent | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Session:
    """Probe ``video`` (time base from its packets, fingerprint) and add it as a new session.

    The media record, its frame table and the session are written in one transaction.
    """
    from coder.media.probe import media_from_probe, probe

    result = probe(video)
    report(progress, 0.6)
    check_cancel(cancel, "adding the video")
    media = media_from_probe(video, result)
    report(progress, 0.9)
    check_cancel(cancel, "adding the video")
    chosen = (label or "").strip() or Path(video).stem  # the name as given, not as resolved
    session = add_probed_session(project, media, result, label=chosen, consent=consent)
    report(progress, 1.0)
    return session


def add_probed_session(
    project: Project,
    media: Media,
    probed: ProbeResult,
    *,
    label: str | None = None,
    consent: Consent | None = None,
) -> Session:
    """Add an already probed video as a new session (the GUI probes off its thread, then
    writes here on it). Media, frame table and session are one transaction."""
    session = Session(
        id=new_id(),
        label=(label or "").strip() or Path(media.path).stem,
        media_id=media.id,
        consent=consent or Consent(),
    )
    with project.transaction():
        project.add_media(media, probed.frame_times_ms)
        project.add_session(session)
    return session


def new_observation(
    project: Project,
    session: Session,
    coder: str,
    *,
    name: str | None = None,
    blind: bool = False,
    snapshot_id: str | None = None,
) -> Observation:
    """Start ``coder``'s observation of ``session`` with the newest (or the given) scheme."""
    coder = coder.strip()
    if not coder:
        raise ProjectError("an observation needs a coder's name")
    if snapshot_id is None:
        snapshots = project.snapshots()
        if not snapshots:
            raise ProjectError(f"{project.name}: the project has no coding scheme; adopt one first")
        snapshot_id = snapshots[-1].id
    obs = Observation(
        id=new_id(),
        session_id=session.id,
        coder=coder,
        snapshot_id=snapshot_id,
        name=(name or "").strip() or f"{session.label}/{coder}",
        blind=blind,
    )
    project.add_observation(obs)
    return obs


def find_session(project: Project, key: str) -> Session:
    """A session by id or by its label (refused when the label is not unique)."""
    sessions = project.sessions()
    matches = [s for s in sessions if s.id == key] or [s for s in sessions if s.label == key]
    if len(matches) == 1:
        return matches[0]
    what = "several sessions have that label" if matches else "there is no such session"
    raise ProjectError(
        f"{project.name}: {what} ('{key}'); use a session id (attune session list FILE shows them)"
    )


def find_observation(project: Project, key: str) -> Observation:
    """An observation by id, name or "session label/coder", as the project's user may see it."""
    return project.find_observation(key)


def relink_media(project: Project, media_id: str, new_path: str | Path) -> Media:
    """Point a session's video at a moved copy: only the same recording (by fingerprint).

    Imported placeholders (BORIS/ELAN) know only a name and a length: they take any video of
    that length, fingerprinted now.
    """
    from coder.media.fingerprint import fingerprint, matches
    from coder.media.probe import probe

    media = project.media(media_id)
    path = Path(new_path)
    if media.fingerprint.size == 0:
        found = fingerprint(path, probe(path).duration_ms)
    elif matches(path, media.fingerprint):
        found = media.fingerprint
    else:
        raise MediaError(
            f"{path}: not the same recording as this session's video (size or content "
            "differs); choose the original file"
        )
    return project.relink_media(media_id, str(path.resolve()), found)


def open_coding_session(project: Project, observation_key: str) -> CodingSession:
    """The observation (id, name or "label/coder") opened for coding, with its time base."""
    obs = project.find_observation(observation_key)
    return CodingSession.open(project, obs.id)
