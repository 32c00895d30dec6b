"""One line of plain words next to each agreement number ("κ .72: good agreement; rare code,
look at PABAK"), the same in the window, the reports and the command line.

Bands for kappa-type coefficients (kappa, PABAK, AC1, pi): Altman (1991, "Practical
Statistics for Medical Research", table 14.3): < .20 poor, .21–.40 fair, .41–.60 moderate,
.61–.80 good, .81–1 very good; below 0, less agreement than chance. ICC: Koo & Li (2016,
J. Chiropr. Med. 15:155): < .50 poor, .50–.75 moderate, .75–.90 good, > .90 excellent.
Krippendorff's alpha: >= .800 reliable, .667–.800 tentative conclusions only, below that
unreliable (Krippendorff 2004, "Content Analysis", p. 241). These are conventions, not
laws: the words say so by staying modest.
"""

from __future__ import annotations

import math


def short(value: float) -> str:
    """.72, −.05, 1 — the way agreement numbers are written in papers."""
    if value == 1:
        return "1"
    text = f"{abs(value):.2f}".lstrip("0") or "0"
    return ("−" if value < 0 else "") + text


def kappa_band(value: float) -> str:
    if value < 0:
        return "less agreement than chance"
    for limit, words in ((0.2, "poor"), (0.4, "fair"), (0.6, "moderate"), (0.8, "good")):
        if value <= limit:
            return f"{words} agreement"
    return "very good agreement"


def read_kappa(
    value: float | None,
    *,
    symbol: str = "κ",
    reason: str | None = None,
    n: int | None = None,
    prevalence: float | None = None,
    kappa_max: float | None = None,
    percent: float | None = None,
) -> str:
    """Kappa (or any kappa-type coefficient) in words, with the caveat that matters most.

    ``prevalence``: share of units where the code is on (mean of both coders), for the rare
    code paradox; ``kappa_max``: the largest kappa the coders' own totals allow."""
    if value is None or math.isnan(value):
        return f"{symbol} not defined: {reason or 'no data'}"
    line = f"{symbol} {short(value)}: {kappa_band(value)}"
    notes = []
    if n is not None and n < 20:
        notes.append(f"only {n} units, so this can swing a lot")
    if prevalence is not None and (prevalence < 0.1 or prevalence > 0.9):
        notes.append(("rare" if prevalence < 0.1 else "very common") + " code, look at PABAK")
    elif percent is not None and percent >= 0.9 and value < 0.6:
        notes.append(f"yet {percent:.0%} agreement: look at PABAK")
    if kappa_max is not None and not math.isnan(kappa_max) and kappa_max < 0.8:
        notes.append(
            f"the coders used the codes in different amounts (κ can reach {short(kappa_max)})"
        )
    return line + ("; " + "; ".join(notes) if notes else "")


def read_percent(value: float | None, unit: str = "units") -> str:
    if value is None or math.isnan(value):
        return "% agreement not defined"
    return f"{value:.0%} agreement: the coders agree on {round(value * 100)} of every 100 {unit}"


def read_positive(value: float | None, matched: int, missed: int, extra: int) -> str:
    """Positive agreement 2a / (2a + b + c) of one code's events, with the counts."""
    if value is None or math.isnan(value):
        return "no events of this code"
    return (
        f"{value:.0%} positive agreement: {matched} matched, {missed} only in A, {extra} only in B"
    )


def read_identity(value: float | None, reason: str | None = None) -> str:
    if value is None or math.isnan(value):
        return f"identity not computable: {reason or 'no data'}"
    return (
        f"identity {value:.1f} %: {value:.0f} of every 100 aligned time points are the same "
        "in both codings"
    )


def read_icc(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "ICC not defined"
    words = (
        "poor"
        if value < 0.5
        else "moderate"
        if value < 0.75
        else "good"
        if value < 0.9
        else "excellent"
    )
    return f"ICC {short(value)}: {words} agreement on the ratings"


def read_alpha(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "α not defined"
    words = (
        "reliable"
        if value >= 0.8
        else "tentative conclusions only"
        if value >= 0.667
        else "unreliable"
    )
    return f"α {short(value)}: {words}"


def read_drift(first: float | None, last: float | None) -> str:
    """Agreement at the start against the end of the session."""
    if first is None or last is None or math.isnan(first) or math.isnan(last):
        return "drift not defined: a part has no agreement value"
    change = last - first
    if abs(change) < 0.1:
        return f"κ steady across the session ({short(first)} → {short(last)})"
    if change < 0:
        return (
            f"κ fell from {short(first)} to {short(last)}: the coders drift apart later in the "
            "session; review the later coding together"
        )
    return f"κ rose from {short(first)} to {short(last)}: agreement improves as the session goes on"
