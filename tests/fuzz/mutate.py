"""Deterministic input mutators for the fuzz harness.

Each mutator takes the seed bytes and a ``random.Random`` and returns damaged bytes. Byte-level
damage (flips, cuts, duplicated chunks, inserted tokens) finds parser crashes; structure-aware
damage (a JSON value, a CSV cell, an XML attribute, a SQLite cell replaced by an extreme value)
gets past the parser and finds the crashes and unbounded work behind it.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import random
import re
import sqlite3
from pathlib import Path
from typing import Any

# Values that break code which trusts its input: extremes, wrong types, non-finite numbers.
EXTREME_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    -(10**30),
    10**30,
    2**63,
    1e308,
    -1e308,
    1e-320,
    float("inf"),
    float("-inf"),
    float("nan"),
    0.5,
    "",
    " ",
    "x" * 5000,
    "-1",
    "1e30",
    "NaN",
    "Infinity",
    "\x00",
    "\ud800",
    '=HYPERLINK("http://x")',
    [],
    {},
    [[]],
    {"": None},
    [1, 2, 3],
]

JSON_TOKENS = [
    b"Infinity",
    b"-Infinity",
    b"NaN",
    b"1e999",
    b"-1",
    b"0",
    b"99999999999999999999999999",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b'"',
    b"\\u0000",
    b"\\ud800",
    b",",
    b":",
    b"[" * 50,
    b"{" * 50,
]

XML_TOKENS = [
    b"<",
    b">",
    b"&amp;",
    b"&undefined;",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b'<!DOCTYPE a [<!ENTITY e "eeeeeeeeee">]>',
    b"&#0;",
    b"&#x110000;",
    b'TIME_VALUE="-1"',
    b'TIME_VALUE="99999999999999999999"',
    b'TIME_VALUE="1e30"',
    b'TIME_VALUE=""',
    b"</TIER>",
    b"<TIER>",
    b"\x00",
]

CSV_TOKENS = [
    b",",
    b'"',
    b"\n",
    b"\r",
    b"\x00",
    b"-1",
    b"1e30",
    b"NaN",
    b"inf",
    b"99:99:99.999",
    b"99999999999999999999999",
    b"=cmd|' /C calc'!A0",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
]

YAML_TOKENS = [
    b"&a ",
    b"*a",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary AAAA",
    b"<<: *a",
    b"? ",
    b"{",
    b"[",
    b"- ",
    b"\t",
    b"~",
    b"null",
    b".inf",
    b".nan",
    b"-1",
    b"1e999",
    b"'",
    b'"',
    b"%YAML 1.1\n",
    b"---\n",
    b"...\n",
    b"key: [&b [*b]]",
]


def byte_mutation(data: bytes, rng: random.Random, tokens: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 5, 8, 16))):
        if not out:
            out += rng.choice(tokens)
            continue
        i = rng.randrange(len(out))
        op = rng.randrange(9)
        if op == 0:
            out[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            out[i] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x22, 0x3C, 0x7B, 0x0A, 0x2D, 0x39))
        elif op == 2:
            del out[i : i + rng.randint(1, 64)]
        elif op == 3:
            j = rng.randrange(len(out))
            out[i:i] = out[j : j + rng.randint(1, 256)]
        elif op == 4:
            out[i:i] = rng.choice(tokens)
        elif op == 5:
            token = rng.choice(tokens)
            out[i : i + len(token)] = token
        elif op == 6:
            del out[i:]
        elif op == 7:
            match = re.compile(rb"-?\d+(\.\d+)?").search(bytes(out), i)
            if match:
                out[match.start() : match.end()] = rng.choice(
                    (b"-1", b"0", b"1e30", b"-1e30", b"99999999999999999999", b"NaN", b"1.5")
                )
        else:
            out[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(out)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def structure_mutation(data: Any, rng: random.Random) -> Any:
    """Replace, delete or duplicate values deep inside parsed JSON/YAML-like data."""
    for _ in range(rng.choice((1, 1, 2, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return rng.choice(EXTREME_VALUES)
        path = rng.choice(paths)
        parent = _get(data, path[:-1])
        key = path[-1]
        op = rng.randrange(6)
        if op <= 2:
            parent[key] = rng.choice(EXTREME_VALUES)
        elif op == 3:
            del parent[key]
        elif op == 4 and isinstance(parent, list):
            parent.insert(key, parent[key])
        elif op == 4 and isinstance(parent, dict):
            parent[f"{key}_extra"] = parent[key]
        else:  # the same value of another type
            value = parent[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                parent[key] = rng.choice((str(value), [value], -value, value * 10**12))
            elif isinstance(value, str):
                parent[key] = rng.choice((len(value), [value], {value: value}, value * 1000))
            else:
                parent[key] = rng.choice(EXTREME_VALUES)
    return data


def mutate_json(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return byte_mutation(data, rng, JSON_TOKENS)
    tree = structure_mutation(json.loads(data), rng)
    return json.dumps(tree, allow_nan=True, ensure_ascii=rng.random() < 0.5).encode(
        "utf-8", "surrogatepass"
    )


def mutate_boris(data: bytes, rng: random.Random) -> bytes:
    inner = mutate_json(data, rng) if rng.random() < 0.9 else data
    roll = rng.random()
    if roll < 0.1:  # gzipped, as BORIS writes .boris.gz
        return gzip.compress(inner, mtime=0)
    if roll < 0.15:  # a damaged gzip stream
        return byte_mutation(gzip.compress(inner, mtime=0), rng, [b"\x00", b"\xff"])
    if roll < 0.17:  # a small file that inflates to a very large one
        return gzip.compress(b" " * rng.choice((10**6, 5 * 10**7)) + inner, mtime=0)
    return inner


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return byte_mutation(data, rng, XML_TOKENS)
    text = data.decode("utf-8")
    attributes = list(re.finditer(r'(\w+)="([^"]*)"', text))
    for _ in range(rng.choice((1, 2, 3))):
        if not attributes:
            break
        match = rng.choice(attributes)
        value = rng.choice(
            ("-1", "", "1e30", "99999999999999999999", "NaN", "ts999", "a1", "x" * 3000, "0")
        )
        text = text[: match.start(2)] + value + text[match.end(2) :]
        attributes = list(re.finditer(r'(\w+)="([^"]*)"', text))
    return text.encode("utf-8")


def mutate_csv(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return byte_mutation(data, rng, CSV_TOKENS)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    for _ in range(rng.choice((1, 2, 3))):
        row = rng.choice(rows)
        if not row:
            continue
        col = rng.randrange(len(row))
        row[col] = str(rng.choice(EXTREME_VALUES))
        if rng.random() < 0.2:
            rows.insert(rng.randrange(len(rows)), list(row))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


def mutate_yaml(data: bytes, rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.5:
        return byte_mutation(data, rng, YAML_TOKENS)
    import yaml

    if roll < 0.55:  # an alias bomb: nine levels of nine aliases, 9^9 values when expanded
        lines = [b'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        for level in range(1, rng.choice((3, 9)) + 1):
            refs = b",".join([b"*a%d" % (level - 1)] * 9)
            lines.append(b"a%d: &a%d [%s]" % (level, level, refs))
        return b"\n".join(lines) + b"\n" + data
    tree = structure_mutation(yaml.safe_load(data), rng)
    with contextlib.suppress(Exception):
        return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode(
            "utf-8", "surrogatepass"
        )
    return data


SQL_VALUES: list[Any] = [
    None,
    -1,
    0,
    2**62,
    -(2**62),
    1e308,
    float("nan"),
    "",
    "x",
    "{",
    "[",
    "null",
    "[1,2]",
    '{"x": 1}',
    '[{"at_ms": "x"}]',
    '[{"x": -5, "y": 2, "w": 1e308, "h": 0}]',
    b"\x00\xff",
    "\x00",
    "NaN",
]


def mutate_sqlite(data: bytes, rng: random.Random, scratch: Path) -> bytes:
    """Damage a project file: its pages (as a disk or a careless copy would) or its cells."""
    roll = rng.random()
    if roll < 0.45:
        out = bytearray(data)
        page = 4096
        for _ in range(rng.choice((1, 1, 2, 4, 8))):
            op = rng.randrange(5)
            start = rng.randrange(len(out)) if out else 0
            if op == 0:
                for k in range(rng.randint(1, 16)):
                    if start + k < len(out):
                        out[start + k] = rng.randrange(256)
            elif op == 1:  # a zeroed page
                p = start // page * page
                out[p : p + page] = bytes(min(page, len(out) - p))
            elif op == 2:  # cut short at a page boundary or anywhere
                del out[(start // page * page) if rng.random() < 0.5 else start :]
            elif op == 3 and len(out) >= 2 * page:  # two pages swapped
                a = rng.randrange(len(out) // page) * page
                b = rng.randrange(len(out) // page) * page
                out[a : a + page], out[b : b + page] = out[b : b + page], out[a : a + page]
            else:  # a header field
                k = rng.randrange(16, 100)
                if k < len(out):
                    out[k] = rng.randrange(256)
        return bytes(out)
    path = scratch / "mutating.attune"
    path.write_bytes(data)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not r[0].startswith("sqlite_")
        ]
        for _ in range(rng.choice((1, 1, 2, 3, 6))):
            if not tables:
                break
            table = rng.choice(tables)
            op = rng.randrange(10)
            with contextlib.suppress(sqlite3.Error):
                rowids = [r[0] for r in db.execute(f"SELECT rowid FROM {table}")]
                chosen = rng.sample(rowids, min(len(rowids), rng.choice((1, 1, 1, 1000))))
                marks = ", ".join("?" for _ in chosen)
                if op == 0:
                    db.execute(f"DELETE FROM {table} WHERE rowid = ?", chosen[:1])
                elif op == 1:
                    db.execute(f"DROP TABLE {table}")
                elif op == 2:
                    db.execute(
                        rng.choice(
                            (
                                "PRAGMA user_version = 99",
                                "PRAGMA user_version = 0",
                                "PRAGMA application_id = 7",
                                "DROP TRIGGER audit_log_append_only_update",
                                "DROP INDEX events_by_observation",
                            )
                        )
                    )
                else:
                    columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
                    column = rng.choice(columns)
                    db.execute(
                        f"UPDATE {table} SET {column} = ? WHERE rowid IN ({marks})",
                        (rng.choice(SQL_VALUES), *chosen),
                    )
    finally:
        db.close()
    return path.read_bytes()


def mutate_bundle(data: bytes, rng: random.Random, scratch: Path) -> bytes:
    """A damaged sealed file, or (mostly) a hostile archive sealed with the right passphrase:
    a changed manifest, renamed/dropped/extra members, a damaged project inside, broken tar."""
    import tarfile

    from tests.fuzz.seeds import bundle_plain, seal

    if rng.random() < 0.25:
        return byte_mutation(data, rng, JSON_TOKENS)
    plain = bundle_plain()
    if rng.random() < 0.15:
        return seal(byte_mutation(plain, rng, JSON_TOKENS))
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar]  # type: ignore[union-attr]
    choice = rng.randrange(4)
    if choice == 0:  # the manifest
        members[0] = (members[0][0], mutate_json(members[0][1], rng))
    elif choice == 1:  # the project file inside (the manifest kept consistent with it)
        members[1] = (members[1][0], mutate_sqlite(members[1][1], rng, scratch))
        manifest = json.loads(members[0][1])
        manifest["files"][0]["size"] = len(members[1][1])
        members[0] = (members[0][0], json.dumps(manifest).encode())
    elif choice == 2:  # names
        i = rng.randrange(len(members))
        name = rng.choice(
            ["../x.attune", "/etc/x", "project/../../x", "project/a\\b", "", "media/a/b", "."]
        )
        members[i] = (name, members[i][1])
    else:  # missing, duplicated or extra members
        op = rng.randrange(3)
        if op == 0:
            members.pop(rng.randrange(len(members)))
        elif op == 1:
            members.append(rng.choice(members))
        else:
            members.append(("extra.txt", b"x" * rng.randrange(100)))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return seal(buffer.getvalue())
