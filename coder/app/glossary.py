"""Plain-language explanations of the statistics the GUI shows (one place: table headers,
tooltips and the report all use these)."""

from __future__ import annotations

STATISTICS: dict[str, str] = {
    "Kappa": "Cohen's kappa: agreement between the two coders beyond what chance alone would "
    "give (1 = perfect, 0 = chance level). Rare codes can make it low even when coders agree.",
    "% agree": "The share of compared moments on which both coders chose the same code.",
    "PABAK": "Prevalence- and bias-adjusted kappa: kappa as if every code were equally common "
    "and both coders used codes equally often; steadier than kappa for rare codes.",
    "AC1": "Gwet's AC1: a chance-corrected agreement that, unlike kappa, does not collapse "
    "when one code is very common or very rare.",
    "ICC": "Intraclass correlation (ICC(A,1)): how closely the two coders' ratings agree in "
    "absolute value (1 = identical, 0 = unrelated).",
    "Matched": "Events both coders coded within the tolerance.",
    "Missed": "Events only the first coder coded.",
    "Extra": "Events only the second coder coded.",
}
