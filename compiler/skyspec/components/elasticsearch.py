"""elasticsearch: Elasticsearch from Elastic's official image, as a single node (template
`stdlib/elasticsearch.yaml`).

Lowers `credentials` to the `elastic` user's password as a mounted file
(ELASTIC_PASSWORD_FILE, which turns security on) and `config` (elasticsearch.yml
settings) to the image's environment convention, `ES_SETTING_*`; a setting whose name has
a `-`, which that convention cannot spell, becomes an `-Ekey=value` argument instead.
Consumers of `connect_to` get `<NAME>_URL` (`http://host:port`). One node (`replicas`
above 1 is an error). It edits its own spec and adds specs only through the context;
it must not import another component module nor anything above `skyspec.layers`.
"""

from __future__ import annotations

from ..provenance import MISSING
from ._common import Component, Ctx, add_env, config_items, env_name, scalar, single_server, storage
from ._credentials import add_secret
from ._doc import Doc

DATA_PATH = "/usr/share/elasticsearch/data"
PORT = "http"


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    single_server(doc, comp, ctx)
    storage(doc, comp)
    cred = doc.get("credentials")
    if isinstance(cred, str):
        add_secret(doc, "ELASTIC_PASSWORD", cred, "password", doc.where("credentials"))
    args, poss = [], []
    for k, v, pos in config_items(doc):
        if "-" in k:  # ES_SETTING_* has no spelling for "-" (`http.cors.allow-origin`): `-E` it is
            args.append(f"-E{k}={scalar(v)}")
            poss.append(pos)
        else:
            add_env(doc, env_name("ES_SETTING_", k), scalar(v), pos)
    if args:
        if doc.get("args") is MISSING:  # the image's entrypoint passes what follows `elasticsearch` on
            args, poss = ["elasticsearch", *args], [poss[0], *poss]
        doc.extend(("args",), args, poss)


def exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"http://{host}:{port}"}
