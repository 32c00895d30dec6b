"""What the fuzz harness runs for each reader, and what counts as a correct answer.

A reader given a damaged file must either accept it (and then everything downstream must work
on what it accepted) or refuse it with an AttuneError whose message names the problem. It must
never raise anything else, never take unbounded time, never repeat clinical text in a message,
and a failed import into a new path must leave no file behind.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz import mutate, seeds


class Violation(Exception):
    """The reader answered, but wrongly (a leftover file, clinical text in a message...)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


def check_message(exc: BaseException) -> None:
    text = str(exc)
    if not text.strip():
        raise Violation("empty-message", type(exc).__name__)
    if seeds.MARKER in text:
        raise Violation("clinical-text", f"{type(exc).__name__} repeats clinical text")


def _no_new_files(folder: Path, before: set[str]) -> None:
    extra = sorted(p.name for p in folder.iterdir() if p.name not in before)
    if extra:
        raise Violation("leftover", f"a failed import left {', '.join(extra)}")


def full_read(path: Path, work: Path) -> None:
    """Open a project read-only and read everything in it, then export it two ways."""
    from coder.store import Project
    from exports.dispatch import write_export

    with Project.open(path, read_only=True) as p:
        p.snapshots()
        p.verify_audit_chain()
        p.audit_log()
        for m in p.media_list():
            p.media(m.id)
            p.frame_times(m.id)
        for s in p.sessions():
            p.session(s.id)
            p.segments(s.id)
            p.highlights(s.id)
            for o in p.observations(s.id):
                p.scheme_for_observation(o.id)
                p.events(o.id)
                p.rating_values(o.id)
        for fmt, name in (("json", "out.json"), ("csv", "out.csv"), ("eaf", "out.eaf")):
            try:
                write_export(p, fmt, work / name)
            except Exception as exc:
                from coder.errors import AttuneError

                if not isinstance(exc, AttuneError):
                    raise
                check_message(exc)


def _import_then_read(
    do_import: Callable[[Path, Path], object], data: bytes, work: Path, suffix: str
) -> None:
    from coder.errors import AttuneError

    src = work / f"input{suffix}"
    src.write_bytes(data)
    before = {p.name for p in work.iterdir()}
    target = work / "new.attune"
    try:
        do_import(target, src)
    except AttuneError as exc:
        check_message(exc)
        _no_new_files(work, before)
        raise
    full_read(target, work)


def run_boris(data: bytes, work: Path) -> None:
    from exports.importers import import_boris

    _import_then_read(lambda t, s: import_boris(t, s), data, work, ".boris")


def run_eaf(data: bytes, work: Path) -> None:
    from exports.importers import import_eaf

    _import_then_read(lambda t, s: import_eaf(t, s), data, work, ".eaf")


def run_csv(data: bytes, work: Path) -> None:
    from exports.importers import import_csv

    _import_then_read(lambda t, s: import_csv(t, s, "attachment-core"), data, work, ".csv")


def run_json(data: bytes, work: Path) -> None:
    from exports.importers import import_json_file

    _import_then_read(lambda t, s: import_json_file(t, s), data, work, ".json")


def run_attune(data: bytes, work: Path) -> None:
    from coder.errors import AttuneError
    from coder.store import Project

    path = work / "damaged.attune"
    path.write_bytes(data)
    try:
        full_read(path, work)
    except AttuneError as exc:
        check_message(exc)
        raise
    try:  # and once for writing (which may migrate it): refuse cleanly or work
        with Project.open(path, user="fuzz") as p:
            p.sessions()
    except AttuneError as exc:
        check_message(exc)
        raise


def run_yaml(data: bytes, work: Path) -> None:
    from coder.errors import AttuneError
    from coder.schemes import load_scheme, load_scheme_text, scheme_content_hash, scheme_to_yaml

    src = work / "scheme.yaml"
    src.write_bytes(data)
    try:
        scheme = load_scheme(src)
    except AttuneError as exc:
        check_message(exc)
        raise
    # An accepted scheme is hashed and stored as text; that text must load back.
    scheme_content_hash(data.decode("utf-8"))
    load_scheme_text(scheme_to_yaml(scheme), "round trip")


def run_bundle(data: bytes, work: Path) -> None:
    """Open a (damaged or hostile) encrypted bundle: refuse it leaving nothing, or read it all."""
    from coder.errors import AttuneError
    from coder.sharing.bundle import open_bundle

    src = work / "in.attunebundle"
    src.write_bytes(data)
    before = {p.name for p in work.iterdir()}
    try:
        report = open_bundle(src, work / "received", seeds.BUNDLE_WORDS)
    except AttuneError as exc:
        check_message(exc)
        _no_new_files(work, before)
        raise
    full_read(report.project, work)


@dataclass(frozen=True)
class Reader:
    name: str
    run: Callable[[bytes, Path], None]
    seeds: Callable[[], list[bytes]]
    mutate: Callable[[bytes, random.Random, Path], bytes]


def _plain(
    fn: Callable[[bytes, random.Random], bytes],
) -> Callable[[bytes, random.Random, Path], bytes]:
    return lambda data, rng, _scratch: fn(data, rng)


def _yaml_seeds() -> list[bytes]:
    from coder.schemes import shipped_scheme_paths

    return [p.read_bytes() for p in shipped_scheme_paths().values()]


READERS: dict[str, Reader] = {
    "boris": Reader(
        "boris", run_boris, lambda: [seeds.file_seed("sample.boris")], _plain(mutate.mutate_boris)
    ),
    "eaf": Reader(
        "eaf", run_eaf, lambda: [seeds.file_seed("sample.eaf")], _plain(mutate.mutate_xml)
    ),
    "csv": Reader(
        "csv", run_csv, lambda: [seeds.file_seed("sample.csv")], _plain(mutate.mutate_csv)
    ),
    "json": Reader("json", run_json, lambda: [seeds.json_seed()], _plain(mutate.mutate_json)),
    "attune": Reader("attune", run_attune, lambda: [seeds.project_seed()], mutate.mutate_sqlite),
    "yaml": Reader("yaml", run_yaml, _yaml_seeds, _plain(mutate.mutate_yaml)),
    "bundle": Reader("bundle", run_bundle, lambda: [seeds.bundle_seed()], mutate.mutate_bundle),
}
