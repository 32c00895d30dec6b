"""Scheme loading: shipped schemes, every class of error, and fuzzing."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.errors import SchemeError
from coder.model import CodeKind, ModifierKind, RatingPer, Valence
from coder.schemes import (
    load_scheme,
    load_scheme_text,
    load_shipped,
    scheme_content_hash,
    scheme_to_yaml,
    shipped_scheme_paths,
    validate_scheme_file,
)

VALID = """\
id: mini
name: Mini
version: "1"
subjects:
  - {id: parent, name: Parent, key: P}
  - {id: child, name: Child, key: C}
modifiers:
  - {id: intensity, name: Intensity, values: [low, high]}
  - {id: seconds, name: Seconds, numeric: {min: 0, max: 10}}
codes:
  - {id: lead, name: Lead, kind: state, subjects: [parent], key: l, color: "#112233", valence: strength}
  - {id: direct, name: Direct, kind: state, subjects: [parent], key: d}
  - {id: smile, name: Smile, kind: point, key: s, modifiers: [intensity, seconds], valence: strength}
groups:
  - {id: style, codes: [lead, direct], exclusive: true}
ratings:
  - {id: warmth, name: Warmth, subject: parent, per: segment, scale: {min: 1, max: 7, anchors: {1: cold, 7: warm}}}
segments:
  - {id: play, name: Play, duration_s: 300}
metrics:
  - {id: smiles, name: Smiles, kind: count, codes: [smile], target: {min: 3}}
  - {id: lat, name: Latency, kind: latency, codes: [direct, smile], within_s: 5}
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SchemeError) as info:
        load_scheme_text(text, "test.yaml")
    return info.value.problems


def test_valid_scheme_builds_the_model() -> None:
    s = load_scheme_text(VALID, "mini.yaml")
    assert s.id == "mini" and s.version == "1"
    assert s.code("lead").kind is CodeKind.STATE and s.code("lead").valence is Valence.STRENGTH
    assert s.code("lead").group == "style" and s.group_of("direct").exclusive  # type: ignore[union-attr]
    assert s.code("smile").subjects == () and s.subjects_for(s.code("smile")) == ("parent", "child")
    assert (
        s.modifier("seconds").kind is ModifierKind.NUMERIC and s.modifier("seconds").maximum == 10
    )
    assert s.rating("warmth").anchors == {1: "cold", 7: "warm"}
    assert s.rating("warmth").per is RatingPer.SEGMENT
    assert s.metrics[0].target_min == 3 and s.metrics[1].within_s == 5


def test_round_trip_through_yaml() -> None:
    s = load_scheme_text(VALID)
    assert load_scheme_text(scheme_to_yaml(s)) == s


def test_content_hash_ignores_comments_and_layout() -> None:
    assert scheme_content_hash(VALID) == scheme_content_hash("# note\n" + VALID)
    assert scheme_content_hash(VALID) != scheme_content_hash(VALID.replace("Mini", "Maxi"))


@pytest.mark.parametrize("scheme_id", sorted(shipped_scheme_paths()))
def test_shipped_schemes_are_valid_and_documented(scheme_id: str) -> None:
    scheme, _text = load_shipped(scheme_id)
    assert scheme.id == scheme_id
    assert scheme.licence_note and scheme.description
    assert all(c.description for c in scheme.codes)
    assert load_scheme_text(scheme_to_yaml(scheme)) == scheme
    assert validate_scheme_file(shipped_scheme_paths()[scheme_id]) == []


def test_five_shipped_schemes() -> None:
    assert set(shipped_scheme_paths()) == {
        "attachment-core",
        "pcit-style",
        "mim-style",
        "mutual-regulation",
        "ea-style",
    }


