"""Team roles, enforced by the PostgreSQL server itself (grants + row-level security).

Five group roles, one per kind of team member; each person's own login is a member of one:

- ``attune_admin``: owns every table (so row-level security does not apply to it): schemes,
  members, everything.
- ``attune_supervisor``: reads all (within the blind rule), adds sessions, videos and
  segments, assigns observations to coders (double coding), sets blind/final, writes their
  own observations and the consensus ones (coder "Consensus"), highlights.
- ``attune_coder``: reads all (within the blind rule), writes only their own observations'
  events and ratings; may create their own observation and mark it final, never change its
  ``blind`` flag or owner.
- ``attune_clinician``: reads only sessions whose consent allows showing them to parents (and
  their observations, events, segments, highlights); writes highlights of those sessions.
- ``attune_auditor``: reads everything, writes nothing.

The blind rule is the one in ``coder/app/visibility.py``: a login that has a blind observation
in a session sees the other observations of that session only when every observation of it
(but the supervisor's "Consensus") is final. ``attune_observation_visible``
states it in SQL; events and ratings inherit it because their policy asks whether their
observation is visible to the same login. It holds for any SQL typed under that login.

``apply`` classifies every table by its columns, so tables added by later migrations get
sensible rules without editing this file: a table with ``observation_id`` follows its
observation; one with ``session_id`` follows its session; one with ``media_id`` is a shared
cache; anything else is readable by all and written by admins.

Known limit: the audit log (ids, kinds, logins and times — never content) is readable by
every member, since each writer extends the one chain.
"""

from __future__ import annotations

from typing import Any, NamedTuple

OTHER_ROLES = ("supervisor", "coder", "clinician", "auditor")
ALL_ROLES = ("admin", *OTHER_ROLES)
WRITERS = ("supervisor", "coder", "clinician")

FUNCTIONS = (
    # The audit chain's head, taken for this transaction: lock first, then read (a VOLATILE
    # plpgsql function reads with a fresh snapshot per statement, so it sees the head that
    # the previous lock holder committed).
    """CREATE OR REPLACE FUNCTION attune_audit_head(k bigint, OUT hash text, OUT seq bigint)
    LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp
    AS $$ BEGIN
        PERFORM pg_advisory_xact_lock(k);
        SELECT a.hash, a.seq INTO hash, seq FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
    END $$""",
    # The same chain, extended on the server in one call sent with the COMMIT: the chain is
    # then held only while the server works, never while a (busy) client computes hashes.
    # The hash is audit._digest's: sha256 of the fields joined by U+001F, as UTF-8 hex.
    """CREATE OR REPLACE FUNCTION attune_audit_append(k bigint, at_ text, who text,
        actions text[], entities text[], ids text[], OUT first_seq bigint, OUT last_seq bigint)
    LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp
    AS $$ DECLARE prev text; n bigint; h text;
    BEGIN
        PERFORM pg_advisory_xact_lock(k);
        SELECT a.hash, a.seq INTO prev, n FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
        IF prev IS NULL THEN prev := repeat('0', 64); n := 0; END IF;
        first_seq := n + 1;
        FOR i IN 1 .. coalesce(array_length(actions, 1), 0) LOOP
            n := n + 1;
            h := encode(sha256(convert_to(concat_ws(chr(31), prev, at_, who, actions[i],
                                                    entities[i], ids[i], ''), 'UTF8')), 'hex');
            INSERT INTO audit_log (seq, at, "user", action, entity, entity_id, summary,
                                   prev_hash, hash)
                VALUES (n, at_, who, actions[i], entities[i], ids[i], '', prev, h);
            prev := h;
        END LOOP;
        last_seq := n;
    END $$""",
    """CREATE OR REPLACE FUNCTION attune_has_role(r text) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_has_role(session_user, 'attune_' || r, 'MEMBER') $$""",
    """CREATE OR REPLACE FUNCTION attune_sees_all() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = public, pg_temp
    AS $$ SELECT attune_has_role('admin') OR attune_has_role('auditor') $$""",
    # SECURITY DEFINER: runs as the tables' owner, so reading sessions/observations here is
    # not itself filtered (which would recurse); it only ever answers yes or no.
    """CREATE OR REPLACE FUNCTION attune_sees_session(s text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT attune_has_role('admin') OR attune_has_role('auditor')
        OR attune_has_role('supervisor') OR attune_has_role('coder')
        OR EXISTS (SELECT 1 FROM sessions x WHERE x.id = s
                   AND (x.consent::jsonb ->> 'show_to_parents') = 'true') $$""",
    """CREATE OR REPLACE FUNCTION attune_observation_visible(s text, c text, f bigint)
    RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT c = session_user
        OR NOT EXISTS (SELECT 1 FROM observations o WHERE o.session_id = s
                       AND o.coder = session_user AND o.blind <> 0)
        OR NOT EXISTS (SELECT 1 FROM observations o WHERE o.session_id = s
                       AND o.final = 0 AND o.coder <> 'Consensus') $$""",
    """CREATE OR REPLACE FUNCTION attune_owns_observation(obs text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT EXISTS (SELECT 1 FROM observations o WHERE o.id = obs
                         AND (o.coder = session_user
                              OR (o.coder = 'Consensus' AND attune_has_role('supervisor')))) $$""",
)


