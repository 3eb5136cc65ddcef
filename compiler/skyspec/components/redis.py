"""redis: Redis from the official `redis` image (template `stdlib/redis.yaml`).

Lowers `config` to `redis-server --key value` arguments (booleans `yes`/`no`, a value of
several words as several arguments) and `credentials` to a password: the image has no
`*_FILE` convention, so a small `sh -c` wrapper reads the mounted REDIS_PASSWORD_FILE into
`--requirepass` (unless the spec has its own `command`), and the template's probe
authenticates with it. Consumers of `connect_to` get `<NAME>_URL` (`redis://host:port/0`).
One server (`replicas` above 1 is an error); no backups (the RDB/AOF files are on the
`data` claim). It edits its own spec and adds specs only through the context;
it must not import another component module nor anything above `skyspec.layers`.
"""

from __future__ import annotations

from ..provenance import MISSING
from ._common import Component, Ctx, config_items, scalar, single_server, storage
from ._credentials import add_secret
from ._doc import Doc

DATA_PATH = "/data"
PORT = "redis"

REDIS_AUTH_PROBE = 'REDISCLI_AUTH="$(cat "$REDIS_PASSWORD_FILE")" redis-cli ping | grep -q PONG'


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    single_server(doc, comp, ctx)
    storage(doc, comp)
    cred = doc.get("credentials")
    if isinstance(cred, str):
        cpos = doc.where("credentials")
        add_secret(doc, "REDIS_PASSWORD", cred, "password", cpos)
        if doc.get("command") is MISSING:  # the image has no *_FILE convention: read it at start
            doc.put(("command",), ["sh", "-c", 'exec docker-entrypoint.sh redis-server "$@" '
                                               '--requirepass "$(cat "$REDIS_PASSWORD_FILE")"', "redis-server"], cpos)
        if doc.by_template("health", "exec"):
            doc.put(("health", "exec"), ["sh", "-c", REDIS_AUTH_PROBE], cpos)
    args, poss = [], []
    for k, v, pos in config_items(doc):
        words = [""] if v == "" else scalar(v, "yes", "no").split()
        args += [f"--{k}", *words]
        poss += [pos] * (1 + len(words))
    if args:
        doc.extend(("args",), args, poss)


def exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"redis://{host}:{port}/0"}
