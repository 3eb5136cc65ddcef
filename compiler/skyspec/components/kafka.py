"""kafka: Apache Kafka from the official `apache/kafka` image, in KRaft mode (template
`stdlib/kafka.yaml`).

Lowers `cluster_id` to CLUSTER_ID (when not given, one derived from the spec's name, so it
stays the same from build to build) and `config` (server.properties settings) to the
image's environment convention, `KAFKA_*` (`num.partitions` -> KAFKA_NUM_PARTITIONS).
Consumers of `connect_to` get `<NAME>_URL` and `<NAME>_BOOTSTRAP_SERVERS` (`host:port`).
One broker (`replicas` above 1 is an error). It edits its own spec and adds specs only
through the context; it must not import another component module nor anything above
`skyspec.layers`.
"""

from __future__ import annotations

import base64
import hashlib

from ..provenance import MISSING
from ._common import Component, Ctx, add_env, config_items, env_name, scalar, single_server, storage
from ._doc import Doc

DATA_PATH = "/var/lib/kafka/data"
PORT = "kafka"


def expand(doc: Doc, comp: Component, ctx: Ctx) -> None:
    single_server(doc, comp, ctx)
    storage(doc, comp)
    cid = doc.get("cluster_id")
    if cid is MISSING:
        digest = hashlib.sha256(f"skyspec/kafka/{doc.spec.name}".encode()).digest()[:16]
        cid = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        add_env(doc, "CLUSTER_ID", cid, doc.spec.pos)
    else:
        add_env(doc, "CLUSTER_ID", cid, doc.where("cluster_id"))
    for k, v, pos in config_items(doc):
        add_env(doc, env_name("KAFKA_", k), scalar(v), pos)


def exports(d: dict, host: str, port: int) -> dict[str, str]:
    return {"URL": f"{host}:{port}", "BOOTSTRAP_SERVERS": f"{host}:{port}"}
