"""Headless CLI: add and list events, coded the way a key press codes them. Qt-free."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from coder.errors import CommandError
from coder.model import Code, Event, ModifierKind, ModifierValue, Scheme, new_id
from ui.cli_common import open_project


def register(sub: Any) -> None:
    p_events = sub.add_parser("events", help="add and list events")
    se = p_events.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    p_eadd = se.add_parser(
        "add",
        help="code one event (prints its id once durable)",
        description="Codes one event as the app does: times snap to the video's frame grid "
        "and must lie inside the video; without --until, a state code starts (or, given "
        "again, ends) a state like its key; exclusive groups never overlap.",
    )
    p_eadd.add_argument("file")
    p_eadd.add_argument("--observation", required=True, help="observation id or name")
    p_eadd.add_argument("--code", required=True, help="code id")
    p_eadd.add_argument("--subject", default=None, help="subject id (default: as a key press)")
    p_eadd.add_argument("--at", type=int, required=True, metavar="MS", help="time in ms")
    p_eadd.add_argument(
        "--until", type=int, default=None, metavar="MS", help="end of a state in ms"
    )
    p_eadd.add_argument("--modifier", action="append", default=[], metavar="K=V")
    p_eadd.add_argument("--note", default="")
    p_eadd.set_defaults(handler=_events_add)
    p_elist = se.add_parser("list", help="list the events you may see")
    p_elist.add_argument("file")
    p_elist.add_argument("--observation", default=None, help="observation id or name")
    p_elist.add_argument("--json", action="store_true")
    p_elist.set_defaults(handler=_events_list)


def parse_modifiers(scheme: Scheme, pairs: list[str]) -> dict[str, ModifierValue]:
    values: dict[str, ModifierValue] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise CommandError(f"--modifier '{pair}': write it as name=value")
        try:
            modifier = scheme.modifier(key)
        except KeyError:
            known = ", ".join(m.id for m in scheme.modifiers) or "none"
            raise CommandError(f"--modifier '{key}': unknown modifier (known: {known})") from None
        if modifier.kind is ModifierKind.NUMERIC:
            try:
                values[key] = float(raw)
            except ValueError:
                raise CommandError(f"--modifier '{pair}': '{raw}' is not a number") from None
        elif modifier.kind is ModifierKind.MULTIPLE:
            values[key] = tuple(v for v in raw.split(",") if v)
        else:
            values[key] = raw
    return values


def _events_add(args: argparse.Namespace) -> int:
    from coder.app.session import CodingSession
    from coder.commands import AddEvent, CommandStack

    with open_project(args) as project:
        obs = project.find_observation(args.observation)
        scheme = project.scheme_for_observation(obs.id)
        modifiers = parse_modifiers(scheme, args.modifier)
        if project.session(obs.session_id).media_id is None:
            # No video (e.g. a BORIS live observation): no frame grid to snap to.
            subject = args.subject or scheme.subjects_for(_code(scheme, args.code))[0]
            event = Event(
                new_id(), obs.id, args.code, subject, args.at, args.until, modifiers, args.note
            )
            command = AddEvent(event)
            CommandStack(project).push(command)
            event_id = (command.stored or event).id
        else:
            coding = CodingSession.open(project, obs.id)
            try:
                if args.until is None and not args.note:
                    pressed = coding.code_press(
                        args.code, args.at, subject=args.subject, modifiers=modifiers
                    )
                    event_id = pressed.event_id
                else:
                    subject = args.subject or coding.subject_for(_code(scheme, args.code))
                    event_id = coding.add_event(
                        args.code,
                        subject,
                        args.at,
                        args.until,
                        modifiers=modifiers,
                        note=args.note,
                    ).id
            finally:
                coding.close()
    print(event_id)
    return 0


def _code(scheme: Scheme, code_id: str) -> Code:
    try:
        return scheme.code(code_id)
    except KeyError:
        known = ", ".join(c.id for c in scheme.codes)
        raise CommandError(f"'{code_id}' is not a code of this scheme (codes: {known})") from None


def event_to_dict(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "observation_id": event.observation_id,
        "code": event.code_id,
        "subject": event.subject_id,
        "onset_ms": event.onset_ms,
        "offset_ms": event.offset_ms,
        "modifiers": {
            k: list(v) if isinstance(v, tuple) else v for k, v in event.modifiers.items()
        },
        "note": event.note,
    }


def _events_list(args: argparse.Namespace) -> int:
    with open_project(args, read_only=True) as project:
        if args.observation:
            observations = [project.find_observation(args.observation)]
        else:
            observations = project.observations()
        rows = [event_to_dict(e) for obs in observations for e in project.events(obs.id)]
        hidden = 0 if args.observation else project.hidden_count()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            until = "" if row["offset_ms"] is None else f"-{row['offset_ms']}"
            print(f"{row['id']}\t{row['onset_ms']}{until}\t{row['subject']}\t{row['code']}")
    if hidden:
        print(
            f"{hidden} observation(s) of other coders hidden: you code blind until every "
            "observation of the session is final",
            file=sys.stderr,
        )
    return 0
