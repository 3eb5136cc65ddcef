"""mysql: MySQL from the official `mysql` image (template `stdlib/mysql.yaml`).

Lowers `user` and `database` to MYSQL_USER and MYSQL_DATABASE (a user other than root
needs a database, on which the image grants it everything), `credentials` to the passwords
as mounted files (MYSQL_ROOT_PASSWORD_FILE, and MYSQL_PASSWORD_FILE for a user other than
root; a root password is required), `config` to `--key=value` server arguments (booleans
`ON`/`OFF`), and `backup` to a CronJob running `mysqldump --single-transaction` (every
database as root, else the user's), gzipped. Consumers of `connect_to` get `<NAME>_URL`
(`mysql://host:port[/database]`), `<NAME>_USER` and `<NAME>_DATABASE` (when there is one).
One server (`replicas` above 1 is an error). It edits its own spec and adds specs only
through the context; it must not import another component module nor anything above
`skyspec.layers`.
"""

from __future__ import annotations

import shlex

from ..provenance import MISSING
from ._backup import backup
from ._common import Component, Ctx, add_env, config_items, scalar, single_server, storage
from ._credentials import add_secret, needs_password, password_ref
from ._doc import Doc

DATA_PATH = "/var/lib/mysql"
PORT = "mysql"


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    single_server(doc, comp, ctx)
    storage(doc, comp)
    user, db, cred = doc.get("user"), doc.get("database"), doc.get("credentials")
    upos = doc.where("user")
    if user != "root":
        add_env(doc, "MYSQL_USER", user, upos)
        if db is MISSING:
            ctx.diags.error("SKY103", f'a mysql `user` other than root ("{user}") needs a `database`',
                            upos, hint="the image grants the user all privileges on that database: `database: app`")
    if db is not MISSING:
        add_env(doc, "MYSQL_DATABASE", db, doc.where("database"))
    if needs_password(doc, comp, ctx, ("MYSQL_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD_FILE", "MYSQL_ALLOW_EMPTY_PASSWORD",
                                        "MYSQL_RANDOM_ROOT_PASSWORD"),
                       "the mysql image does not start without a root password") and isinstance(cred, str):
        cpos = doc.where("credentials")
        if user == "root":
            add_secret(doc, "MYSQL_ROOT_PASSWORD", cred, "password", cpos)
        else:
            add_secret(doc, "MYSQL_PASSWORD", cred, "password", cpos)
            add_secret(doc, "MYSQL_ROOT_PASSWORD", cred, "root-password", cpos)
    args, poss = [], []
    for k, v, pos in config_items(doc):
        args.append(f"--{k}={scalar(v, 'ON', 'OFF')}")
        poss.append(pos)
    if args:
        doc.extend(("args",), args, poss)
    backup(doc, comp, ctx)


def exports(d: dict, host: str, port: int) -> dict[str, str]:
    db = d.get("database")
    out = {"URL": f"mysql://{host}:{port}/{db}" if db else f"mysql://{host}:{port}", "USER": d["user"]}
    if db:
        out["DATABASE"] = db
    return out


def dump(doc: Doc, host: str, port: int, out: str) -> tuple[str, dict, str]:
    """Every database as root (with routines, events, triggers), else the user's database;
    one consistent snapshot (`--single-transaction`), gzipped SQL."""
    secrets, lines = {}, ["umask 077"]
    user = doc.get("user")
    opts = ""
    ref = password_ref(doc, "MYSQL_ROOT_PASSWORD" if user == "root" else "MYSQL_PASSWORD")
    if ref:
        secrets["MYSQL_BACKUP_PASSWORD"] = ref
        # an option file keeps the password off the command line
        lines.append("printf '[client]\\npassword=\"%s\"\\n' \"$(cat \"$MYSQL_BACKUP_PASSWORD_FILE\")\" "
                     "> /tmp/backup.cnf")
        opts = "--defaults-extra-file=/tmp/backup.cnf "
    what = "--all-databases" if user == "root" else \
        f"--no-tablespaces --databases {shlex.quote(doc.get('database') or '')}"
    lines.append(f"mysqldump {opts}--host={host} --port={port} --user={shlex.quote(user)} --single-transaction "
                 f"--routines --events --triggers {what} --result-file=\"{out}.sql\"")
    lines.append(f'gzip "{out}.sql" && mv "{out}.sql.gz" "{out}"')
    return "\n".join(lines), secrets, ".sql.gz"
