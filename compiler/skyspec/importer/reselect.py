"""Selectors kept from the input that select imported workloads' pods by labels skyspec does not
give them: a kept Service's, PodDisruptionBudget's or NetworkPolicy's (and a mapped
NetworkPolicy's `select` and peers) select the labels the build gives those pods instead
(`app.kubernetes.io/name` and `part-of`), or a label of the importer's where those cannot tell
the workloads apart. A note at each selector rewritten. It reads and writes no value.
"""

from __future__ import annotations

from ..schema.fields import RESERVED_LABELS
from ..syscheck import ORDINAL
from .kinds import _dig, _put
from .kube import Extracted, _selects, namespace_of, pod_spec, same_ns
from .source import WRONG


IMPORTED = "imported.skyspec.dev"   # the key prefix of labels the importer gives pods for a kept selector


def reselect(items: list[Extracted], project: str, inputs) -> None:
    """A Service kept as written (or a PodDisruptionBudget, or a NetworkPolicy, or its peer), or
    a NetworkPolicy's `select` or peer, that selects the pods of imported workloads by labels
    skyspec does not give them
    (`app.kubernetes.io/instance`, or a `name` or `part-of` other than the workload's and the
    project's: charts select on both) would select no pod in the build: its reserved-label
    terms become the labels skyspec gives those pods (`name` and `part-of` for one workload,
    `part-of` beside the other terms for several), where that selects exactly the same
    workloads among the imported ones; else a reserved term that tells them apart becomes a
    label of the importer's (`imported.skyspec.dev/part-of`) on those workloads' pods and in
    the selector. A note where the selector is."""
    from ..ir.model import pod_selector

    work = [x for x in items if x.doc["kind"] in ("App", "StatefulApp", "Job", "CronJob") and x.objects]
    home = namespace_of([o for x in items for o in x.objects])
    given = {id(x): (pod_spec(x.objects[0]).get("metadata") or {}).get("labels") or {} for x in work}
    built = {id(x): {**(x.doc.get("labels") or {}), **pod_selector(project, x.doc["name"]),
                     "app.kubernetes.io/managed-by": "skyspec"} for x in work}

    def rewritten(sel, obj: dict) -> tuple[dict, list] | None:
        """(the selector the build needs, the workloads it selects), or None when ``sel``
        selects the same pods in the build (or nothing, or what no rewrite can say). The labels
        the StatefulSet controller gives each pod (a Service per pod selects
        `statefulset.kubernetes.io/pod-name: web-0`) are no pod template's: kept as they are;
        so are keys no pod template has, which the app or an operator sets at runtime (vault
        labels its active member `vault-active: "true"`)."""
        if not isinstance(sel, dict) or not sel or not all(isinstance(v, str) for v in sel.values()):
            return None
        aside = {k: v for k, v in sel.items() if k in ORDINAL or (
            k not in RESERVED_LABELS and not any(k in given[id(w)] for w in work))}
        sel = {k: v for k, v in sel.items() if k not in aside}
        if not sel:
            return None
        got = _rewritten(sel, obj)
        return ({**got[0], **aside}, got[1]) if got is not None else None

    def _rewritten(sel: dict, obj: dict) -> tuple[dict, list] | None:
        mine = [w for w in work if same_ns(obj, w.objects[0], home) and _selects(sel, given[id(w)])]
        if not mine or all(_selects(sel, built[id(w)]) for w in mine):
            return None
        new = {k: v for k, v in sel.items() if k not in RESERVED_LABELS}
        new.update(pod_selector(project, mine[0].doc["name"]) if len(mine) == 1 else
                   {"app.kubernetes.io/part-of": project})
        near = [w for w in work if same_ns(obj, w.objects[0], home)]
        if [w for w in near if _selects(new, built[id(w)])] != mine:
            # several workloads told apart by a label skyspec owns (Grafana's charts mark their
            # memberlist members `app.kubernetes.io/part-of: memberlist`): the label under the
            # importer's own key, on those workloads' pods and in the selector
            own = {f"{IMPORTED}/{k.rsplit('/', 1)[-1]}": v for k, v in sel.items() if k in RESERVED_LABELS
                   and not all(built[id(w)].get(k) == v for w in mine)
                   and not all(given[id(w)].get(k) == v for w in near)}
            new = {**{k: v for k, v in sel.items() if k not in RESERVED_LABELS}, **own}
            trial = {id(w): {**built[id(w)], **own} if w in mine else built[id(w)] for w in near}
            if not own or any(built[id(w)].get(k, v) != v for w in mine for k, v in own.items()) \
                    or [w for w in near if _selects(new, trial[id(w)])] != mine:
                return None  # the build's system check reports it
            for w in mine:   # (another kept selector may have given some of them the same label)
                w.doc["labels"] = {**(w.doc.get("labels") or {}), **own}
                built[id(w)].update(own)
        return new, mine

    def note(kind: str, name: str, sel: dict, new: dict, mine: list, pos) -> None:
        names = ", ".join(w.doc["name"] for w in mine)
        inputs.note(WRONG, f"{kind} {name} selects the pods of {names} by labels skyspec does not give them "
                    f"({', '.join(sorted(k for k in sel if k not in new or new[k] != sel[k]))}): imported "
                    f"selecting {', '.join(f'{k}={v}' for k, v in new.items())}", pos,
                    hint="skyspec labels a workload's pods with app.kubernetes.io/name (the workload's name) and "
                         "part-of (the project's); the round trip compares the selectors")

    for x in items:
        if x.doc["kind"] == "NetworkPolicy" and x.objects:   # its `select`, and each peer's
            o = x.objects[0]
            places = [(x.doc.get("select"), ("spec", "podSelector", "matchLabels"))]
            places += [(p, ("spec", rules, 0, side, i, "podSelector", "matchLabels"))
                       for key, rules, side in (("allow_from", "ingress", "from"), ("allow_to", "egress", "to"))
                       for i, p in enumerate(x.doc.get(key) or [])]
            for holder, at in places:
                sel = holder.get("labels") if isinstance(holder, dict) else None
                got = rewritten(sel, o)
                if got is not None:
                    holder["labels"] = got[0]
                    note("NetworkPolicy", x.doc["name"], sel, got[0], got[1], inputs.pos(o, at))
            continue
        m = x.doc.get("manifest") if x.doc["kind"] == "Resource" else None
        if not m or not x.objects:
            continue
        for at in _selector_paths(m):
            sel = _dig(m, at)
            got = rewritten(sel, x.objects[0])
            if got is not None:
                _put(m, at, got[0])
                note(m["kind"], x.doc["name"], sel, got[0], got[1], inputs.pos(x.objects[0], at))


def _selector_paths(m: dict) -> list[tuple]:
    """Where a manifest kept as written selects pods of its own namespace by labels: a
    Service's and a PodDisruptionBudget's selector, a NetworkPolicy's `podSelector` and its
    peers' (those without a `namespaceSelector`, which select in other namespaces)."""
    kind = m.get("kind")
    if kind == "Service":
        return [("spec", "selector")]
    if kind == "PodDisruptionBudget":
        return [("spec", "selector", "matchLabels")]
    if kind != "NetworkPolicy":
        return []
    out = [("spec", "podSelector", "matchLabels")]
    spec = m.get("spec") if isinstance(m.get("spec"), dict) else {}
    for rules, side in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(rules) or [] if isinstance(spec.get(rules), list) else []):
            peers = rule.get(side) if isinstance(rule, dict) else None
            for j, peer in enumerate(peers if isinstance(peers, list) else []):
                if isinstance(peer, dict) and "podSelector" in peer and "namespaceSelector" not in peer:
                    out.append(("spec", rules, i, side, j, "podSelector", "matchLabels"))
    return out
