"""Ingress host without TLS in a protected environment

A workload exposed on a host name (`expose: {host: ...}`, which generates an Ingress)
without `tls` serves plain HTTP: passwords, cookies and tokens cross the network in clear
text. Checked in protected environments only (`prod`, or `protected: true`); a dev
environment on a private host may do without. `tls: true` uses a Secret named
`<workload>-tls` (as cert-manager's ingress-shim creates it), `tls: NAME` another one.

The finding points at `expose.tls` when it is written (`tls: false`), else at `expose`.

PASS:

```yaml
kind: App
name: web
image: ghcr.io/acme/web:2.3.1
port: 8080
expose: {host: shop.example.com, tls: true}
```

FAIL (in a protected environment):

```yaml
kind: App
name: web
image: ghcr.io/acme/web:2.3.1
port: 8080
expose: {host: shop.example.com}  # <- no tls
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ._common import label, where, where_key

ID = "no-tls-ingress"
CODE = "SKY407"
SEVERITY = "warning"
PROTECTED_ONLY = True


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for w in ir.workloads:
        x = w.expose
        if x is None or not x.host or x.tls:
            continue
        written = w.spec is not None and w.spec.prov.find(("expose", "tls")) is not None
        yield (where(w.spec, "expose", "tls") if written else where_key(w.spec, "expose")), \
            f'{label(w)} is exposed on "{x.host}" without TLS in protected environment "{ir.env}"', \
            "add `tls: true` to `expose` (a Secret named " + f'"{w.name}-tls"' + ") or the name of the TLS Secret"
