"""Selectors kept from the input that select imported workloads' pods by labels skyspec does not
give them: a kept Service's, PodDisruptionBudget's or NetworkPolicy's (and a mapped
NetworkPolicy's `select` and peers) select the labels the build gives those pods instead
(`app.kubernetes.io/name` and `part-of`), or a label of the importer's where those cannot tell
the workloads apart. So do the pods' own selectors of pods: podAffinity and podAntiAffinity
terms (required and preferred) and topologySpreadConstraints, of imported workloads and kept
ones. A note at each selector rewritten. It reads and writes no value.
"""

from __future__ import annotations

import copy

from ..schema.fields import RESERVED_LABELS
from ..syscheck import ORDINAL, selects
from .kinds import _dig, _put
from .kube import POD_AT, Extracted, _selects, namespace_of, pod_spec, same_ns
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
        if _monitors_services(m):
            _service_monitor(m, x, work, built, home, project, note, inputs)
            continue
        for at in _selector_paths(m):
            sel = _dig(m, at)
            got = rewritten(sel, x.objects[0])
            if got is not None:
                _put(m, at, got[0])
                note(m["kind"], x.doc["name"], sel, got[0], got[1], inputs.pos(x.objects[0], at))
    _pod_terms(items, work, given, built, home, project, inputs)


def _monitors_services(m: dict) -> bool:
    return m.get("kind") == "ServiceMonitor" and str(m.get("apiVersion", "")).startswith("monitoring.coreos.com/")


def _service_monitor(m: dict, x: Extracted, work: list, built: dict, home: str, project: str, note, inputs) -> None:
    """A kept ServiceMonitor selecting the Services of imported workloads by their labels (a
    chart's `app.kubernetes.io/name: prometheus-pushgateway`), which the build's Services have
    not (their name is the workload's): it selects the labels the build gives them instead, so
    Prometheus scrapes them (and the network pass admits it). Another namespace's, or one whose
    selector keeps selecting, is left as it is."""
    at = ("spec", "selector", "matchLabels")
    sel = _dig(m, at)
    if not isinstance(sel, dict) or not sel or not all(isinstance(v, str) for v in sel.values()):
        return
    mine = [w for w in work if same_ns(x.objects[0], w.objects[0], home) and any(
        o.get("kind") == "Service" and _selects(sel, (o.get("metadata") or {}).get("labels") or {})
        for o in w.objects)]
    if not mine or all(_selects(sel, built[id(w)]) for w in mine):
        return
    from ..ir.model import pod_selector

    new = {k: v for k, v in sel.items() if k not in RESERVED_LABELS}
    new.update(pod_selector(project, mine[0].doc["name"]) if len(mine) == 1 else {"app.kubernetes.io/part-of": project})
    _put(m, at, new)
    note("ServiceMonitor", x.doc["name"], sel, new, mine, inputs.pos(x.objects[0], at))


def _selector_paths(m: dict) -> list[tuple]:
    """Where a manifest kept as written selects pods of its own namespace by labels: a
    Service's, a PodDisruptionBudget's and a PodMonitor's selector, a NetworkPolicy's
    `podSelector` and its peers' (those without a `namespaceSelector`, which select in other
    namespaces)."""
    kind = m.get("kind")
    if kind == "Service":
        return [("spec", "selector")]
    if kind == "PodDisruptionBudget" or kind == "PodMonitor" and str(m.get("apiVersion", "")).startswith(
            "monitoring.coreos.com/"):
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


AFFINITY = ("podAffinity", "podAntiAffinity")
WHEN = ("requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution")
LABEL_KEYS = {"matchLabelKeys": "In", "mismatchLabelKeys": "NotIn"}   # (the pod's own value of each key)


def _terms(pod: dict):
    """(path in the pod spec, term, what it is) of each term of a pod spec that selects pods by
    labels: podAffinity and podAntiAffinity terms, required and preferred, and
    topologySpreadConstraints."""
    aff = pod.get("affinity") if isinstance(pod.get("affinity"), dict) else {}
    for kind in AFFINITY:
        block = aff.get(kind) if isinstance(aff.get(kind), dict) else {}
        for when in WHEN:
            for i, t in enumerate(block.get(when) if isinstance(block.get(when), list) else []):
                inner = ("podAffinityTerm",) if when.startswith("preferred") else ()
                term = t.get(inner[0]) if inner and isinstance(t, dict) else t
                if isinstance(term, dict):
                    yield ("affinity", kind, when, i, *inner), term, f"{kind} ({when[:when.index('During')]})"
    spread = pod.get("topologySpreadConstraints")
    for i, t in enumerate(spread if isinstance(spread, list) else []):
        if isinstance(t, dict):
            yield ("topologySpreadConstraints", i), t, "topologySpreadConstraints"


def _requirements(sel: dict) -> list[tuple[str, str, list]]:
    """(key, operator, values) of each requirement of a LabelSelector, matchLabels as `In`."""
    labels, exprs = sel.get("matchLabels"), sel.get("matchExpressions")
    out = [(k, "In", [v]) for k, v in (labels.items() if isinstance(labels, dict) else ())]
    return out + [(e.get("key"), e.get("operator"), e["values"] if isinstance(e.get("values"), list) else [])
                  for e in (exprs if isinstance(exprs, list) else ()) if isinstance(e, dict)]


def _keys(term: dict, lk: str) -> list:
    """A term's `matchLabelKeys` (or `mismatchLabelKeys`)."""
    return term[lk] if isinstance(term.get(lk), list) else []


