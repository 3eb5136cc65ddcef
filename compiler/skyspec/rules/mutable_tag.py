"""image tag that names a branch or channel, not a release

A tag such as `main`, `master`, `dev`, `develop`, `edge`, `nightly`, `stable`, `staging`
or one ending in `-snapshot` is moved by every push to that branch or channel: like
`latest` (see `latest-image`), the code that runs depends on when a node pulled it, and a
rollback brings back nothing. Checked wherever `latest-image` looks; an image pinned by
digest (`@sha256:...`) passes.

PASS:

```yaml
kind: App
name: api
image: ghcr.io/acme/api:1.4.2
```

FAIL:

```yaml
kind: App
name: api
image: ghcr.io/acme/api:main  # <- the main branch's latest build
```
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Pos
from ._common import images, split_image, where

ID = "mutable-tag"
CODE = "SKY409"
SEVERITY = "warning"
PROTECTED_SEVERITY = "error"

MUTABLE = {"main", "master", "trunk", "head", "dev", "develop", "development", "edge", "nightly", "unstable",
           "stable", "current", "staging", "snapshot", "release", "rolling"}


def mutable(tag: str) -> bool:
    t = tag.lower()
    return t in MUTABLE or t.endswith(("-snapshot", "-nightly"))


def check(ir, ctx) -> Iterator[tuple[Pos | None, str, str | None]]:
    for image, spec, path, who in images(ir):
        repo, tag, digest = split_image(image)
        if digest or tag is None or not mutable(tag):
            continue
        yield where(spec, *path), f'image "{image}" of {who} uses the tag "{tag}", which moves with every push', \
            f'pin a release, e.g. "{repo}:1.2.3", or a digest "{repo}@sha256:..."'
