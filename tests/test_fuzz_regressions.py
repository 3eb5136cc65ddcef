"""Reproducers of the crashes and unlocated errors the fuzzer (tests/fuzz/, benchmarks/fuzz.py)
found, each minimal: every one ends in exit 1 with a coded error at the line that caused
it, and no traceback."""

import json

import pytest

APP = "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 8080\n"


def _errors(cli, *args):
    r = cli("check", *args, "--diagnostics-format", "json")
    assert r.exit_code == 1, r.output
    return [d for d in json.loads(r.stdout) if d["severity"] == "error"]


def _at(errors, code, file, line):
    hits = [d for d in errors if d["code"] == code and d.get("file") == file and d.get("line") == line]
    assert hits, errors
    assert all(d.get("column", 0) >= 1 for d in hits)
    return hits[0]


# --------------------------------------------------------------------------- settings and node

@pytest.mark.parametrize("settings, code", [
    ("{limits: 3}", "SKY104"), ("{sidecar_resources: 5}", "SKY104"), ("{limits: {cpu: x}}", "SKY104"),
    ("{limits: {cpu: 1.0e+308}}", "SKY106"), ("{limits: {warn_ratio: 0}}", "SKY106"), ("{pdb: 'yes'}", "SKY104"),
    ("{spread: [1]}", "SKY105"), ("{sidecar_resources: {cpu: lots}}", "SKY112"), ("{harden: 0}", "SKY104"),
    ("{limts: {cpu: 2}}", "SKY102"), ("{limits: {cpu: .nan}}", "SKY106"), ("{limits: {memory: .inf}}", "SKY106"),
])
def test_pass_settings_are_typed(make_project, cli, settings, code):
    make_project({"apps/api.yaml": APP, "overlays/prod.yaml": f"# prod\nsettings: {settings}\n"})
    _at(_errors(cli), code, "overlays/prod.yaml", 2)


def test_a_sidecar_request_that_is_no_amount_of_memory(make_project, cli):
    make_project({"apps/api.yaml": APP + "sidecars:\n  log: {image: 'busybox:1.36'}\n",
                  "overlays/prod.yaml": "settings:\n  sidecar_resources:\n    memory: 250m\n"})
    e = _at(_errors(cli), "SKY112", "overlays/prod.yaml", 3)
    assert "milli-bytes" in e["message"]


@pytest.mark.parametrize("node, line", [("{memory: 250m}", 7), ("{cpu: 1e-09}", 7)])
def test_a_node_size_that_is_no_amount_of_cpu_or_memory(make_project, cli, node, line):
    project = "project: demo\nnamespace: demo\nspecs: ['apps/*']\nenvironments:\n  dev: {overlays: []}\n" \
              f"# the node\nnode: {node}\n"
    make_project({"apps/api.yaml": APP}, project=project)
    e = _at(_errors(cli), "SKY112", "skyspec.yaml", line)
    assert e["message"].startswith("node.")


# --------------------------------------------------------------------------- templates

@pytest.mark.parametrize("template, line", [
    ("kind: App\nparams: 3\nspec: {}\n", 2),
    ("kind: App\nparams: [a]\nspec: {}\n", 2),
    ("kind: App\nparams:\n  level: 1\nspec: {}\n", 3),
    ("kind: App\nparams:\n  level: {type: strng}\nspec: {}\n", 3),
    ("kind: [App]\nspec: {}\n", 1),
    ("kind: App\nuse: 1\nspec: {}\n", 2),
])
def test_a_malformed_project_template(make_project, cli, template, line):
    make_project({"apps/api.yaml": "kind: App\nname: api\nuse: ./templates/t.yaml\nimage: x/api:1.0.0\n",
                  "templates/t.yaml": template})
    _at(_errors(cli), "SKY121", "templates/t.yaml", line)


# --------------------------------------------------------------------------- positions

def test_a_default_with_an_operator_keeps_its_position(make_project, cli):
    make_project({"apps/api.yaml": APP,
                  "overlays/prod.yaml": "defaults:\n  annotations+:\n    team: [core]\n  replicas+: 3\n"})
    errs = _errors(cli)
    _at(errs, "SKY104", "overlays/prod.yaml", 3)   # annotations.team must be a string
    assert all(d.get("file") for d in errs), errs


