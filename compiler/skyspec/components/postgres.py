"""postgres: PostgreSQL from the official `postgres` image (template `stdlib/postgres.yaml`).

Lowers `config` to `-c key=value` server arguments (booleans `on`/`off`), `credentials` to
the superuser's password as a mounted file (POSTGRES_PASSWORD_FILE; the image does not
start without a password, so one is required), and `backup` to a CronJob running
`pg_dump --format=custom` (pg_restore reads it) against the Service. Consumers of
`connect_to` get `<NAME>_URL` (`postgresql://host:port/database`), `<NAME>_USER` and
`<NAME>_DATABASE`. One server (`replicas` above 1 is an error); the `data` claim holds
PGDATA's parent. It edits its own spec and adds specs only through the context;
it must not import another component module nor anything above `skyspec.layers`.
"""

from __future__ import annotations

import shlex

from ._backup import backup
from ._common import Component, Ctx, config_items, scalar, single_server, storage
from ._credentials import add_secret, needs_password, password_ref
from ._doc import Doc

DATA_PATH = "/var/lib/postgresql/data"
PORT = "postgres"


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    single_server(doc, comp, ctx)
    storage(doc, comp)
    if needs_password(doc, comp, ctx, ("POSTGRES_PASSWORD", "POSTGRES_PASSWORD_FILE", "POSTGRES_HOST_AUTH_METHOD"),
                       "the postgres image does not start without a superuser password"):
        if isinstance(doc.get("credentials"), str):
            add_secret(doc, "POSTGRES_PASSWORD", doc.get("credentials"), "password", doc.where("credentials"))
    args, poss = [], []
    for k, v, pos in config_items(doc):
        args += ["-c", f"{k}={scalar(v, 'on', 'off')}"]
        poss += [pos, pos]
    if args:
        doc.extend(("args",), args, poss)
    backup(doc, comp, ctx)


def exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"postgresql://{host}:{port}/{d['database']}", "USER": d["user"], "DATABASE": d["database"]}


def dump(doc: Doc, host: str, port: int, out: str) -> tuple[str, dict, str]:
    """(script, secrets, file suffix): a custom-format dump (pg_restore reads it) of `database`."""
    secrets, lines = {}, []
    ref = password_ref(doc, "POSTGRES_PASSWORD")
    if ref:
        secrets["PGPASSWORD"] = ref
        lines.append('PGPASSWORD="$(cat "$PGPASSWORD_FILE")"; export PGPASSWORD')
    lines.append(f"pg_dump --host={host} --port={port} --username={shlex.quote(doc.get('user'))} "
                 f"--dbname={shlex.quote(doc.get('database'))} --format=custom --file=\"{out}\"")
    return "\n".join(lines), secrets, ".dump"
