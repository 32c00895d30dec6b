"""A behaviour to analyse: a code, optionally for one subject, written ``code`` or ``code@subject``.

Sequential analyses and the schemes' response metrics name behaviours this way (the CLI's
``--given child_bid@child``, a metric's ``codes: [child_bid@child, attunement@parent]``).
Code and subject ids never contain ``@`` (the scheme validator allows letters, digits, ``_``,
``-`` and ``.``), so the split is unambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coder.errors import AttuneError
from coder.model import Event, Scheme


@dataclass(frozen=True)
class Behaviour:
    code: str
    subject: str | None = None

    @classmethod
    def parse(cls, text: str) -> Behaviour:
        code, _, subject = text.strip().partition("@")
        if not code or (_ and not subject):
            raise AttuneError(f"'{text}' is not a behaviour; write CODE or CODE@SUBJECT")
        return cls(code, subject or None)

    @property
    def label(self) -> str:
        return self.code if self.subject is None else f"{self.code}@{self.subject}"

    def matches(self, event: Event) -> bool:
        return event.code_id == self.code and (
            self.subject is None or event.subject_id == self.subject
        )

    def check(self, scheme: Scheme) -> None:
        """Raise a clear error when the code or subject is not in the scheme."""
        codes = {c.id: c for c in scheme.codes}
        if self.code not in codes:
            known = ", ".join(sorted(codes)) or "none"
            raise AttuneError(f"unknown code '{self.code}' in '{self.label}' (codes: {known})")
        if self.subject is not None:
            allowed = scheme.subjects_for(codes[self.code])
            if self.subject not in allowed:
                raise AttuneError(
                    f"'{self.code}' is not coded for subject '{self.subject}' "
                    f"(its subjects: {', '.join(allowed)})"
                )


@dataclass(frozen=True)
class AnyOf:
    """Several behaviours counted as one (a metric's responses: attunement or warmth)."""

    behaviours: tuple[Behaviour, ...]

    @property
    def label(self) -> str:
        return "|".join(b.label for b in self.behaviours)

    def matches(self, event: Event) -> bool:
        return any(b.matches(event) for b in self.behaviours)


Matcher = Behaviour | AnyOf


def members(matcher: Matcher) -> tuple[Behaviour, ...]:
    return matcher.behaviours if isinstance(matcher, AnyOf) else (matcher,)


def overlap(a: Matcher, b: Matcher) -> bool:
    """True when some event could match both."""
    return any(
        x.code == y.code and (x.subject is None or y.subject is None or x.subject == y.subject)
        for x in members(a)
        for y in members(b)
    )


def parse_all(texts: Iterable[str]) -> list[Behaviour]:
    return [Behaviour.parse(t) for t in texts]


def every_behaviour(scheme: Scheme) -> list[Behaviour]:
    """Every (code, subject) pair the scheme allows, in scheme order."""
    return [Behaviour(c.id, s) for c in scheme.codes for s in scheme.subjects_for(c)]


def classify(event: Event, behaviours: Sequence[Behaviour]) -> int | None:
    """Index of the behaviour ``event`` belongs to (None when it is none of them)."""
    for i, b in enumerate(behaviours):
        if b.matches(event):
            return i
    return None


def check_disjoint(behaviours: Sequence[Behaviour]) -> None:
    """Refuse lists where one event could count as two behaviours (e.g. 'warmth' and
    'warmth@parent'): a sequence needs each event to have exactly one label."""
    seen: dict[str, Behaviour] = {}
    labels: set[str] = set()
    for b in behaviours:
        if b.label in labels:
            raise AttuneError(f"'{b.label}' is listed twice")
        labels.add(b.label)
        other = seen.get(b.code)
        if other is not None and (other.subject is None or b.subject is None):
            raise AttuneError(
                f"'{other.label}' and '{b.label}' overlap; list the code for each subject "
                "separately or once for all subjects"
            )
        seen[b.code] = b
