"""mongodb: MongoDB from the official `mongo` image (template `stdlib/mongodb.yaml`).

Lowers `credentials` to the root user (`user`, MONGO_INITDB_ROOT_USERNAME) and its
password as a mounted file (MONGO_INITDB_ROOT_PASSWORD_FILE, which also turns
authentication on), `config` to mongod arguments (`--key=value`, `--key` for true, nothing
for false, `--setParameter name=value` for each entry of the `setParameter` map), and
`backup` to a CronJob running `mongodump --gzip --archive` (every database). Consumers of
`connect_to` get `<NAME>_URL` (`mongodb://host:port`). One server (`replicas` above 1 is
an error). It edits its own spec and adds specs only through the context;
it must not import another component module nor anything above `skyspec.layers`.
"""

from __future__ import annotations

import shlex

from ._backup import backup
from ._common import Component, Ctx, add_env, config_items, scalar, single_server, storage
from ._credentials import add_secret, password_ref
from ._doc import Doc

DATA_PATH = "/data/db"
PORT = "mongodb"


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    single_server(doc, comp, ctx)
    storage(doc, comp)
    cred = doc.get("credentials")
    if isinstance(cred, str):
        cpos = doc.where("credentials")
        add_env(doc, "MONGO_INITDB_ROOT_USERNAME", doc.get("user"), cpos)
        add_secret(doc, "MONGO_INITDB_ROOT_PASSWORD", cred, "password", cpos)
    args, poss = [], []
    for k, v, pos in config_items(doc):
        if k == "setParameter" and isinstance(v, dict):
            for pk, pv in v.items():
                ppos = doc.where("config", k, pk)
                args += ["--setParameter", f"{pk}={scalar(pv)}"]
                poss += [ppos, ppos]
        elif v is True:
            args.append(f"--{k}")
            poss.append(pos)
        elif v is not False:
            args.append(f"--{k}={v}")
            poss.append(pos)
    if args:
        doc.extend(("args",), args, poss)
    backup(doc, comp, ctx)


def exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"mongodb://{host}:{port}"}


def dump(doc: Doc, host: str, port: int, out: str) -> tuple[str, dict, str]:
    """Every database, as a gzipped archive (`mongorestore --gzip --archive=FILE`)."""
    secrets, lines, auth = {}, [], ""
    ref = password_ref(doc, "MONGO_INITDB_ROOT_PASSWORD")
    if ref:
        secrets["MONGO_BACKUP_PASSWORD"] = ref
        # a config file keeps the password off the command line
        lines.append("umask 077")
        lines.append("printf 'password: \"%s\"\\n' \"$(cat \"$MONGO_BACKUP_PASSWORD_FILE\")\" > /tmp/mongodump.yaml")
        auth = (f"--config=/tmp/mongodump.yaml --username={shlex.quote(doc.get('user'))} "
                "--authenticationDatabase=admin ")
    lines.append(f"mongodump {auth}--host={host} --port={port} --gzip --archive=\"{out}\"")
    return "\n".join(lines), secrets, ".archive.gz"
