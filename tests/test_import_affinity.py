"""Pod affinity and topology spread selectors of an import. skyspec labels each workload's pods
`app.kubernetes.io/name: <workload>` and `part-of: <project>`, and rewrites the selectors kept
from the input that select them (Services, PodDisruptionBudgets, NetworkPolicies) onto those
labels. A pod's own selectors of pods were left as written: loki-distributed's required
anti-affinity among its ingesters (`name: loki`, `instance`, `component`) matched nothing, and a
required podAffinity to another workload's old `name` left the pods Pending forever. Each
imported system here is built and validated, and the scheduler's selection computed on the
output as on the input."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer import Inputs, fidelity, import_kubernetes
from skyspec.syscheck import pod_spec, selects

INPUT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: rel-ingester}
spec:
  replicas: 3
  selector: {matchLabels: {app.kubernetes.io/name: loki, app.kubernetes.io/instance: rel, app.kubernetes.io/component: ingester}}
  template:
    metadata: {labels: {app.kubernetes.io/name: loki, app.kubernetes.io/instance: rel, app.kubernetes.io/component: ingester}}
    spec:
      affinity:
        podAntiAffinity:      # one ingester per node
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels: {app.kubernetes.io/name: loki, app.kubernetes.io/instance: rel, app.kubernetes.io/component: ingester}
      containers: [{name: ingester, image: grafana/loki:3.1.0, ports: [{containerPort: 3100}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: rel-querier}
spec:
  replicas: 2
  selector: {matchLabels: {app.kubernetes.io/name: loki, app.kubernetes.io/instance: rel, app.kubernetes.io/component: querier}}
  template:
    metadata: {labels: {app.kubernetes.io/name: loki, app.kubernetes.io/instance: rel, app.kubernetes.io/component: querier}}
    spec:
      affinity:
        podAffinity:          # near an ingester, by expressions
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 50
            podAffinityTerm:
              topologyKey: topology.kubernetes.io/zone
              labelSelector:
                matchExpressions:
                - {key: app.kubernetes.io/component, operator: In, values: [ingester]}
                - {key: app.kubernetes.io/instance, operator: In, values: [rel]}
        podAntiAffinity:      # apart from every loki pod of the release: its own `name` from matchLabelKeys
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 10
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector: {matchLabels: {app.kubernetes.io/instance: rel}}
              matchLabelKeys: [app.kubernetes.io/name, pod-template-hash]
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: ScheduleAnyway
        labelSelector: {matchLabels: {app.kubernetes.io/instance: rel}}
      containers: [{name: querier, image: grafana/loki:3.1.0, ports: [{containerPort: 3100}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache-primary}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: cache, app.kubernetes.io/component: primary}}
  template:
    metadata: {labels: {app.kubernetes.io/name: cache, app.kubernetes.io/component: primary}}
    spec:
      containers: [{name: cache, image: ghcr.io/acme/cache:1.0, ports: [{containerPort: 6379}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 2
  selector: {matchLabels: {app.kubernetes.io/name: app}}
  template:
    metadata: {labels: {app.kubernetes.io/name: app}}
    spec:
      affinity:
        podAffinity:          # next to the cache
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector: {matchLabels: {app.kubernetes.io/name: cache}}
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
         labelSelector: {matchLabels: {app.kubernetes.io/name: app}}}
      containers: [{name: app, image: ghcr.io/acme/app:1.0, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper}
spec:
  selector: {matchLabels: {app: shipper}}
  template:
    metadata: {labels: {app: shipper}}
    spec:
      affinity:
        podAffinity:          # only on nodes that run an ingester
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels: {app.kubernetes.io/name: loki, app.kubernetes.io/component: ingester}
      containers: [{name: shipper, image: ghcr.io/acme/shipper:1.0}]
"""

WORKLOADS = ("Deployment", "DaemonSet")


def _terms(pod: dict):
    """(where, term) of each pod affinity term and spread constraint of a pod spec."""
    for kind, block in (pod.get("affinity") or {}).items():
        for when, terms in block.items():
            for i, t in enumerate(terms):
                yield (kind, when, i), t.get("podAffinityTerm", t)
    for i, t in enumerate(pod.get("topologySpreadConstraints") or []):
        yield ("spread", i), t