# --------------------------------------------------------------------------- messages

def test_a_map_that_fails_inside_is_reported_inside_not_as_the_wrong_type(make_project, cli):
    """`strategy` is a name or a map: a map missing a field was "must be a map, got a map"."""
    make_project({"apps/api.yaml": APP + "strategy: {canary: {}}\n"})
    e = _at(_errors(cli), "SKY103", "apps/api.yaml", 5)
    assert e["message"] == 'strategy.canary is missing required field "percent"'


# --------------------------------------------------------------------------- second campaign

@pytest.mark.parametrize("resources, why", [
    ("{cpu: 1e99999}", "too large"), ("{memory: 9999999999999999999999Ei}", "too large"),
    ("{cpu: 9223372036854775808}", "too large"), ("{cpu: .nan}", "not an amount"), ("{memory: .inf}", "not an amount"),
])
def test_a_quantity_that_is_no_amount_kubernetes_can_hold(make_project, cli, resources, why):
    make_project({"apps/api.yaml": APP + f"resources: {resources}\n"})
    e = _at(_errors(cli), "SKY112", "apps/api.yaml", 5)
    assert why in e["message"]


def test_a_raw_claim_of_any_shape_is_counted_as_no_storage(make_project, cli, tmp_path):
    """A claim whose size is no quantity is emitted as written (Kubernetes, not skyspec, rejects
    it); the quota and the cost count it as no storage instead of crashing. A claim whose
    `spec` is no mapping at all is refused at its line (SKY126): Kubernetes' own types say so."""
    make_project({"apps/raw.yaml": "kind: Resource\nname: pvc\nmanifest: {apiVersion: v1, kind: PersistentVolumeClaim, "
                                   "spec: {resources: {requests: {storage: lots}}}}\n"})
    r = cli("build", "-o", str(tmp_path / "out"), "--env", "prod")
    assert r.exit_code == 0, r.output
    assert "storage: lots" in (tmp_path / "out" / "prod" / "kubernetes" / "persistentvolumeclaim.pvc.yaml").read_text()
    (tmp_path / "proj" / "apps" / "raw.yaml").write_text(
        "kind: Resource\nname: pvc\nmanifest: {apiVersion: v1, kind: PersistentVolumeClaim, spec: 5}\n")
    r = cli("build", "-o", str(tmp_path / "out2"), "--env", "prod")
    assert r.exit_code == 1 and "raw.yaml:3:63: error[SKY126]" in r.output and not (tmp_path / "out2").exists()


@pytest.mark.parametrize("patch, code", [
    ("{metadata: {name: other}}", "SKY108"), ("{metadata: {namespace: kube-system}}", "SKY108"),
    ("{kind: Pod}", "SKY108"), ("{apiVersion: v2}", "SKY108"), ("{metadata: null}", "SKY104"),
    ("{spec: null}", "SKY104"),
])
def test_the_escape_hatch_cannot_rename_or_retype_an_object(make_project, cli, patch, code):
    make_project({"apps/api.yaml": APP + f"k8s:\n  Deployment: {patch}\n"})
    _at(_errors(cli), code, "apps/api.yaml", 6)


def test_the_escape_hatch_still_patches(build):
    objs = build({"apps/api.yaml": APP + "k8s:\n  Deployment: {metadata: {labels: {x: y}}, spec: {minReadySeconds: 7}}\n"})
    d = objs[("Deployment", "api")]
    assert d["spec"]["minReadySeconds"] == 7 and d["metadata"]["labels"]["x"] == "y"


def test_a_json_entry_with_nan_is_an_error_not_invalid_json(make_project, cli):
    make_project({"apps/cfg.yaml": "kind: ConfigMap\nname: cfg\njson:\n  settings: {ratio: .nan}\n"})
    e = _at(_errors(cli), "SKY108", "apps/cfg.yaml", 4)
    assert "NaN" in e["message"]


def test_a_target_selecting_by_labels_meets_labels_that_are_not_a_map(make_project, cli):
    project = ("project: demo\nnamespace: demo\nspecs: ['apps/*']\nenvironments:\n  stage: {overlays: []}\n"
               "targets:\n  edge: {environments: [stage], select: {labels: {tier: web}}}\n")
    make_project({"apps/api.yaml": APP + "labels: web\n"}, project=project)
    _at(_errors(cli), "SKY104", "apps/api.yaml", 5)


