"""Validate an EAF file against the ELAN schema (tests only: lxml is a test dependency)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

XSD = Path(__file__).resolve().parents[1] / "data" / "EAFv3.0.xsd"


def validate_eaf(path: str | Path, xsd: str | Path = XSD) -> list[str]:
    """Problems found by validating ``path`` against EAFv3.0.xsd; empty when it is valid."""
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.parse(str(path))
    if schema.validate(doc):
        return []
    return [str(e) for e in schema.error_log]