def _selected(objs: list[dict]) -> dict:
    """{(workload, where): the workloads whose pods the term selects}, as the scheduler reads it:
    its labelSelector, with each `matchLabelKeys` key the pod has as `In` its value (and
    `mismatchLabelKeys` as `NotIn`)."""
    pods = {o["metadata"]["name"]: pod_spec(o) for o in objs if o["kind"] in WORKLOADS}
    out = {}
    for name, (meta, pod) in pods.items():
        own = meta.get("labels") or {}
        for where, t in _terms(pod):
            sel = dict(t["labelSelector"])
            sel["matchExpressions"] = list(sel.get("matchExpressions") or []) + [
                {"key": k, "operator": op, "values": [own[k]]} for key, op in (("matchLabelKeys", "In"),
                                                                                ("mismatchLabelKeys", "NotIn"))
                for k in t.get(key) or [] if k in own]
            out[(name, where)] = sorted(n for n, (m, _) in pods.items() if selects(sel, m.get("labels") or {}))
    return out


def test_pod_affinity_and_spread_select_the_same_workloads_after_the_import(tmp_path):
    """Every affinity term and spread constraint selects, in the build, exactly the workloads it
    selected in the input: the ingesters' anti-affinity the ingesters, the querier's affinity
    by expressions the ingesters, its spread and anti-affinity (whose `matchLabelKeys` named
    `app.kubernetes.io/name`, `loki` in the input) both loki workloads, app's required
    affinity cache-primary, the kept DaemonSet's the ingesters. The round trip compares them
    as rewritten: each field they change is named (`selector on skyspec's labels`), not equal."""
    from test_import_legacy import build_and_validate

    src = tmp_path / "in.yaml"
    src.write_text(INPUT)
    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["import", "kubernetes", str(src), "-o", str(out), "--name", "t"])
    assert res.exit_code == 0, res.output
    k8s = build_and_validate(out, tmp_path, "default")
    before, after = _selected(list(yaml.safe_load_all(INPUT))), _selected(k8s)
    assert before == after
    assert before[("app", ("podAffinity", "requiredDuringSchedulingIgnoredDuringExecution", 0))] == ["cache-primary"]
    assert before[("rel-querier", ("spread", 0))] == ["rel-ingester", "rel-querier"]
    assert before[("rel-querier", ("podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", 0))] == \
        ["rel-ingester", "rel-querier"]
    querier = next(pod_spec(o)[1] for o in k8s if o["metadata"]["name"] == "rel-querier" and o["kind"] == "Deployment")
    apart = querier["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
    assert apart["podAffinityTerm"]["matchLabelKeys"] == ["pod-template-hash"]   # (the pods' own, at runtime)
    assert apart["podAffinityTerm"]["labelSelector"] == {
        "matchLabels": {"app.kubernetes.io/part-of": "t"},
        "matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["rel-ingester",
                                                                                            "rel-querier"]}]}
    said = " ".join(res.output.split())
    assert "Deployment app podAffinity (required) selects the pods of cache-primary by labels skyspec does not " \
           "give them (app.kubernetes.io/name): imported selecting app.kubernetes.io/name=cache-primary, " \
           "app.kubernetes.io/part-of=t" in said
    assert "DaemonSet shipper podAffinity (required) selects the pods of rel-ingester" in said

    # the round trip: what the rewrite changes is a named difference, never an equal field
    inputs = Inputs()
    r = import_kubernetes([src], "t", inputs=inputs)
    assert r.unexplained == []
    figs, bad = fidelity.compare(r.inputs, k8s, r.official, inputs.renamed, inputs.reselected)
    assert bad == [] and figs == r.figures
    equal = changed = 0
    for i in r.inputs:
        o = next((o for o in k8s if (o["kind"], o["metadata"]["name"]) == (i["kind"], i["metadata"]["name"])), None)
        if o is None:
            continue
        fi, fo = fidelity.flatten(fidelity.aligned(i, o, k8s)), fidelity.flatten(o)
        same = {p for p in fi if p in fo and fidelity._same(fi[p], fo[p])}
        equal += len(same)
        changed += sum(1 for p in {*fi, *fo} - same if any(k in p for k in ("affinity", "topologySpreadConstraints")))
    assert figs["equal"] == equal   # (an affinity field the build changed is no equal one)
    assert changed >= 12 and figs["categories"]["selector on skyspec's labels"] >= changed
