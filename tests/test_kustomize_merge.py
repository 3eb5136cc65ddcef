"""The strategic-merge patches of the kustomize backend against the real `kubectl kustomize`:
its model of Kustomize's merge (list items merged by key, the patch's items first, two-key
lists such as ports keeping their order, `$patch` directives) agrees with the tool on
hundreds of seeded random objects, and whole random projects (environments, a target,
objects some environments lack, namespaces, labels, images, replicas) build exactly.
"""

from __future__ import annotations

import collections
import copy
import json
import random
import re
from pathlib import Path

import pytest
import yaml

from skyspec.backends import kubernetes, kustomize
from skyspec.backends.kustomize import smp
from skyspec.yamlemit import dump, dump_all
from validators import kubectl


# ---------------------------------------------------------------------- random objects

def _env(r):
    return [{"name": n, "value": str(r.randint(0, 3))} for n in r.sample("ABCDEF", r.randint(0, 5))]


def _ports(r):
    out, seen = [], set()
    for p in r.sample([80, 443, 8080, 9090, 7070], r.randint(1, 4)):
        proto = r.choice(["TCP", "TCP", "UDP"])
        if (p, proto) not in seen:
            seen.add((p, proto))
            out.append({"name": f"p{p}", "containerPort": p, "protocol": proto})
    return out


def _container(r, name):
    c = {"name": name, "image": f"x/{name}:{r.randint(1, 3)}"}
    if r.random() < .8:
        c["env"] = _env(r)
    if r.random() < .7:
        c["ports"] = _ports(r)
    if r.random() < .5:
        c["args"] = r.sample("abcd", r.randint(0, 4))
    if r.random() < .5:
        c["volumeMounts"] = [{"name": v, "mountPath": f"/{v}"} for v in r.sample(["v1", "v2", "v3"], r.randint(1, 3))]
    if r.random() < .3:
        c["resources"] = {"limits": {"cpu": r.choice(["1", "2"])}}
    return c


def deployment(r, name):
    spec: dict = {"containers": [_container(r, n) for n in r.sample(["main", "side", "extra"], r.randint(1, 3))]}
    if r.random() < .5:
        spec["volumes"] = [{"name": v, "emptyDir": {}} for v in r.sample(["v1", "v2", "v3"], r.randint(1, 3))]
    if r.random() < .5:
        spec["topologySpreadConstraints"] = [
            {"maxSkew": r.randint(1, 2), "topologyKey": t, "whenUnsatisfiable": w}
            for t, w in r.sample([("a", "DoNotSchedule"), ("b", "DoNotSchedule"), ("a", "ScheduleAnyway")], r.randint(1, 3))]
    if r.random() < .3:
        spec["initContainers"] = [_container(r, "init")]
    labels = {k: r.choice("xy") for k in r.sample(["a", "b", "c/d"], r.randint(1, 3))}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "ns", "labels": labels},
            "spec": {"replicas": r.randint(1, 3), "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}


def service(r, name):
    ports = [{"name": f"p{p}", "port": p, "protocol": "TCP", "targetPort": r.choice([p, "http"])}
             for p in r.sample([80, 443, 8080], r.randint(1, 3))]
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"selector": {"app": name}, "ports": ports}}


def custom(r, name):
    """A kind Kustomize has no schema for: every list is replaced."""
    return {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"items": [{"name": n, "v": r.randint(0, 2)} for n in r.sample("abcd", r.randint(0, 4))],
                     "containers": [{"name": n, "image": "i"} for n in r.sample("xyz", r.randint(1, 3))]}}


def hpa(r, name):
    """autoscaling/v2 is newer than Kustomize's schema: its lists are replaced too."""
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                     "minReplicas": 1, "maxReplicas": r.randint(2, 5),
                     "metrics": [{"type": "Resource", "resource": {"name": n, "target": {
                         "type": "Utilization", "averageUtilization": r.randint(50, 90)}}}
                         for n in r.sample(["cpu", "memory"], r.randint(1, 2))]}}


KINDS = {"Deployment": deployment, "Service": service, "Thing": custom, "HorizontalPodAutoscaler": hpa}