CASES = [
    (
        "key: s, modifiers",
        "key: l, modifiers",
        "test.yaml:13: codes[2].key: key 'l' is already used by codes[0].key",
    ),
    ("id: direct,", "id: lead,", "codes[1].id: id 'lead' is already used by codes[0].id"),
    ('color: "#112233"', 'color: "blue"', "codes[0].color: colour 'blue' is not #rrggbb"),
    (
        "subjects: [parent], key: l",
        "subjects: [parnt], key: l",
        "codes[0].subjects[0]: unknown subject 'parnt'",
    ),
    ("modifiers: [intensity, seconds]", "modifiers: [intensity, secs]", "unknown modifier 'secs'"),
    (
        "codes: [lead, direct], exclusive",
        "codes: [lead, smile], exclusive",
        "'smile' is a point code",
    ),
    ("codes: [lead, direct], exclusive", "codes: [], exclusive", "groups[0]: the group is empty"),
    ("min: 1, max: 7, anchors", "min: 7, max: 1, anchors", "min 7 must be below max 1"),
    ("anchors: {1: cold, 7: warm}", "anchors: {1: cold, 9: warm}", "anchor 9 is outside 1..7"),
    ("numeric: {min: 0, max: 10}", "numeric: {min: 10, max: 0}", "min 10 is larger than max 0"),
    (
        "kind: state, subjects: [parent], key: d",
        "kind: stat, subjects: [parent], key: d",
        "'stat' is not a valid kind",
    ),
    ("valence: strength}", "valence: good}", "'good' is not a valid valence"),
    ("within_s: 5", "within_s: 5, codes2: [x]", "unknown field 'codes2'; did you mean 'codes'?"),
    (
        "kind: latency, codes: [direct, smile], within_s: 5",
        "kind: latency, codes: [direct], within_s: 5",
        "latency needs two or more codes",
    ),
    (", within_s: 5}", "}", "latency needs 'within_s'"),
    (
        "codes: [direct, smile], within_s",
        "codes: [direct@child, smile], within_s",
        "metrics[1].codes[0]: 'direct' is not coded for subject 'child'; use one of: parent",
    ),
    (
        "kind: latency, codes: [direct, smile], within_s: 5",
        "kind: percent_answered, codes: [direct, smile], within_s: 0",
        "percent_answered needs 'within_s' > 0",
    ),
    ("target: {min: 3}", "target: {most: 3}", "target must be {min: N} or {max: N}"),
    (
        "subject: parent, per",
        "subject: nobody, per",
        "ratings[0].subject: unknown subject 'nobody'",
    ),
    ("per: segment", "per: week", "'week' is not a valid per"),
    (
        "  - {id: play, name: Play, duration_s: 300}",
        "  - {name: Play}",
        "segments[0]: missing 'id'",
    ),
    ("key: P}", "key: l}", "key 'l' is already used"),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_each_error_names_place_and_fix(old: str, new: str, expected: str) -> None:
    assert old in VALID
    found = problems_of(VALID.replace(old, new, 1))
    assert any(expected in p for p in found), found
    assert all(p.startswith("test.yaml") for p in found)


def test_all_problems_are_reported_together() -> None:
    text = (
        VALID.replace('color: "#112233"', 'color: "red"')
        .replace("kind: stat", "x")
        .replace("subjects: [parent], key: d", "subjects: [ghost], key: d")
    )
    assert len(problems_of(text)) >= 2


def test_yaml_syntax_error_has_line() -> None:
    (problem,) = problems_of("id: x\nname: [unclosed\nversion: 1\n")
    assert problem.startswith("test.yaml:") and "not valid YAML" in problem


@pytest.mark.parametrize(
    "text", ["", "- a\n- b\n", "just text", "id: x\n", "!!python/object:os.system {}"]
)
def test_wrong_shapes_are_scheme_errors(text: str) -> None:
    with pytest.raises(SchemeError):
        load_scheme_text(text, "test.yaml")


def test_file_errors(tmp_path: Path) -> None:
    assert "file not found" in validate_scheme_file(tmp_path / "nope.yaml")[0]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9".encode("latin-1"))
    assert "save the file as UTF-8" in validate_scheme_file(latin)[0]
    good = tmp_path / "good.yaml"
    good.write_text(VALID, encoding="utf-8")
    assert load_scheme(good).id == "mini"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_fuzz_any_text(text: str) -> None:
    with contextlib.suppress(SchemeError):
        load_scheme_text(text)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 20), st.floats(allow_nan=True), st.text(max_size=8)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["id", "name", "kind", "key", "codes", "scale", "min", "max", "values", "subjects"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "name",
                "version",
                "codes",
                "subjects",
                "groups",
                "modifiers",
                "ratings",
                "segments",
                "metrics",
            ]
        ),
        _values,
        max_size=8,
    )
)
def test_fuzz_structures(doc: dict[str, object]) -> None:
    with contextlib.suppress(SchemeError):
        load_scheme_text(yaml.safe_dump(doc))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(VALID) - 1), st.text(max_size=5))
def test_fuzz_mutations_of_a_valid_scheme(position: int, insert: str) -> None:
    with contextlib.suppress(SchemeError):
        load_scheme_text(VALID[:position] + insert + VALID[position + 1 :])


def _schema() -> dict[str, object]:
    import json
    from importlib import resources

    text = resources.files("schemes").joinpath("scheme.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, object] = json.loads(text)
    return loaded


def test_json_schema_lists_every_field_the_loader_knows() -> None:
    from coder.scheme_build import FIELDS, TOP

    schema = _schema()
    assert set(schema["properties"]) == set(TOP)  # type: ignore[call-overload]
    defs = schema["$defs"]  # type: ignore[index]
    for section, fields in FIELDS.items():
        assert set(defs[section.rstrip("s")]["properties"]) == set(fields), section  # type: ignore[index]


@pytest.mark.parametrize("scheme_id", sorted(shipped_scheme_paths()))
def test_shipped_schemes_match_the_json_schema(scheme_id: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = yaml.safe_load(shipped_scheme_paths()[scheme_id].read_text(encoding="utf-8"))
    # YAML anchors keys are ints; JSON object keys are strings.
    for rating in data.get("ratings", []):
        rating["scale"]["anchors"] = {
            str(k): v for k, v in rating["scale"].get("anchors", {}).items()
        }
    jsonschema.validate(data, _schema())