def ensure_roles(db: Any) -> None:
    """The five group roles exist, the creating login is an admin, admins may create tables.

    Runs as the creating login (it needs CREATEROLE the first time, and to own the database
    or its ``public`` schema)."""
    existing = {
        r[0]
        for r in db.execute_native(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE 'attune\\_%'"
        ).fetchall()
    }
    for role in ALL_ROLES:
        if f"attune_{role}" not in existing:
            db.execute_native(f"CREATE ROLE attune_{role} NOLOGIN")
    if len(existing) < len(ALL_ROLES):
        # Admins hand out the other roles (attune team add) without needing CREATEROLE.
        others = ", ".join(f"attune_{r}" for r in OTHER_ROLES)
        db.execute_native(f"GRANT {others} TO attune_admin WITH ADMIN OPTION")
    is_super = db.execute_native(
        "SELECT rolsuper FROM pg_roles WHERE rolname = session_user"
    ).fetchone()[0]
    if not is_super:
        login = db.execute_native("SELECT session_user").fetchone()[0]
        db.execute_native(f'GRANT attune_admin TO "{_ident(login)}" WITH ADMIN OPTION')
    db.execute_native("GRANT USAGE, CREATE ON SCHEMA public TO attune_admin")


def apply(db: Any) -> None:
    """(Re)state every grant and policy; run as attune_admin after each migration."""
    for statement in FUNCTIONS:
        db.execute_native(statement)
    db.execute_native(
        "REVOKE ALL ON FUNCTION attune_sees_session(text), "
        "attune_observation_visible(text, text, bigint), attune_owns_observation(text) "
        "FROM PUBLIC"
    )
    everyone = ", ".join(f"attune_{r}" for r in OTHER_ROLES)
    db.execute_native(
        "GRANT EXECUTE ON FUNCTION attune_sees_session(text), "
        f"attune_observation_visible(text, text, bigint), attune_owns_observation(text) "
        f"TO {everyone}"
    )
    columns: dict[str, set[str]] = {}
    for table, column in db.execute_native(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public'"
    ).fetchall():
        columns.setdefault(str(table), set()).add(str(column))
    for table in sorted(columns):
        _secure_table(db, table, columns[table], everyone)
    writers = ", ".join(f"attune_{r}" for r in WRITERS)
    db.execute_native(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {writers}")


def _secure_table(db: Any, table: str, cols: set[str], everyone: str) -> None:
    db.execute_native(f"REVOKE ALL ON {table} FROM {everyone}")
    db.execute_native(f"GRANT SELECT ON {table} TO {everyone}")
    db.execute_native(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    for (name,) in db.execute_native(
        "SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = %s",
        (table,),
    ).fetchall():
        db.execute_native(f'DROP POLICY "{_ident(name)}" ON {table}')
    _, read, write, writers = rule_for(table, cols)
    db.execute_native(f"CREATE POLICY attune_read ON {table} FOR SELECT USING ({read})")
    if not writers:
        return
    db.execute_native(f"CREATE POLICY attune_insert ON {table} FOR INSERT WITH CHECK ({write})")
    db.execute_native(
        f"CREATE POLICY attune_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write})"
    )
    db.execute_native(f"CREATE POLICY attune_delete ON {table} FOR DELETE USING ({write})")
    for role, privileges in writers.items():
        db.execute_native(f"GRANT {privileges} ON {table} TO attune_{role}")


_SUPERVISOR_ONLY = {"supervisor": "INSERT, UPDATE, DELETE"}


class Rule(NamedTuple):
    """How one table is guarded: ``kind`` names the rule (tests pin it per table)."""

    kind: str
    read: str  # the SELECT policy
    write: str  # the INSERT/UPDATE/DELETE policy
    writers: dict[str, str]  # privileges granted per role (admins own the table)


def rule_for(table: str, cols: set[str]) -> Rule:
    """The rule for one table, from its name and columns (see the module docstring)."""
    if table == "observations":
        return Rule(
            "observations",
            "attune_sees_all() OR (attune_sees_session(session_id) "
            "AND attune_observation_visible(session_id, coder, final))",
            "attune_has_role('supervisor') OR coder = session_user",
            {
                "supervisor": "INSERT, UPDATE",
                # a coder may start and finish their own, never unblind it or hand it on
                "coder": "INSERT, UPDATE (final, name, row_version)",
            },
        )
    if table == "sessions":
        return Rule(
            "sessions", "attune_sees_all() OR attune_sees_session(id)", "true", _SUPERVISOR_ONLY
        )
    if table == "audit_log":
        return Rule("audit", "true", '"user" = session_user', {r: "INSERT" for r in WRITERS})
    if "observation_id" in cols:
        return Rule(
            "by observation",
            "attune_sees_all() OR EXISTS (SELECT 1 FROM observations o "
            "WHERE o.id = observation_id)",  # observations' own policy decides
            "attune_owns_observation(observation_id)",
            {"supervisor": "INSERT, UPDATE, DELETE", "coder": "INSERT, UPDATE, DELETE"},
        )
    if "session_id" in cols:
        writers = dict(_SUPERVISOR_ONLY)
        if table == "highlights":
            writers["clinician"] = "INSERT, UPDATE, DELETE"
        return Rule(
            "by session",
            "attune_sees_all() OR attune_sees_session(session_id)",
            "attune_sees_session(session_id)",
            writers,
        )
    if table == "media":
        return Rule("media", "true", "true", _SUPERVISOR_ONLY)
    if "media_id" in cols:  # per-video tables: frame times, analysis caches
        return Rule("media cache", "true", "true", {r: "INSERT, UPDATE, DELETE" for r in WRITERS})
    return Rule("admins write", "true", "false", {})  # schemes, meta, the schema version


def _ident(name: Any) -> str:
    return str(name).replace('"', '""')
