"""What several rules need: containers with their spec paths, images and where they are
written, pod specs inside raw manifests. Not a rule (discovery skips `_` modules).

Everything here tolerates partial IR: a workload whose spec had errors may lack fields,
and a Resource manifest is whatever the user wrote.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..diagnostics import Pos
from ..provenance import shipped


def where(spec: Any, *path: Any) -> Pos | None:
    """The position of the value at ``path`` in ``spec`` (or of its nearest parent)."""
    return spec.where(*path) if spec is not None else None


def where_key(spec: Any, *path: Any) -> Pos | None:
    """Where the key holding the value at ``path`` is written (a block mapping's own
    position is its first key's line): for a problem *inside* that value, such as something
    missing from it. Where a layer deleted it (`resources: null`), when one did; the nearest
    parent's position when the value was never there. Never a line of skyspec's shipped
    files (a built-in profile's default): then where :meth:`Spec.where` reports the value."""
    if spec is None:
        return None
    node = spec.prov.find(tuple(path))
    if node is None:
        return spec.where(*path)
    if spec.prov.nearest(tuple(path)) is not node and node.hist and node.hist[-1].op in ("delete", "remove"):
        pos = node.hist[-1].pos   # gone: the line that deleted it
    else:
        pos = node.key or node.pos
    return spec.where(*path) if shipped(pos) else pos


def label(w: Any) -> str:
    return f'{w.kind} "{w.name}"'


def containers(w: Any) -> Iterator[tuple[Any, tuple, str]]:
    """Every container of a workload: (container, its spec path, how a message names it).
    The main container is the spec itself (path ``()``)."""
    cs = list(w.containers or [])
    if cs:
        yield cs[0], (), label(w)
    for c in cs[1:]:
        yield c, ("sidecars", c.name), f'sidecar "{c.name}" of {label(w)}'
    for c in w.init_containers or []:
        yield c, ("init", c.name), f'init container "{c.name}" of {label(w)}'


def spec_value(spec: Any, path: tuple) -> Any:
    """The layered spec's value at ``path``, or None."""
    v = spec.data if spec is not None else None
    for k in path:
        if not isinstance(v, dict):
            return None
        v = v.get(k)
    return v


def split_image(ref: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/repo:tag@sha256:...` -> (repository, tag or None, digest or None)."""
    name, _, digest = ref.partition("@")
    colon, slash = name.rfind(":"), name.rfind("/")
    if colon > slash:
        return name[:colon], name[colon + 1:], digest or None
    return name, None, digest or None


def pod_specs(obj: Any) -> Iterator[tuple[tuple, dict]]:
    """The pod specs inside a Kubernetes object, with their paths: a Pod's `spec`, a
    CronJob's job template's, and `spec.template.spec` of anything with a pod template
    (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ...)."""
    if not isinstance(obj, dict):
        return
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if obj.get("kind") == "Pod":
        yield ("spec",), spec
        return
    path: tuple = ("spec",)
    if obj.get("kind") == "CronJob":
        jt = spec.get("jobTemplate")
        spec = jt.get("spec") if isinstance(jt, dict) else None
        path = ("spec", "jobTemplate", "spec")
        if not isinstance(spec, dict):
            return
    tpl = spec.get("template")
    if isinstance(tpl, dict) and isinstance(tpl.get("spec"), dict):
        yield path + ("template", "spec"), tpl["spec"]


def resource_label(r: dict) -> str:
    obj = r.get("object") or {}
    name = (obj.get("metadata") or {}).get("name") or getattr(r.get("spec"), "name", "?")
    return f'Resource "{name}" ({obj.get("kind", "?")})'


def images(ir: Any) -> Iterator[tuple[str, Any, tuple, str]]:
    """Every image the environment runs: (reference, the spec that writes it, its path there,
    what runs it); :func:`where` (spec, *path) locates a problem with it (asked only then:
    locating reads the spec's provenance). Containers of workloads, the images of blue-green
    and canary rollouts, and the containers of pod templates in `kind: Resource` manifests."""
    for w in ir.workloads:
        for c, at, who in containers(w):
            if isinstance(c.image, str) and c.image:
                yield c.image, w.spec, (*at, "image"), who
        st = w.strategy
        if st is not None:
            if isinstance(st.preview_image, str) and st.preview_image:
                yield st.preview_image, w.spec, ("strategy", "blue-green", "preview_image"), \
                    f"the blue-green preview of {label(w)}"
            if isinstance(st.canary_image, str) and st.canary_image:
                yield st.canary_image, w.spec, ("strategy", "canary", "image"), f"the canary of {label(w)}"
    for r in ir.raw:
        for path, pod in pod_specs(r.get("object")):
            for key in ("initContainers", "containers", "ephemeralContainers"):
                items = pod.get(key)
                for i, c in enumerate(items if isinstance(items, list) else []):
                    image = c.get("image") if isinstance(c, dict) else None
                    if isinstance(image, str) and image:
                        yield image, r.get("spec"), ("manifest", *path, key, i, "image"), resource_label(r)