def mutate(r, a: dict) -> dict:
    """A variant of ``a``: fields taken from another random object of its kind, lists
    shuffled, keys dropped, and now and then a shape no strategic-merge patch can say."""
    b = KINDS[a["kind"]](r, a["metadata"]["name"])
    out = copy.deepcopy(a)

    def walk(x, y):
        if type(x) is dict and type(y) is dict:
            for k in sorted(set(x) | set(y)):
                if k in ("name", "apiVersion", "kind", "namespace"):
                    continue
                p = r.random()
                if k in x and k in y:
                    x[k] = copy.deepcopy(y[k]) if p < .3 else walk(x[k], y[k]) if p < .8 else x[k]
                elif k in y and p < .3:
                    x[k] = copy.deepcopy(y[k])
                elif k in x and p < .15:
                    del x[k]
            return x
        if type(x) is list and type(y) is list:
            p = r.random()
            if p < .3:
                r.shuffle(x)
            if p > .7 and all(type(i) is dict and "name" in i for i in x + y):
                by = {i["name"]: i for i in y}
                return [walk(i, by[i["name"]]) if i["name"] in by else i for i in x]
        return x

    out = walk(out, b)
    cs = out["spec"]["template"]["spec"]["containers"] if out["kind"] == "Deployment" else None
    p = r.random()
    if cs and p < .04:
        cs[0]["resources"] = "unbounded"               # a mapping becomes a string
    elif cs and p < .07:
        cs[0]["resources"] = {"limits": "unbounded"}
    elif cs and p < .09:
        cs[0]["stdin"] = None                          # null: no strategic-merge patch says it
    elif cs and p < .11:
        cs.append(copy.deepcopy(cs[0]))                # a merge key twice
    elif cs and p < .15:
        out["spec"]["template"]["spec"]["containers"] = list(reversed(cs))
    return out


# ---------------------------------------------------------------------- the model against the tool

@pytest.mark.parametrize("seed", [0, 1])
def test_the_merge_model_agrees_with_kubectl(seed, tmp_path):
    r = random.Random(seed)
    pres, posts, patches = [], [], []
    refused = 0
    for i in range(250):
        kind = r.choice(["Deployment", "Deployment", "Deployment", "Service", "Thing", "HorizontalPodAutoscaler"])
        a = KINDS[kind](r, f"o{i}")
        b = mutate(r, a)
        try:
            body = smp.expressible(a, b)
        except smp.Inexpressible:
            refused += 1
            continue
        pres.append(a)
        posts.append(b)
        if body is not None:
            meta = body.pop("metadata", {})
            patches.append({"apiVersion": a["apiVersion"], "kind": a["kind"],
                            "metadata": {"name": a["metadata"]["name"], "namespace": "ns", **meta}, **body})
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "all.yaml").write_text(dump_all(pres))
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [all.yaml]\n")
    (tmp_path / "overlay").mkdir()
    for n, p in enumerate(patches):
        (tmp_path / "overlay" / f"p{n}.yaml").write_text(dump(p))
    (tmp_path / "overlay" / "kustomization.yaml").write_text(dump(
        {"resources": ["../base"], "patches": [{"path": f"p{n}.yaml"} for n in range(len(patches))]}))
    out = kubectl("kustomize", str(tmp_path / "overlay"))
    assert out.returncode == 0, out.stderr
    got = {o["metadata"]["name"]: o for o in yaml.safe_load_all(out.stdout) if o}
    for want in posts:
        assert got[want["metadata"]["name"]] == want, json.dumps(want)
    text = "".join(dump(p) for p in patches)
    # the cases cover deletes, replaced lists and mappings, and refused shapes
    assert text.count("$patch: delete") > 50 and text.count("$patch: replace") > 5 and 0 < refused < 30


def test_two_key_lists_keep_their_order_and_new_items_come_first():
    """Container ports merge by (containerPort, protocol): Kustomize puts new ports first and
    keeps the old ones in their order; another order means replacing the list."""
    def pod(ports):
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "ports": ports}]}}

    a, b, c = ({"containerPort": p, "protocol": "TCP"} for p in (80, 443, 8080))
    body = smp.expressible(pod([a, b]), pod([c, a, b]))
    assert body["spec"]["containers"][0]["ports"] == [c]
    body = smp.expressible(pod([a, b]), pod([a, b, c]))
    assert body["spec"]["containers"][0]["ports"] == [{"$patch": "replace"}, a, b, c]


