"""image not pinned to a version

An image without a tag, or with the tag `latest`, is whatever was pushed last: two nodes
pulling at different times run different code, and a rollback cannot bring back what ran
before. Checked for every container (sidecars and init containers too), the images of
blue-green and canary rollouts, and the pod templates of `kind: Resource` manifests. An
image pinned by digest (`@sha256:...`) passes, with or without a tag. For tags that move
like `latest` does (`main`, `nightly`, ...) see `mutable-tag`.

PASS:

```yaml
kind: App
name: web
image: nginx:1.27.0
sidecars:
  exporter: {image: "nginx/nginx-prometheus-exporter@sha256:8f3a6c9d7b1e2f405a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b"}
```

FAIL:

```yaml
kind: App
name: web
image: nginx:latest  # <- the tag `latest`
```

FAIL (a sidecar without a tag):

```yaml
kind: App
name: web
image: nginx:1.27.0
sidecars:
  exporter: {image: nginx/nginx-prometheus-exporter}  # <- no tag at all
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ._common import images, split_image, where

ID = "latest-image"
CODE = "SKY401"
SEVERITY = "warning"
PROTECTED_SEVERITY = "error"


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for image, spec, path, who in images(ir):
        repo, tag, digest = split_image(image)
        if digest:
            continue
        if tag is None:
            yield where(spec, *path), f'image "{image}" of {who} has no tag, so it runs whatever `latest` is', \
                f'pin a version, e.g. "{repo}:1.2.3", or a digest "{repo}@sha256:..."'
        elif tag == "latest":
            yield where(spec, *path), f'image "{image}" of {who} is not pinned', \
                f'pin a version, e.g. "{repo}:1.2.3", or a digest "{repo}@sha256:..."'
