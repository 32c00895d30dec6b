"""Write a reliability comparison (from coder.reliability.compare) as CSV or HTML.

CSV: one row per code (per code set, per part of the session for drift, per rating scale),
code names beside ids, a plain-words reading beside each kappa; formula-injection guarded.
HTML: self-contained and escaped: the settings and every note, the same table (kappa cells
coloured against the threshold, % agreement, PABAK and AC1 beside every kappa), BORIS's
quirks when that mode is used, and the event alignment when the aligned method is used.
"""

from __future__ import annotations

import csv
import html
import os
from collections.abc import Iterator
from typing import Any

from exports.atomic import atomic_write
from exports.cells import safe_cell

COLUMNS = [
    "pair",
    "scope",
    "code",
    "code_id",
    "n",
    "kappa",
    "kappa_ci_low",
    "kappa_ci_high",
    "percent_agreement",
    "pabak",
    "ac1",
    "matched",
    "missed",
    "extra",
    "positive_agreement",
    "mean_onset_diff_ms",
    "identity_percent",
    "reading",
]
ALIGNMENT_ROWS_SHOWN = 2000


def _v(d: dict[str, Any] | None) -> Any:
    return "" if not d or d.get("value") is None else d["value"]


def _summary(s: dict[str, Any]) -> dict[str, Any]:
    return {
        "n": s["n"],
        "kappa": _v(s["kappa"]),
        "kappa_ci_low": "" if s["kappa"].get("ci_low") is None else s["kappa"]["ci_low"],
        "kappa_ci_high": "" if s["kappa"].get("ci_high") is None else s["kappa"]["ci_high"],
        "percent_agreement": _v(s["percent_agreement"]),
        "pabak": _v(s["pabak"]),
        "ac1": _v(s["ac1"]),
        "reading": s.get("reading", ""),
    }


def _counts(c: dict[str, Any]) -> dict[str, Any]:
    keys = ("matched", "missed", "extra", "positive_agreement", "mean_onset_diff_ms")
    return {k: ("" if c.get(k) is None else c[k]) for k in keys if k in c}