def test_a_mapping_that_becomes_a_string_is_replaced():
    def pod(resources):
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "i", "resources": resources}]}}

    body = smp.expressible(pod({"limits": {"cpu": "1"}}), pod({"limits": "none"}))
    assert body["spec"]["containers"] == [{"name": "c", "resources": {"$patch": "replace", "limits": "none"}}]
    # a whole item of a merged list cannot be replaced (Kustomize keeps the old one): the list is
    body = smp.expressible(pod({"limits": {"cpu": "1"}}), pod("none"))
    assert body["spec"]["containers"][0] == {"$patch": "replace"}


# ---------------------------------------------------------------------- whole random projects

class FakeIR:
    def __init__(self, env, target=None):
        self.env, self.target = env, target


def _labelled(o: dict, env: str) -> dict:
    o["metadata"].setdefault("labels", {})["env"] = env
    if o["kind"] == "Deployment":
        o["spec"]["template"]["metadata"]["labels"]["env"] = env
    return o


def _imaged(v, tag: str):
    if type(v) is dict:
        for k, x in v.items():
            if k in ("containers", "initContainers") and type(x) is list:
                for c in x:
                    if type(c) is dict and str(c.get("image", "")).startswith("x/"):
                        c["image"] = c["image"].split(":")[0] + ":" + tag
            _imaged(x, tag)
    elif type(v) is list:
        for x in v:
            _imaged(x, tag)


def random_project(seed: int):
    r = random.Random(seed)
    envs = ["dev", "qa", "prod"][:r.randint(2, 3)]
    keys = list(envs)
    if r.random() < .5:
        keys.append(r.choice(envs) + ".edge")
    pool = []
    for i in range(r.randint(3, 8)):
        kind = r.choice(["Deployment", "Deployment", "Service", "ConfigMap", "Thing", "HorizontalPodAutoscaler"])
        obj = ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"o{i}", "namespace": "ns"}, "data": {"a": "1"}}
               if kind == "ConfigMap" else KINDS[kind](r, f"o{i}"))
        pool.append((f"w{i}.yaml", obj))
    # the label on every object (`labels:`), on some kinds (a LabelTransformer), or none
    labels = r.choice(["every", "some", "some", "none"])
    ns_mode = r.choice(["one", "one", "per-env", "pinned"])
    files = {}
    for k in keys:
        env = k.split(".")[0]
        tag = r.choice([None, None, "2.0", "3.1@sha256:" + "ab" * 32])
        groups = collections.defaultdict(list)
        for n, (fname, obj) in enumerate(pool):
            if r.random() < .2:
                continue
            o = mutate(r, obj) if obj["kind"] in KINDS and r.random() < .4 else copy.deepcopy(obj)
            o["metadata"]["namespace"] = ("ns" if ns_mode == "one" else "pinned" if ns_mode == "pinned" and n == 0
                                          else f"ns-{k.replace('.', '-')}")
            if labels == "every" or labels == "some" and o["kind"] in ("Deployment", "Service"):
                _labelled(o, env)
            if tag:
                _imaged(o, tag)
            if o["kind"] == "Deployment" and r.random() < .5:
                o["spec"]["replicas"] = {"dev": 1, "qa": 2, "prod": 3}[env]
            groups[fname].append(o)
        files[k] = dict(groups)
    irs = {k: FakeIR(k.split(".")[0], "edge" if "." in k else None) for k in keys}
    return irs, files, r.choice(envs)


@pytest.mark.parametrize("seed", range(12))
def test_random_projects_build_exactly(seed, monkeypatch, tmp_path):
    irs, files, base = random_project(seed)
    monkeypatch.setattr(kubernetes, "files", lambda ir: files[ir.env + (f".{ir.target}" if ir.target else "")])
    out = kustomize.render(irs, base=base)
    for rel, text in out.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)

    def built(path: Path) -> collections.Counter:
        r = kubectl("kustomize", str(path))
        assert r.returncode == 0, r.stderr
        return collections.Counter(json.dumps(o, sort_keys=True) for o in yaml.safe_load_all(r.stdout) if o)

    def want(k: str) -> collections.Counter:
        return collections.Counter(json.dumps(o, sort_keys=True) for objs in files[k].values() for o in objs)

    assert built(tmp_path / "kustomize" / "base") == want(base)
    for k in irs:
        assert built(tmp_path / "kustomize" / "overlays" / k) == want(k), k