# --------------------------------------------------------------------------- the 100,000-case campaign

@pytest.mark.parametrize("money", ["prices: {cpu_core_hour: .nan}", "prices: {storage_gib_month: .inf}",
                                   "environments: {dev: {budget: {monthly: .nan}}}"])
def test_a_price_or_budget_that_is_no_number(make_project, cli, money):
    envs = "" if money.startswith("environments") else "environments: {dev: {overlays: []}}\n"
    project = f"project: demo\nnamespace: demo\nspecs: ['apps/*']\n{envs}# money\n{money}\n"
    make_project({"apps/api.yaml": APP}, project=project)
    e = _at(_errors(cli), "SKY106", "skyspec.yaml", 6 if envs else 5)
    assert "finite" in e["message"]


def test_a_huge_budget_is_an_amount(make_project, cli, tmp_path):
    project = "project: demo\nnamespace: demo\nspecs: ['apps/*']\nenvironments: {dev: {budget: {monthly: 1.0e+300}}}\n"
    make_project({"apps/api.yaml": APP}, project=project)
    r = cli("build", "-o", str(tmp_path / "out"), "--env", "dev")
    assert r.exit_code == 0, r.output


# --------------------------------------------------------------------------- the clean campaign (session 3)

def test_an_integer_field_beyond_int32_is_an_error_at_its_line(make_project, cli):
    """JSON Schema counts 1.0e+308 as an integer: it passed and crashed the cost estimate."""
    make_project({"apps/job.yaml": "kind: Job\nname: once\nimage: busybox:1.36\nactive_deadline: 1.0e+308\n"})
    e = _at(_errors(cli), "SKY106", "apps/job.yaml", 4)
    assert "2147483647" in e["message"]