def _block_rows(method: str, label: str, block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    base = {"pair": label}
    if method in ("boris", "identity"):
        key = "kappa" if method == "boris" else "identity_percent"
        value = block.get("kappa" if method == "boris" else "identity")
        yield {
            **base,
            "scope": method,
            "code": "all chosen codes",
            "n": block.get("n_units", ""),
            key: "" if value is None else value,
            "reading": block.get("reading", ""),
        }
        return
    for c in block.get("per_code", []):
        row = {**base, "scope": "code", "code": c.get("code_name", c["code"]), "code_id": c["code"]}
        if "percent_agreement" in c:  # time slices: a full summary per code
            row.update(_summary(c))
        elif isinstance(c.get("kappa"), dict):  # elan: kappa from the per-code 2x2 table
            row.update(kappa=_v(c["kappa"]), reading=c.get("reading", ""))
        else:  # events, aligned: counts and positive agreement
            row.update(reading=c.get("reading", ""))
        row.update(_counts(c))
        yield row
    for s in block.get("code_sets", []):
        names = s.get("category_names", s["categories"])
        yield {
            **base,
            "scope": f"code set ({s.get('subject_name', s['subject'])})",
            "code": " / ".join(names[:-1]),
            **_summary(s),
        }
    for key, scope in (
        ("overall", f"{method} overall"),
        ("paired", "aligned pairs only"),
        ("linked", "elan linked only"),
    ):
        if key in block:
            yield {**base, "scope": scope, "code": "all", **_summary(block[key])}
    if "kappa_with_unmatched" in block:
        k = block["kappa_with_unmatched"]
        yield {
            **base,
            "scope": "elan with unmatched",
            "code": "all",
            "kappa": _v(k),
            "percent_agreement": _v(block["agreement_with_unmatched"]),
            "reading": k.get("reading", ""),
        }
    for part in block.get("drift", {}).get("parts", []):
        scope = f"drift: {part['part']}"
        yield {**base, "scope": scope, "code": "all codes", **_summary(part["overall"])}
        for c in part["per_code"]:
            yield {
                **base,
                "scope": scope,
                "code": c.get("code_name", c["code"]),
                "code_id": c["code"],
                **_summary(c),
            }


def report_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    method = str(result["method"])
    rows: list[dict[str, Any]] = []
    blocks = [(f"{p['observation_a']} vs {p['observation_b']}", p) for p in result["pairs"]]
    if "pooled" in result:
        blocks.append(("pooled", result["pooled"]))
    for label, block in blocks:
        rows += _block_rows(method, label, block)
    for r in result.get("ratings", []):
        rows.append(
            {
                "pair": "all pairs",
                "scope": "rating ICC(A,1)",
                "code": r["name"],
                "code_id": r["rating"],
                "n": r["units"],
                "kappa": _v(r["icc_a_1"]),
                "reading": r.get("reading", ""),
            }
        )
    return rows


def write_reliability_csv(result: dict[str, Any], path: str | os.PathLike[str]) -> None:
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in report_rows(result):
            writer.writerow({k: safe_cell(row.get(k, "")) for k in COLUMNS})


def _settings(result: dict[str, Any], threshold: float) -> str:
    parts = [f"Method: {result.get('method_label', result['method'])}"]
    if result.get("slice_ms") is not None:
        parts.append(f"slice {result['slice_ms'] / 1000:g} s")
    if result.get("tolerance_ms") is not None:
        tol = result["tolerance_ms"]
        parts.append(f"tolerance {tol / 1000:g} s" + (" (exact)" if tol == 0 else ""))
    if result.get("overlap_percent") is not None:
        parts.append(f"overlap at least {result['overlap_percent']} % of the longer annotation")
    parts.append(f"threshold kappa ≥ {threshold:.2f}")
    codes = ", ".join(result.get("codes", {}).values())
    subjects = ", ".join(result.get("subjects", {}).values())
    return "; ".join(parts) + f". Codes: {codes}. Subjects: {subjects}."


def report_notes(result: dict[str, Any]) -> list[str]:
    notes = list(result.get("notes", []))
    for p in result["pairs"]:
        notes += p.get("notes", [])
        notes += p.get("quirks", [])
        if p.get("reason"):
            notes.append(
                f"{p['observation_a']} vs {p['observation_b']}: not computable: {p['reason']}"
            )
        if p.get("points_left_out"):
            notes.append(
                f"{p['points_left_out']} point event(s) left out: ELAN-style kappa needs "
                "annotations with a duration"
            )
        if p.get("drift"):
            notes.append(
                f"Drift ({p['observation_a']} vs {p['observation_b']}): {p['drift']['reading']}"
            )
    caveat = next((p.get("caveat") for p in result["pairs"] if p.get("caveat")), None)
    if caveat:
        notes.append(caveat)
    return list(dict.fromkeys(notes))


def _alignment_html(pair: dict[str, Any]) -> list[str]:
    esc = html.escape
    rows = pair.get("alignment") or []
    out = [
        f"<h2>Alignment: {esc(pair['observation_a'])} vs {esc(pair['observation_b'])}</h2>",
        "<table><tr><th>A: time (s)</th><th>A: code</th><th>B: time (s)</th><th>B: code</th>"
        "<th>subject</th><th>result</th></tr>",
    ]
    for r in rows[:ALIGNMENT_ROWS_SHOWN]:
        cells = []
        for side in (r["a"], r["b"]):
            cells += (
                ["", ""] if side is None else [f"{side['onset_ms'] / 1000:.3f}", side["code_name"]]
            )
        cells += [r.get("subject_name", r["subject"]), r["kind"]]
        out.append("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    if len(rows) > ALIGNMENT_ROWS_SHOWN:
        out.append(
            f"<p class='note'>First {ALIGNMENT_ROWS_SHOWN} of {len(rows)} aligned rows shown; "
            "the JSON output (--json) has them all.</p>"
        )
    return out


def _table_rows(columns: list[str], rows: list[dict[str, Any]], threshold: float) -> list[str]:
    """The header (after an opened <table><tr>) and one escaped row each; kappa cells
    coloured against the threshold."""
    out = [f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in columns] + ["</tr>"]
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c, "")
            cls = ""
            if c == "kappa" and isinstance(value, (int, float)):
                cls = " class='ok'" if value >= threshold else " class='low'"
            cells.append(f"<td{cls}>{html.escape(str(value))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return [*out, "</table>"]


def write_reliability_html(
    result: dict[str, Any], path: str | os.PathLike[str], threshold: float = 0.60
) -> None:
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Reliability report</title>",
        "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}"
        "td:first-child,td:nth-child(2),td:nth-child(3),td:last-child{text-align:left}"
        ".ok{background:#d8f0d8}.low{background:#f8d8d0}.note{color:#555}</style></head><body>",
        "<h1>Inter-rater reliability</h1>",
        f"<p>{esc(_settings(result, threshold))}</p>",
        "<p class='note'>Kappa can be low when a code is rare even if coders agree almost always; "
        "read it with % agreement, PABAK and AC1.</p><table><tr>",
    ]
    shown = [c for c in COLUMNS if c != "code_id"]
    parts += _table_rows(shown, report_rows(result), threshold)
    notes = report_notes(result)
    if notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    if result["method"] == "aligned":
        for pair in result["pairs"]:
            parts += _alignment_html(pair)
    parts.append("</body></html>\n")
    with atomic_write(path, "w") as fh:
        fh.write("".join(parts))


DASHBOARD_COLUMNS = [
    "scope",
    "coders",
    "code",
    "code_id",
    "pairs",
    "n",
    "kappa",
    "percent_agreement",
    "pabak",
    "ac1",
    "reading",
]


def dashboard_rows(board: dict[str, Any]) -> list[dict[str, Any]]:
    """Per code, then per coder pair (overall, then each code), as report rows."""
    rows: list[dict[str, Any]] = []
    for c in board["codes"]:
        rows.append(
            {"scope": "code", "code": c["code_name"], "code_id": c["code"], "pairs": c["pairs"]}
            | _summary(c)
        )
    for p in board["coder_pairs"]:
        coders = " & ".join(p["coders"])
        overall = _summary(p["overall"]) | {"reading": p["reading"]}
        rows.append({"scope": "coder pair", "coders": coders, "code": "all codes"} | overall)
        for c in p["codes"]:
            rows.append(
                {
                    "scope": "coder pair, code",
                    "coders": coders,
                    "code": c["code_name"],
                    "code_id": c["code"],
                    "pairs": c["pairs"],
                }
                | _summary(c)
            )
    return rows


def write_dashboard_csv(board: dict[str, Any], path: str | os.PathLike[str]) -> None:
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=DASHBOARD_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in dashboard_rows(board):
            writer.writerow({k: safe_cell(row.get(k, "")) for k in DASHBOARD_COLUMNS})


def write_dashboard_html(
    board: dict[str, Any], path: str | os.PathLike[str], threshold: float = 0.60
) -> None:
    esc = html.escape
    shown = [c for c in DASHBOARD_COLUMNS if c != "code_id"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Reliability overview</title>",
        "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25rem .5rem}.ok{background:#d8f0d8}"
        ".low{background:#f8d8d0}.note{color:#555}</style></head><body>",
        "<h1>Reliability across the project</h1>",
        f"<p>{board['pairs']} pair(s) of codings of the same session by different coders, "
        f"compared by {board['slice_ms'] / 1000:g} s slices; kappa threshold "
        f"{threshold:.2f}.</p><table><tr>",
    ]
    parts += _table_rows(shown, dashboard_rows(board), threshold)
    if board["skipped"]:
        parts.append(
            "<h2>Not compared</h2><ul>"
            + "".join(f"<li>{esc(reason)}</li>" for reason in board["skipped"])
            + "</ul>"
        )
    plan = board.get("plan")
    if plan:
        done = sum(1 for s in plan["sessions"] if s["double_coded"])
        parts.append(
            f"<h2>Reliability plan</h2><p>{len(plan['sessions'])} of {plan['sessions_total']} "
            f"sessions drawn ({plan['percent']:g} %, seed {plan['seed']}, "
            f"{esc(plan['created_at'])}); {done} double coded so far.</p><ul>"
        )
        for s in plan["sessions"]:
            state = "double coded" if s["double_coded"] else "needs a second coder"
            parts.append(f"<li>{esc(s['label'])}: {state}</li>")
        parts.append("</ul>")
    parts.append("</body></html>\n")
    with atomic_write(path, "w") as fh:
        fh.write("".join(parts))


def plan_lines(board: dict[str, Any]) -> list[str]:
    """The overview's context in plain lines: what was compared, what was not and why, and
    the reliability plan's progress (for the window and the command line)."""
    lines = [
        f"{board['pairs']} pair(s) of codings of the same session by different coders, "
        f"compared by {board['slice_ms'] / 1000:g} s slices."
    ]
    lines += [f"Not compared: {reason}" for reason in board["skipped"]]
    plan = board.get("plan")
    if plan is None:
        lines.append("No reliability plan yet (attune reliability FILE --plan draws one).")
        return lines
    done = sum(1 for s in plan["sessions"] if s["double_coded"])
    lines.append(
        f"Reliability plan: {len(plan['sessions'])} of {plan['sessions_total']} sessions drawn "
        f"({plan['percent']:g} %, seed {plan['seed']}, {plan['created_at']}); "
        f"{done} double coded so far."
    )
    for s in plan["sessions"]:
        state = "double coded" if s["double_coded"] else "needs a second coder"
        lines.append(f"  {s['label']}: {state}")
    return lines