def _same_reference(a, b):
    """The definition `smp.same` must keep: equality that tells 1 from 1.0 and True."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same_reference(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_same_reference(x, y) for x, y in zip(a, b))
    return a == b


def test_same_tells_numbers_apart_at_any_depth():
    """`same` (``==``, then a walk of the types) agrees with the plain recursive definition
    on random nested data whose leaves ``==`` cannot tell apart (1, 1.0, True, NaN...)."""
    nan = float("nan")
    leaves = [1, 1.0, True, 0, 0.0, False, "1", None, nan, float("nan"), 2, "x"]
    r = random.Random(7)

    def value(depth):
        p = r.random()
        if depth > 3 or p < .4:
            return r.choice(leaves)
        if p < .7:
            return {k: value(depth + 1) for k in r.sample("abcd", r.randint(0, 3))}
        return [value(depth + 1) for _ in range(r.randint(0, 3))]

    def vary(v):
        # a copy with, now and then, a leaf swapped for one `==` may still find equal
        if type(v) is dict:
            return {k: vary(x) for k, x in v.items()}
        if type(v) is list:
            return [vary(x) for x in v]
        return r.choice(leaves) if r.random() < .1 else v

    found = collections.Counter()
    for _ in range(3000):
        a = value(0)
        b = vary(a)
        found[_same_reference(a, b), a == b] += 1
        assert smp.same(a, b) == _same_reference(a, b), (a, b)
        assert smp.same(b, a) == _same_reference(b, a), (a, b)
    # both answers occur, and so do values `==` finds equal that are not the same
    assert found[True, True] > 100 and found[False, False] > 100 and found[False, True] > 20


def test_the_image_index_finds_every_value_a_name_matches():
    """`images:` names are patterns (unescaped, as Kustomize uses them): the index that spares
    trying every image against every name must give every value the pattern matches (dots
    match any character but a newline; a name with another pattern character tries them
    all), and a name with no pattern character but dots is matched as the pattern would."""
    from skyspec.backends.kustomize import transform

    r = random.Random(3)
    alphabet = "ab.:@/x-\n"

    def text(n):
        return "".join(r.choice(alphabet) for _ in range(r.randint(0, n)))

    found = 0
    for _ in range(300):
        values = {text(9): None for _ in range(40)}
        values.update({f"{text(5)}:{text(3)}": None for _ in range(10)})
        index: dict = {}
        for _ in range(20):
            repo = r.choice([text(6), text(6) + r.choice(["*", "+", "[ab]", "|a", ""])])
            try:
                match = re.compile(repo + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?\Z")
            except re.error:
                continue
            want = {v for v in values if match.match(v)}
            got = set(transform._may_match(repo, values, index))
            assert want <= got, (repo, want - got)
            assert {v for v in values if transform._matcher(repo)(v)} == want, repo
            found += len(want)
    assert found > 500


def test_the_images_of_a_change_are_found_where_the_object_changes():
    """`images:` looks for new images only where an object differs from its version before:
    the images it finds there and not before are, in order, those of the whole object after
    that the whole object before lacks; what it takes as there before is there before."""
    from skyspec.backends.kustomize import transform

    r = random.Random(5)
    seen = 0
    for i in range(400):
        a = KINDS[r.choice(["Deployment", "Deployment", "Thing"])](r, f"o{i}")
        b = mutate(r, a)
        if r.random() < .2:
            b = json.loads(json.dumps(b).replace('"image": "x/', '"image": "y/'))
        news: list = []
        olds: set = set()
        transform._changed_images(a, b, False, False, news, olds)
        before = {v for v, *_ in transform._image_fields(a)}
        want = [v for v, site, *_ in transform._image_fields(b) if site and v not in before]
        assert [v for v in news if v not in before] == want
        assert olds <= before
        seen += len(want)
    assert seen > 100