def test_whole_numbers_written_as_floats_are_integers_in_every_output(build):
    objs = build({"apps/api.yaml": "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 8080.0\nreplicas: 3.0\n"
                                   "autoscale: {min: 2.0, max: 5.0, cpu: 70.0}\n",
                  "apps/job.yaml": "kind: Job\nname: once\nimage: busybox:1.36\nactive_deadline: 60.0\n"})
    d = objs[("Deployment", "api")]["spec"]
    assert d["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == 8080
    assert type(d["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]) is int
    hpa = objs[("HorizontalPodAutoscaler", "api")]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 5) and type(hpa["minReplicas"]) is int
    job = objs[("Job", "once")]["spec"]["activeDeadlineSeconds"]
    assert job == 60 and type(job) is int


def test_a_finding_on_a_templated_spec_whose_last_writer_is_a_profile_is_located(make_project, cli):
    """The built-in profile writes the document last (its labels): the finding falls back to
    the spec document, never to a shipped file or nowhere."""
    make_project({"apps/db.yaml": "kind: StatefulApp\nname: cache\nnamespace: other\nuse: redis\ncredentials: pw\n"
                                  "---\nkind: Secret\nname: pw\nexisting: true\n"})
    e = _at(_errors(cli), "SKY162", "apps/db.yaml", 1)
    assert 'Secret "pw"' in e["message"]


def test_json_diagnostics_keep_their_keys_when_a_secret_reads_like_one(make_project, cli):
    make_project({"apps/api.yaml": APP + "replicas: many\n",
                  "apps/s.yaml": "kind: Secret\nname: s\ndata: {k: file}\n"})
    r = cli("check", "--diagnostics-format", "json")
    items = json.loads(r.stdout)
    assert all("file" in d for d in items if d["code"] == "SKY104"), items
    r = cli("check", "--diagnostics-format", "sarif")
    sarif = json.loads(r.stdout)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_a_project_template_built_on_a_stdlib_template_of_another_kind(make_project, cli):
    """`use: redis` (a StatefulApp template) under a `kind: App` project template: what does
    not fit is reported once, at the `use:` line that chose it, never without a position."""
    make_project({"templates/web.yaml": "kind: App\nparams: {}\nspec:\n  image: ghcr.io/acme/web:1.0.0\nuse: redis\n",
                  "apps/web.yaml": "kind: App\nname: web\nuse: ./templates/web.yaml\n"})
    errors = _errors(cli)
    assert errors and all(d.get("file") and d.get("line") for d in errors), errors
    assert any(d["code"] == "SKY102" and "storage" in d["message"] for d in errors)


def test_a_service_whose_labels_a_patch_removed_is_blamed_on_its_workload(make_project, cli):
    make_project({"apps/web.yaml": "kind: StatefulApp\nname: web\nimage: ghcr.io/acme/web:1.0.0\nport: 8080\n"
                                   "k8s:\n  StatefulSet: {spec: {template: null}}\n  Service: {metadata: {labels: null}}\n"})
    errors = _errors(cli)
    assert errors and all(d.get("file") == "apps/web.yaml" and d.get("line") for d in errors), errors


def test_a_use_name_longer_than_a_file_name_may_be(make_project, cli):
    """`Path.is_file()` raised ENAMETOOLONG for a 300-character stdlib name."""
    make_project({"apps/api.yaml": APP + "use: " + "e" * 300 + "\n"})
    e = _at(_errors(cli), "SKY120", "apps/api.yaml", 5)
    assert "no stdlib template" in e["message"]


def test_the_main_container_mounting_no_volume_of_its_workload_is_refused(make_project, cli, tmp_path):
    """`mounts: {nope: /x}` with no volume `nope` was written as a volumeMount of no pod
    volume, which the API server refuses (`volumeMounts[0].name: Not found`); the check passed
    (fuzz seed 44 case 4446). A sidecar's or init container's such mount was already SKY114;
    the main container's is now too. A volume its `k8s:` patch adds may be mounted (by any
    container)."""
    make_project({"apps/api.yaml": APP + "volumes: {cache: {empty: true, mount: /cache}}\nmounts: {cahce: /x}\n"})
    e = _at(_errors(cli), "SKY114", "apps/api.yaml", 6)
    assert e["message"] == 'container "api" mounts "cahce", which is not a volume of "api"'
    assert 'did you mean "cache"' in e["hint"]
    patched = ("k8s: {Deployment: {spec: {template: {spec: {volumes: [{name: extra, emptyDir: {}}]}}}}}\n"
               "sidecars:\n  side: {image: ghcr.io/acme/side:1.0.0, mounts: {extra: /y}}\n")
    make_project({"apps/api.yaml": APP + "mounts: {extra: /x}\n" + patched})
    r = cli("build", ".", "-f", "kubernetes", "-o", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("files, file, line", [
    # (seed 77 case 432 found an `affinity` with `spec: .inf`: its fields are typed now, and a
    # number there is an integer, which .inf is not: SKY105)
    ({"apps/api.yaml": APP + "k8s:\n  Deployment: {spec: {minReadySeconds: -.inf}}\n"}, "apps/api.yaml", 6),
    ({"apps/api.yaml": APP, "overlays/prod.yaml": "apps:\n  api:\n    k8s: {Service: {spec: {x: .nan}}}\n"},
     "overlays/prod.yaml", 3),
    ({"apps/r.yaml": "kind: Resource\nname: r\nmanifest:\n  apiVersion: v1\n  kind: ConfigMap\n"
                     "  metadata: {name: r}\n  data: {a: b}\n  x: .inf\n"}, "apps/r.yaml", 8),
    ({"apps/r.toml": 'kind = "Resource"\nname = "r"\n[manifest]\napiVersion = "v1"\nkind = "ConfigMap"\n'
                     'x = inf\n[manifest.metadata]\nname = "r"\n'}, "apps/r.toml", 6),
])
def test_infinity_and_nan_in_free_form_fields_are_refused(make_project, cli, files, file, line):
    """What the schema leaves free-form goes into the output as written, and the output is JSON
    (Kubernetes objects, Helm values, Compose), which has no infinity or NaN: SKY106 at the value."""
    make_project(files)
    hit = _at(_errors(cli), "SKY106", file, line)
    assert "must be a finite number" in hit["message"]
    r = cli("build", "-o", "out")
    assert r.exit_code == 1 and "SKY106" in r.stderr


def test_an_affinity_is_typed_as_kubernetes_takes_it(make_project, cli, tmp_path, tools_on_path):
    """Fuzz seed 98, case 2534: `affinity: {'': true}` went into every output as written, and
    `kubectl kustomize` could not merge the Kustomize overlay over it (nor would the API server
    take the pod). The block is typed as Kubernetes' Affinity: a misspelt or unknown field, a
    missing `topologyKey` or a weight over 100 is said at its line, as anywhere else."""
    from validators import assert_valid_k8s, kubectl, load_docs

    make_project({"apps/api.yaml": APP + "affinity:\n  '': true\n  nodeAffinity:\n"
                  "    requiredDuringSchedulingIgnoredDuringExecution:\n      nodeSelectorTerm: []\n"
                  "  podAntiAffinity:\n    preferredDuringSchedulingIgnoredDuringExecution:\n"
                  "    - {weight: 500, podAffinityTerm: {labelSelector: {matchLabels: {app: api}}}}\n"})
    errors = _errors(cli)
    assert _at(errors, "SKY102", "apps/api.yaml", 6)["message"] == 'unknown key "" in affinity'
    assert _at(errors, "SKY102", "apps/api.yaml", 9)["hint"] == 'did you mean "nodeSelectorTerms"?'
    assert _at(errors, "SKY106", "apps/api.yaml", 12)["message"].endswith("weight must be <= 100, got 500")
    assert 'missing required field "topologyKey"' in _at(errors, "SKY103", "apps/api.yaml", 12)["message"]
    # what the typed fields take is what the API server takes: the output validates, and the
    # tolerations and node selector the new rules accept reach the pod as written
    make_project({"apps/api.yaml": APP + "affinity:\n  podAntiAffinity:\n    preferredDuringSchedulingIgnoredDuring"
                  "Execution:\n    - weight: 50\n      podAffinityTerm:\n        topologyKey: kubernetes.io/hostname\n"
                  "        labelSelector: {matchLabels: {app: api}}\n"
                  "tolerations:\n- {operator: Exists, effect: NoSchedule}\n"
                  "- {key: spot, operator: Exists, effect: NoExecute, seconds: 30}\n- {key: gpu, operator: Exists, value: ''}\n"
                  "node_selector: {kubernetes.io/os: linux, disk: ''}\n"})
    r = cli("build", "-o", str(tmp_path / "out"), "--format", "kubernetes,kustomize")
    assert r.exit_code == 0, r.output
    built = load_docs(tmp_path / "out" / "prod" / "kubernetes")
    assert_valid_k8s(built)
    (pod,) = [d["spec"]["template"]["spec"] for d in built if d["kind"] == "Deployment"]
    assert pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] == 50
    assert {"key": "spot", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30} in pod["tolerations"]
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux", "disk": ""}
    assert kubectl("kustomize", str(tmp_path / "out" / "kustomize" / "overlays" / "prod")).returncode == 0


def test_a_toleration_the_api_server_refuses_is_said_at_its_line(make_project, cli, tmp_path):
    """Fuzz seed 98, case 2534's tolerations built: `{value: orders}` (no key, so not Exists),
    `{operator: Exists, value: x}` and `{key: vault, seconds: 60}` (seconds without NoExecute),
    which the API server refuses (ValidateTolerations), though every field had its type."""
    make_project({"apps/api.yaml": APP + "tolerations:\n- {value: orders}\n- {operator: Exists, value: x}\n"
                  "- {key: vault, seconds: 60}\n- {operator: Exists}\n- {key: x, operator: Exists, value: ''}\n"
                  "- {key: spot, operator: Exists, effect: NoExecute, seconds: 30}\n"})
    errors = _errors(cli)
    assert _at(errors, "SKY103", "apps/api.yaml", 6)["hint"] == \
        "name the taint's `key`, or write `operator: Exists` to tolerate every taint"
    assert _at(errors, "SKY108", "apps/api.yaml", 7)["message"] == \
        "tolerations[1].operator cannot be Exists beside a `value`: Exists matches any value"
    assert 'missing required field "effect"' in _at(errors, "SKY103", "apps/api.yaml", 8)["message"]
    assert len(errors) == 3, errors   # the last three are what the API server takes
    # an overlay's toleration is checked on its own too, and the merged list as a whole
    make_project({"apps/api.yaml": APP + "tolerations: [{operator: Exists}]\n",
                  "overlays/prod.yaml": "apps:\n  api:\n    tolerations+: [{value: gpu}]\n"})
    assert _at(_errors(cli), "SKY103", "overlays/prod.yaml", 3)


def test_a_node_selector_is_label_shaped_and_annotations_have_label_keys(make_project, cli):
    """A pod's nodeSelector is checked as labels by the API server (ValidateLabels), and an
    annotation's key as a label's: a key or a value no label may have built, and the objects
    were refused."""
    make_project({"apps/api.yaml": APP + "node_selector: {'a b': x, disk: 'x y', kubernetes.io/os: linux}\n"
                  "annotations: {'team owner': payments, team.acme.com/owner: payments, note: 'any text: here'}\n"})
    errors = _errors(cli)
    assert {d["code"] for d in errors} == {"SKY107"} and len(errors) == 3, errors
    assert sorted(d["line"] for d in errors) == [5, 5, 6], errors


@pytest.mark.parametrize("defaults", [
    "{labels: {x: '${self.expose.host}'}, env: {A: 'x-${self}-y'}}",
    "{env: {A: 'x-${self}-y'}, labels: {x: '${self.expose.host}'}}",
])
def test_a_cycle_is_said_whichever_failure_comes_first(make_project, cli, defaults):
    """Fuzz seed 100, case 1196: `${self}` inside `env.A` reads the whole spec, itself included:
    a cycle. It was said when `env` came first in the overlay, and not once `skyspec fmt` put
    `labels` (whose `${self.expose.host}` fails) before it: the whole spec failed at the first
    failure, before reaching the cycle. Every problem is said, in either order."""
    make_project({"apps/api.yaml": APP, "overlays/prod.yaml": f"defaults: {defaults}\n"})
    codes = sorted(d["code"] for d in _errors(cli) if d["file"] == "overlays/prod.yaml")
    assert codes == ["SKY205", "SKY206"], codes


def test_a_raw_secret_with_values_is_refused_and_its_values_never_shown(make_project, cli, tmp_path):
    """Fuzz seed 101, case 447 (the editor property): a `kind: Resource` holding a core Secret
    with `stringData: {p: hunter2}` built, and the value was written into every output and
    shown by `explain` and the editor's hover; `kind: Secret` never writes a value. It is
    SKY119 at the field, and its values (and an overlay's onto it) are masked everywhere."""
    raw = ("kind: Resource\nname: s\nmanifest:\n  apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n"
           "  stringData: {p: hunter2}\n")
    root = make_project({"apps/s.yaml": raw, "overlays/prod.yaml": "apps:\n  s:\n    manifest:\n"
                         "      stringData: {q: overlay-s3cret}\n"})
    errors = _errors(cli)
    hit = _at(errors, "SKY119", "apps/s.yaml", 7)
    assert hit["message"] == "Resource \"s\": a Secret's values (stringData) would be written into every output"
    for args in (["check"], ["build", "-o", str(tmp_path / "out")], ["explain", "s.manifest.stringData", "--env", "prod"]):
        r = cli(*args)
        assert r.exit_code == 1 and "hunter2" not in r.output and "overlay-s3cret" not in r.output, r.output
    assert not (tmp_path / "out").exists()
    from skyspec.lsp import hover, locate
    from skyspec.lsp.state import Workspace, real

    ws = Workspace()
    path = real(root / "apps" / "s.yaml")
    ws.set_text(path, (root / "apps" / "s.yaml").as_uri(), raw)
    comp = ws.for_file(path)
    md = hover.hover(comp, locate.hit(ws.parsed(path, comp), 6, 3), "spec", lambda f, n: (f"{f}:{n}", None))
    assert md and "stringData" in md and "hunter2" not in md and "overlay-s3cret" not in md, md
    # a Secret the cluster fills (a service account's token) holds no value: it builds
    make_project({"apps/s.yaml": "kind: Resource\nname: t\nmanifest:\n  apiVersion: v1\n  kind: Secret\n"
                  "  metadata: {name: t, annotations: {kubernetes.io/service-account.name: ci}}\n"
                  "  type: kubernetes.io/service-account-token\n"})
    assert cli("check").exit_code == 0
