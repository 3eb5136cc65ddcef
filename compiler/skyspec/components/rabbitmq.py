"""rabbitmq: RabbitMQ from the official `rabbitmq` image (template `stdlib/rabbitmq.yaml`).

Lowers `credentials` (required: the user the applications log in as) to a password the
image reads from RABBITMQ_DEFAULT_PASS, set by a small `sh -c` wrapper from the mounted
RABBITMQ_PASSWORD_FILE (the image refuses RABBITMQ_DEFAULT_PASS_FILE), and `config`
(rabbitmq.conf settings) to a ConfigMap `<name>-config` mounted into /etc/rabbitmq/conf.d,
so a change restarts the node. Consumers of `connect_to` get `<NAME>_URL`
(`amqp://host:port/vhost`) and `<NAME>_USER`. One node (`replicas` above 1 is an error).
It edits its own spec and adds specs only through the context; it must not import another
component module nor anything above `skyspec.layers`.
"""

from __future__ import annotations

from urllib.parse import quote

from ..provenance import MISSING
from ._common import Component, Ctx, config_items, scalar, single_server, storage
from ._credentials import add_secret, needs_password
from ._doc import Doc, New

DATA_PATH = "/var/lib/rabbitmq"
PORT = "amqp"

RABBITMQ_CONF = "90-skyspec.conf"


RABBITMQ_START = ('RABBITMQ_DEFAULT_PASS="$(cat "$RABBITMQ_PASSWORD_FILE")"; export RABBITMQ_DEFAULT_PASS; '
                  "exec docker-entrypoint.sh rabbitmq-server")


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    single_server(doc, comp, ctx)
    storage(doc, comp)
    cred = doc.get("credentials")
    if needs_password(doc, comp, ctx, ("RABBITMQ_DEFAULT_PASS",),
                       "the applications log in as `user`, whose password it names") and isinstance(cred, str):
        cpos = doc.where("credentials")
        # not RABBITMQ_DEFAULT_PASS_FILE: the image refuses to start when that is set
        add_secret(doc, "RABBITMQ_PASSWORD", cred, "password", cpos)
        if doc.get("command") is MISSING:
            doc.put(("command",), ["sh", "-c", RABBITMQ_START], cpos)
    items = config_items(doc)
    if not items:
        return
    name = f"{doc.spec.name}-config"
    cpos = doc.where("config")
    if not ctx.claim("ConfigMap", name, cpos, "the rabbitmq configuration's ConfigMap"):
        return
    text = "".join(f"{k} = {scalar(v)}\n" for k, v, _ in items)
    cm = New(doc.layer, cpos).gen("kind", "ConfigMap").gen("name", name)
    cm.copy("namespace", doc.spec, "namespace").copy("labels", doc.spec, "labels")
    cm.sub("data", New(doc.layer, cpos).gen(RABBITMQ_CONF, text))
    ctx.out.append(cm.spec(doc.spec))
    doc.put(("volumes", "rabbitmq-config"), {"config": name, "mount": f"/etc/rabbitmq/conf.d/{RABBITMQ_CONF}",
                                             "sub_path": RABBITMQ_CONF, "read_only": True}, cpos)


def exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"amqp://{host}:{port}/{quote(d['vhost'], safe='')}", "USER": d["user"]}
