"""escape hatch that gives a pod power over its node

skyspec never generates a privileged pod, but the escape hatches can: a workload's `k8s:`
patch (merged into the generated objects) or a `kind: Resource` manifest (emitted as
written). Each of these lets a pod take over, or read everything on, the node it runs on,
and is reported where it is written:

- `securityContext: {privileged: true}`: the container has every device and capability of
  the node's root;
- `hostNetwork: true`, `hostPID: true`, `hostIPC: true`: the pod shares the node's
  network, processes or IPC;
- a `hostPath` volume: the pod reads (and writes) the node's files.

A node agent may need one of these: lower the rule for the environment that runs it
(`policy: {rules: {privileged: warning}}`) rather than turning it off everywhere.

PASS:

```yaml
kind: App
name: agent
image: ghcr.io/acme/agent:2.0.1
k8s:
  Deployment: {spec: {minReadySeconds: 10}}
```

FAIL:

```yaml
kind: App
name: agent
image: ghcr.io/acme/agent:2.0.1
k8s:
  Deployment: {spec: {template: {spec: {hostNetwork: true}}}}  # <- the node's network
```

FAIL (a hostPath volume in a patch, a privileged container in a raw manifest):

```yaml
kind: App
name: agent
image: ghcr.io/acme/agent:2.0.1
k8s:
  Deployment:
    spec:
      template:
        spec:
          volumes:
            - name: docker
              hostPath: {path: /var/run/docker.sock}  # <- the node's files
---
kind: Resource
name: node-exporter
manifest:
  apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: node-exporter}
  spec:
    selector: {matchLabels: {app: node-exporter}}
    template:
      metadata: {labels: {app: node-exporter}}
      spec:
        hostPID: true  # <- the node's processes
        containers:
          - name: exporter
            image: quay.io/prometheus/node-exporter:v1.8.2
            securityContext: {privileged: true}  # <- root on the node
```
"""

from __future__ import annotations

from typing import Any, Iterator

from ..diagnostics import Pos
from ._common import label, resource_label, where

ID = "privileged"
CODE = "SKY404"
SEVERITY = "error"

_HOST = {"hostNetwork": "shares the node's network", "hostPID": "sees every process of the node",
         "hostIPC": "shares the node's inter-process communication"}
HINT = ("remove it; if the workload truly needs it, lower the rule for the environment that runs it: "
        "`policy: {rules: {privileged: warning}}`")


def findings(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, what it does) for every dangerous setting in a manifest or patch."""
    if isinstance(value, dict):
        for k, v in value.items():
            p = path + (k,)
            if k == "privileged" and v is True and path[-1:] == ("securityContext",):
                yield p, "sets `securityContext.privileged: true` (root on the node)"
            elif k in _HOST and v is True:
                yield p, f"sets `{k}: true` (the pod {_HOST[k]})"
            elif k == "hostPath" and len(path) >= 2 and path[-2] == "volumes" and isinstance(path[-1], int):
                hp = v.get("path") if isinstance(v, dict) else None
                yield p, "mounts the node's " + (f'"{hp}"' if isinstance(hp, str) else "files") + " (a hostPath volume)"
            else:
                yield from findings(v, p)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from findings(v, path + (i,))


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        for kind, patch in (w.k8s or {}).items():
            for path, what in findings(patch):
                yield where(w.spec, "k8s", kind, *path), f"the k8s patch of {kind} in {label(w)} {what}", HINT
    for r in ir.raw:
        for path, what in findings(r.get("object")):
            yield where(r.get("spec"), "manifest", *path), f"{resource_label(r)} {what}", HINT