def _pod_terms(items: list[Extracted], work: list, given: dict, built: dict, home: str, project: str,
               inputs) -> None:
    """Each pod affinity term and topology spread constraint, of an imported workload or a kept
    one (a DaemonSet), that selects imported workloads' pods by labels skyspec does not give
    them (anti-affinity among a chart's replicas by `app.kubernetes.io/instance`, affinity to
    another workload's old `name`) selects them by the labels the build gives them instead,
    exactly those workloads: `name` and `part-of` for one, `part-of` and `name In (...)` for
    several, beside the selector's other requirements. A `matchLabelKeys` or
    `mismatchLabelKeys` key skyspec owns, whose value the pod's labels gave, is said in the
    selector. The spec's `affinity` (or the kept manifest) gets the new term, and
    ``inputs.reselected`` records it (spread constraints are a `k8s:` patch the round trip
    writes from it; it compares the terms as rewritten). A note at each."""
    from ..ir.model import pod_selector

    by_obj = {id(w.objects[0]): w for w in work}
    runtime = {k for w in work for k in given[id(w)]}   # (a key no pod template has is set at runtime)

    def core(reqs: list) -> dict:
        """The requirements a pod template's labels decide, as a selector."""
        return {"matchExpressions": [{"key": k, "operator": op, "values": v} for k, op, v in reqs
                                     if k not in ORDINAL and (k in RESERVED_LABELS or k in runtime)]}

    def picked(sel: dict, labels: dict, near: list) -> list:
        return [w for w in near if selects(sel, labels[id(w)])]

    for x in items:
        o = x.objects[0] if x.objects else None
        m = x.doc.get("manifest") if x.doc["kind"] == "Resource" else None
        if o is None or (m is None and id(o) not in by_obj) or o["kind"] not in POD_AT:
            continue
        at = POD_AT[o["kind"]]
        pod, labels = _dig(o, at), _dig(o, ("metadata", "labels") if o["kind"] == "Pod" else at[:-1] + (
            "metadata", "labels"))
        mine_given = labels if isinstance(labels, dict) else {}
        mine_built = built[id(by_obj[id(o)])] if id(o) in by_obj else mine_given
        ns = o["metadata"].get("namespace") or home
        for path, term, what in list(_terms(pod)) if isinstance(pod, dict) else []:
            sel = term.get("labelSelector")
            spaces = term.get("namespaces") or [ns]
            if not isinstance(sel, dict) or "namespaceSelector" in term or not isinstance(spaces, list):
                continue   # (no selector selects no pod; a namespaceSelector, pods of any labels' namespaces)
            folded = [(k, LABEL_KEYS[lk]) for lk in LABEL_KEYS for k in _keys(term, lk) if k in RESERVED_LABELS]
            reqs = _requirements(sel)
            as_given = reqs + [(k, op, [str(mine_given[k])]) for k, op in folded if k in mine_given]
            as_built = reqs + [(k, op, [str(mine_built[k])]) for k, op in folded if k in mine_built]
            near = [w for w in work if (w.objects[0]["metadata"].get("namespace") or home) in spaces]
            chosen = picked(core(as_given), given, near)
            if not chosen or picked(core(as_built), built, near) == chosen:
                continue
            labels, exprs = sel.get("matchLabels"), sel.get("matchExpressions")
            new = {"matchLabels": {k: v for k, v in (labels.items() if isinstance(labels, dict) else ())
                                   if k not in RESERVED_LABELS}}
            exprs = [e for e in (exprs if isinstance(exprs, list) else ()) if isinstance(e, dict)
                     and e.get("key") not in RESERVED_LABELS]
            if len(chosen) == 1:
                new["matchLabels"].update(pod_selector(project, chosen[0].doc["name"]))
            else:
                new["matchLabels"]["app.kubernetes.io/part-of"] = project
                exprs.append({"key": "app.kubernetes.io/name", "operator": "In",
                              "values": sorted(w.doc["name"] for w in chosen)})
            if exprs:
                new["matchExpressions"] = exprs
            if picked(core(_requirements(new)), built, near) != chosen:
                continue   # (a requirement of another key the build's labels do not keep: SKY163's to say)
            term = {**term, "labelSelector": new}
            for lk in LABEL_KEYS:
                left = [k for k in _keys(term, lk) if k not in RESERVED_LABELS]
                term.pop(lk, None)
                if left:
                    term[lk] = left
            inputs.reselected.setdefault(id(o), {})[at + path] = term
            if m is not None:
                _put(m, at + path, term)
            elif path[0] == "affinity" and isinstance(x.doc.get("affinity"), dict):
                x.doc["affinity"] = aff = copy.deepcopy(x.doc["affinity"])
                _dig(aff, path[1:-1])[path[-1]] = term
            changed = sorted({k for k, _, _ in reqs if k in RESERVED_LABELS} | {k for k, _ in folded})
            shown = ", ".join(f"{k}={v}" for k, v in new["matchLabels"].items())
            shown += "".join(f", {e['key']} {e['operator']} ({', '.join(map(str, e.get('values') or []))})"
                             for e in exprs if isinstance(e, dict))
            inputs.note(WRONG, f"{o['kind']} {o['metadata'].get('name')} {what} selects the pods of "
                        f"{', '.join(w.doc['name'] for w in chosen)} by labels skyspec does not give them "
                        f"({', '.join(changed)}): imported selecting {shown}",
                        inputs.pos(o, at + path + ("labelSelector",)),
                        hint="skyspec labels a workload's pods with app.kubernetes.io/name (the workload's name) and "
                             "part-of (the project's); the round trip compares the selectors")
