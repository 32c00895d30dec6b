"""YAML reading with line numbers: compose the node tree so every value knows its line.

Only plain data comes out (dicts, lists, str, int, float, bool, None); YAML tags that build
Python objects are never honoured (safe loading semantics). Anchors and aliases (& and *) are
refused: a few hundred bytes of nested aliases expand into billions of values (an "alias
bomb"), and a scheme never needs them.
"""

from __future__ import annotations

from typing import Any

import yaml

from coder.errors import SchemeError

Path_ = tuple[str | int, ...]


def path_text(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


class LinedData:
    """Plain data parsed from YAML plus the 1-based line of each path."""

    def __init__(self, data: Any, lines: dict[Path_, int]) -> None:
        self.data = data
        self.lines = lines

    def line(self, path: Path_) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _scalar(node: yaml.ScalarNode) -> Any:
    # Resolve the scalar exactly as the safe loader would (int, float, bool, null, str).
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _convert(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], source: str, seen: set[int]
) -> Any:
    lines[path] = node.start_mark.line + 1
    if id(node) in seen:  # the composer hands back the anchored node itself for an alias
        raise SchemeError(
            f"{source}:{node.start_mark.line + 1}: {path_text(path)}: YAML anchors and aliases "
            "(& and *) are not supported; write the values out in full"
        )
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                raise SchemeError(f"{source}:{line}: {path_text(path)}: keys must be plain names")
            key = _scalar(key_node)
            if key == "<<":
                raise SchemeError(
                    f"{source}:{key_node.start_mark.line + 1}: merge keys are not supported"
                )
            if isinstance(key, (list, dict)):
                raise SchemeError(
                    f"{source}:{key_node.start_mark.line + 1}: keys must be plain names"
                )
            out[key] = _convert(value_node, (*path, key), lines, source, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, i), lines, source, seen) for i, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SAFE_TAGS:
            line = node.start_mark.line + 1
            raise SchemeError(
                f"{source}:{line}: {path_text(path)}: unsupported YAML tag {node.tag}"
            )
        return _scalar(node)
    raise SchemeError(f"{source}: {path_text(path)}: unsupported YAML construct")


# libyaml's composer when PyYAML has it (ten times faster), the same safe rules either way.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


def parse_lined(text: str, source: str) -> LinedData:
    """Parse ``text`` into plain data with line numbers, or raise SchemeError."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        raise SchemeError(
            f"{source}{where}: not valid YAML ({exc.problem}); check indentation and quoting there"
        ) from None
    except yaml.YAMLError as exc:
        raise SchemeError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    except (ValueError, RecursionError) as exc:
        raise SchemeError(f"{source}: not valid YAML ({exc.__class__.__name__})") from None
    if node is None:
        raise SchemeError(
            f"{source}: the file is empty; a scheme needs id, name, version and codes"
        )
    lines: dict[Path_, int] = {}
    try:
        data = _convert(node, (), lines, source, set())
    except RecursionError:
        raise SchemeError(f"{source}: the YAML is nested too deeply") from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise SchemeError(f"{source}: a value cannot be read ({exc.__class__.__name__})") from None
    return LinedData(data, lines)
