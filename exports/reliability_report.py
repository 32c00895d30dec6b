"""Write a reliability comparison (from coder.reliability.compare) as CSV or HTML.

CSV: one row per code (and per code set / rating scale), formula-injection guarded.
HTML: self-contained, escaped, kappa cells coloured against the chosen threshold, with
% agreement, PABAK and AC1 beside every kappa.
"""

from __future__ import annotations

import csv
import html
import os
from typing import Any

from exports.atomic import atomic_write
from exports.cells import safe_cell

COLUMNS = [
    "pair",
    "scope",
    "code",
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
]


def _v(d: dict[str, Any] | None) -> Any:
    return "" if not d or d.get("value") is None else d["value"]


def report_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    blocks = [(f"{p['observation_a']} vs {p['observation_b']}", p) for p in result["pairs"]]
    if "pooled" in result:
        blocks.append(("pooled", result["pooled"]))
    for label, block in blocks:
        if "kappa" in block and not isinstance(block["kappa"], dict):  # BORIS mode
            rows.append(
                {
                    "pair": label,
                    "scope": "boris",
                    "code": "all",
                    "n": block["n_slices"],
                    "kappa": block["kappa"],
                }
            )
            continue
        for c in block.get("per_code", []):
            row = {"pair": label, "scope": "code", "code": c["code"]}
            if "kappa" in c:
                row.update(
                    n=c["n"],
                    kappa=_v(c["kappa"]),
                    kappa_ci_low=c["kappa"].get("ci_low") or "",
                    kappa_ci_high=c["kappa"].get("ci_high") or "",
                    percent_agreement=_v(c["percent_agreement"]),
                    pabak=_v(c["pabak"]),
                    ac1=_v(c["ac1"]),
                )
            else:
                row.update(
                    {
                        k: ("" if c.get(k) is None else c[k])
                        for k in (
                            "matched",
                            "missed",
                            "extra",
                            "positive_agreement",
                            "mean_onset_diff_ms",
                        )
                    }
                )
            rows.append(row)
        for s in block.get("code_sets", []):
            rows.append(
                {
                    "pair": label,
                    "scope": f"set ({s['subject']})",
                    "code": "+".join(s["categories"][:-1]),
                    "n": s["n"],
                    "kappa": _v(s["kappa"]),
                    "percent_agreement": _v(s["percent_agreement"]),
                    "pabak": _v(s["pabak"]),
                    "ac1": _v(s["ac1"]),
                }
            )
        if "overall" in block:
            o = block["overall"]
            rows.append(
                {
                    "pair": label,
                    "scope": "events overall",
                    "code": "all",
                    "n": o["n"],
                    "kappa": _v(o["kappa"]),
                    "percent_agreement": _v(o["percent_agreement"]),
                    "pabak": _v(o["pabak"]),
                    "ac1": _v(o["ac1"]),
                }
            )
    for r in result.get("ratings", []):
        rows.append(
            {
                "pair": "all pairs",
                "scope": "rating ICC(A,1)",
                "code": r["name"],
                "n": r["units"],
                "kappa": _v(r["icc_a_1"]),
            }
        )
    return rows


def write_reliability_csv(result: dict[str, Any], path: str | os.PathLike[str]) -> None:
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in report_rows(result):
            writer.writerow({k: safe_cell(row.get(k, "")) for k in COLUMNS})


def write_reliability_html(
    result: dict[str, Any], path: str | os.PathLike[str], threshold: float = 0.60
) -> None:
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Reliability report</title>",
        "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}"
        "td:first-child,td:nth-child(2),td:nth-child(3){text-align:left}"
        ".ok{background:#d8f0d8}.low{background:#f8d8d0}.note{color:#555}</style></head><body>",
        "<h1>Inter-rater reliability</h1>",
        f"<p>Method: {esc(str(result['method']))}; slice {result['slice_ms']} ms; "
        f"tolerance {result['tolerance_ms']} ms; threshold kappa &ge; {threshold:.2f}.</p>",
        "<p class='note'>Kappa can be low when a code is rare even if coders agree almost always; "
        "read it with % agreement, PABAK and AC1.</p><table><tr>",
    ]
    parts += [f"<th>{esc(c)}</th>" for c in COLUMNS] + ["</tr>"]
    for row in report_rows(result):
        cells = []
        for c in COLUMNS:
            value = row.get(c, "")
            cls = ""
            if c == "kappa" and isinstance(value, (int, float)):
                cls = " class='ok'" if value >= threshold else " class='low'"
            cells.append(f"<td{cls}>{esc(str(value))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    caveat = next((p.get("caveat") for p in result["pairs"] if p.get("caveat")), None)
    if caveat:
        parts.append(f"<p class='note'>{esc(caveat)}</p>")
    parts.append("</body></html>\n")
    with atomic_write(path, "w") as fh:
        fh.write("".join(parts))
