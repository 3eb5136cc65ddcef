"""The policy rules an imported project lowers to warnings, because the input runs what they
refuse: a node agent's host access (`privileged`), an image of no version (`latest-image`)
or of a moving tag (`mutable-tag`) in a protected environment. Each is said once, at the
first place of the input that needs it (SKY070); the project file then says the rule."""

from __future__ import annotations

from . import kube, source
from .source import Inputs


def host_access(objs: list[dict], inputs: Inputs) -> bool:
    """Whether the input gives a pod power over its node (:func:`.kube.host_access`), said
    once, where it does."""
    found = kube.host_access(objs)
    if found is not None:
        o, path, what = found
        inputs.note(source.POLICY, f"{o['kind']} {o['metadata'].get('name')} {what}: the imported project's "
                    "`privileged` rule is a warning, not an error", inputs.pos(o, path),
                    hint="lower it only in the environments that run this agent: "
                         "`environments: {ENV: {policy: {rules: {privileged: warning}}}}`")
    return found is not None


def unpinned(objs: list[dict], inputs: Inputs) -> list[str]:
    """The image rules a protected environment (`prod`) would refuse the input's images by,
    each said at its first image: `latest-image` for an image of no version (`:latest`, no
    tag: Mattermost's rtcd chart), `mutable-tag` for a tag that moves (harbor's chart runs
    `goharbor/harbor-core:dev` on its main branch). The imported project must build as the
    input runs; the rules are warnings in it."""
    from ..rules._common import pod_specs, split_image
    from ..rules.mutable_tag import mutable

    found: dict[str, None] = {}
    for o in objs:
        for path, pod in pod_specs(o):
            for key in ("initContainers", "containers"):
                for i, c in enumerate(pod.get(key) or []):
                    image = c.get("image") if isinstance(c, dict) else None
                    if not isinstance(image, str) or not image or split_image(image)[2]:
                        continue
                    tag = split_image(image)[1]
                    rule, what = ("latest-image", "of no version") if tag in (None, "latest") else \
                        ("mutable-tag", f"of the moving tag {tag}") if mutable(tag) else (None, "")
                    if rule is None or rule in found:
                        continue
                    found[rule] = None
                    inputs.note(source.POLICY, f"{o['kind']} {o['metadata'].get('name')} runs image {image}, {what}: "
                                f"the imported project's `{rule}` rule is a warning in every environment, not an "
                                "error in a protected one", inputs.pos(o, (*path, key, i, "image")),
                                hint="pin each image to a version or a digest, then remove the rule from the "
                                     "project file's `policy`")
    return sorted(found)
