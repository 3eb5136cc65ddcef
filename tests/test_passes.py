"""The optimizer passes, each on its own effect in real output, and the hardened output of
every example through checkov."""

import pytest

from conftest import EXAMPLES
from validators import checkov, load_docs


def pod(d):
    return d["spec"]["template"]["spec"]


APP = "kind: App\nname: api\nimage: x/api:1\nport: 8080\nreplicas: 3\n"


def test_harden_defaults(build):
    docs = build({"apps/a.yaml": APP})
    p = pod(docs[("Deployment", "api")])
    assert p["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001,
                                    "seccompProfile": {"type": "RuntimeDefault"}}
    c = p["containers"][0]
    assert c["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                    "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True, "runAsUser": 10001}
    assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {}} in p["volumes"]
    assert c["imagePullPolicy"] == "Always"
    assert p["automountServiceAccountToken"] is False


def test_the_tmp_emptydir_beside_a_volume_of_the_specs_own_at_or_named_tmp(build, cli):
    """A volume the spec mounts at `/tmp/` is /tmp: no second emptyDir at /tmp hides it (and
    the API server would refuse two mounts at one path); a spec's own volume named `tmp`,
    mounted elsewhere, is not mounted at /tmp too: the emptyDir there is `tmp-1`."""
    docs = build({"apps/a.yaml": APP + "volumes: {scratch: {empty: {memory: true}, mount: /tmp/}}\n---\n"
                                       "kind: App\nname: web\nimage: x/web:1\nport: 8080\n"
                                       "volumes: {tmp: {config: web-conf, mount: /etc/web}}\n---\n"
                                       "kind: ConfigMap\nname: web-conf\ndata: {a: '1'}\n"})
    c = pod(docs[("Deployment", "api")])["containers"][0]
    assert [m["mountPath"] for m in c["volumeMounts"]] == ["/tmp/"]
    web = pod(docs[("Deployment", "web")])
    assert web["containers"][0]["volumeMounts"] == [{"name": "tmp", "mountPath": "/etc/web"},
                                                    {"name": "tmp-1", "mountPath": "/tmp"}]
    assert web["volumes"] == [{"name": "tmp", "configMap": {"name": "web-conf"}}, {"name": "tmp-1", "emptyDir": {}}]
    r = cli("explain", "Deployment/web:spec.template.spec.volumes", "-e", "prod")
    assert "from web.volumes.tmp = " in r.output and "from [1] tmp-1 = " in r.output, r.output
    assert "rule harden.tmp: a writable emptyDir at /tmp" in r.output.split("from [1] tmp-1")[1]


def test_relaxations_are_honoured_and_reported(build, make_project, cli, tmp_path):
    docs = build({"apps/a.yaml": APP + "security: {run_as_root: true, writable_root_fs: true, "
                                       "add_capabilities: [NET_BIND_SERVICE], service_account_token: true}\n"})
    p = pod(docs[("Deployment", "api")])
    assert "runAsNonRoot" not in p["securityContext"] and p["securityContext"]["runAsUser"] == 0
    c = p["containers"][0]["securityContext"]
    assert c["readOnlyRootFilesystem"] is False and c["capabilities"] == {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
    assert "volumes" not in p  # no /tmp emptyDir needed
    assert p["automountServiceAccountToken"] is True
    r = cli("build", "-o", str(tmp_path / "o2"), "--env", "prod")
    assert "4 defaults relaxed (-v lists them)" in r.stdout
    r = cli("build", "-o", str(tmp_path / "o2"), "--env", "prod", "-v")
    assert "api may run as root (run_as_root: true, apps/a.yaml:6:" in r.stdout


def test_run_as_user_image_sets_no_uid_and_keeps_the_image_user_non_root(build, cli):
    """Argo CD's repo-server says `runAsNonRoot` and no UID: its image's user 999 has the
    /etc/passwd entry git over SSH needs, and UID 10001 ("No user exists for uid 10001") has
    none. `run_as_user: image` sets no runAsUser (nor runAsGroup), still non-root; the volumes
    keep the hardened group, which `explain` says is the default's."""
    docs = build({"apps/a.yaml": APP + "security: {run_as_user: image}\n---\n"
                                       "kind: App\nname: b\nimage: x/b:1\nsecurity: {run_as_user: image, run_as_group: 5}\n"})
    p = pod(docs[("Deployment", "api")])
    assert p["securityContext"] == {"runAsNonRoot": True, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    c = p["containers"][0]["securityContext"]
    assert c["runAsNonRoot"] is True and "runAsUser" not in c
    b = pod(docs[("Deployment", "b")])["securityContext"]
    assert (b.get("runAsUser"), b["runAsGroup"], b["fsGroup"]) == (None, 5, 5)
    r = cli("explain", "Deployment/api:spec.template.spec.securityContext.fsGroup", "-e", "prod")
    assert r.exit_code == 0 and "DEFAULT_UID" in r.output, r.output


def test_token_is_mounted_when_a_role_binds_the_account(build):
    docs = build({"apps/a.yaml": APP + "service_account: api\n---\nkind: ServiceAccount\nname: api\n---\n"
                                       "kind: Role\nname: r\nrules: [{resources: [pods], verbs: [get]}]\nbind: [api]\n"})
    assert pod(docs[("Deployment", "api")])["automountServiceAccountToken"] is True


def test_token_is_mounted_when_a_binding_kept_as_a_resource_or_the_account_grants_it(build):
    """kubebuilder's `manager-rolebinding` of `manager-role` (a binding not named like its role,
    imported as a Resource) names the controller's account: its pod lost its API token and the
    controller crashed at start (a sweep found external-dns, descheduler, falco-operator,
    redis-operator so). A RoleBinding or ClusterRoleBinding kept as a Resource grants the
    token, as does the account's own `automount_token: true`; a binding in another namespace
    does not, nor does an account that says nothing."""
    docs = build({"apps/a.yaml": APP + "service_account: ctl\n---\nkind: ServiceAccount\nname: ctl\n---\n"
                                       "kind: App\nname: op\nimage: x/op:1\nservice_account: op\n---\n"
                                       "kind: ServiceAccount\nname: op\nautomount_token: true\n---\n"
                                       "kind: App\nname: other\nimage: x/other:1\nservice_account: other\n---\n"
                                       "kind: ServiceAccount\nname: other\n---\n"
                                       "kind: Resource\nname: ctl-viewer\nmanifest:\n"
                                       "  apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n"
                                       "  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n"
                                       "  subjects: [{kind: ServiceAccount, name: ctl, namespace: demo},\n"
                                       "             {kind: ServiceAccount, name: other, namespace: elsewhere}]\n"})
    assert pod(docs[("Deployment", "api")])["automountServiceAccountToken"] is True
    assert pod(docs[("Deployment", "op")])["automountServiceAccountToken"] is True
    assert pod(docs[("Deployment", "other")])["automountServiceAccountToken"] is False


def test_network_policies_follow_connect_to_and_expose(build):
    docs = build({"apps/a.yaml": APP + "expose: {host: api.example.com}\n---\n"
                                       "kind: App\nname: web\nimage: x/web:1\nconnect_to: [api]\n"})
    assert docs[("NetworkPolicy", "demo-default-deny")]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    api = docs[("NetworkPolicy", "api-ingress")]["spec"]
    assert api["podSelector"]["matchLabels"] == docs[("Deployment", "api")]["spec"]["selector"]["matchLabels"]
    peers = api["ingress"][0]["from"]
    assert peers[0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "web"
    controller = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    assert controller in peers and api["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8080}]
    web = docs[("NetworkPolicy", "web-ingress")]["spec"]
    assert "ingress" not in web and web["policyTypes"] == ["Ingress"]  # nothing connects to web: deny


def test_size_fills_limits_and_checks_them(build):
    docs = build({"apps/a.yaml": APP + "resources: {cpu: 300m, memory: 256Mi}\n"
                                       "sidecars: {log: {image: x/log:1}}\n"})
    c, side = pod(docs[("Deployment", "api")])["containers"]
    assert c["resources"] == {"limits": {"cpu": "600m", "memory": "256Mi"}, "requests": {"cpu": "300m", "memory": "256Mi"}}
    assert side["resources"]["requests"] == {"cpu": "50m", "memory": "64Mi"}


@pytest.mark.parametrize("res,code,sev", [
    ("{cpu: 100m, cpu_limit: '1'}", "SKY301", "warning"),
    ("{memory: 1Gi, memory_limit: 512Mi}", "SKY302", "error"),
    ("{memory: 300Gi}", "SKY303", "error"),
    ("{memory: 128}", "SKY304", "error"),
    ("{memory: 64Mi, memory_limit: 5Mi}", "SKY304", "error"),
])
def test_size_diagnostics(make_project, cli, res, code, sev):
    from conftest import PROJECT
    make_project({"apps/a.yaml": APP + f"resources: {res}\n"}, project=PROJECT + "node: {cpu: '16', memory: 64Gi}\n")
    r = cli("check", "--env", "prod")
    assert "apps/a.yaml:6:" in r.stderr and f"{sev}[{code}]" in r.stderr, r.stderr
    assert r.exit_code == (1 if sev == "error" else 0)


def test_a_memory_limit_no_container_starts_with_is_an_error_at_the_value_written(make_project, cli):
    """`memory: 128` is 128 bytes (the writer meant 128Mi): the limit derived from it is one
    that Docker refuses and runc cannot start a container in. Reported at the request, or at
    the limit written, with the unit a bare number probably meant; a sidecar's too."""
    make_project({"apps/a.yaml": APP + "resources: {cpu: 100m, memory: 128}\n"
                                       "sidecars: {log: {image: x/log:1, resources: {memory: 4Mi}}}\n"})
    r = cli("check")
    assert r.exit_code == 1
    assert "apps/a.yaml:6:32: error[SKY304]: api: memory limit 128 bytes is below 6Mi" in r.stderr, r.stderr
    assert "help: `memory: 128` is 128 bytes: write `128Mi` for 128 MiB" in r.stderr
    assert "apps/a.yaml:7:54: error[SKY304]: log: memory limit 4Mi is below 6Mi" in r.stderr, r.stderr
    assert r.stderr.count("SKY304") == 2   # once, not once per environment


def test_availability_in_prod_only(build, make_project, cli, tmp_path):
    docs = build({"apps/a.yaml": APP})
    assert docs[("PodDisruptionBudget", "api")]["spec"]["maxUnavailable"] == 1
    spread = pod(docs[("Deployment", "api")])["topologySpreadConstraints"]
    assert [s["topologyKey"] for s in spread] == ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]
    r = cli("build", "-o", str(tmp_path / "dev"), "--env", "dev")
    assert r.exit_code == 0
    dev = {(d["kind"], d["metadata"]["name"]) for d in load_docs(tmp_path / "dev" / "dev" / "kubernetes")}
    assert ("PodDisruptionBudget", "api") not in dev


def test_config_change_rolls_only_the_pods_that_use_it(make_project, cli, tmp_path):
    files = {"apps/a.yaml": APP + "env_from: [{config: api-cfg}]\n---\nkind: App\nname: other\nimage: x/o:1\n---\n"
                                  "kind: ConfigMap\nname: api-cfg\ndata: {mode: fast}\n"}
    root = make_project(files)
    cli("build", "-o", str(tmp_path / "a"), "--env", "prod")
    (root / "apps/a.yaml").write_text(files["apps/a.yaml"].replace("mode: fast", "mode: slow"))
    cli("build", "-o", str(tmp_path / "b"), "--env", "prod")

    def ann(out, name):
        d = {(x["kind"], x["metadata"]["name"]): x for x in load_docs(out / "prod" / "kubernetes")}
        return d[("Deployment", name)]["spec"]["template"]["metadata"].get("annotations", {})
    a, b = ann(tmp_path / "a", "api"), ann(tmp_path / "b", "api")
    assert a["checksum.skyspec.dev/configmap.api-cfg"] != b["checksum.skyspec.dev/configmap.api-cfg"]
    assert ann(tmp_path / "a", "other") == ann(tmp_path / "b", "other")


def test_secret_files(build):
    docs = build({"apps/a.yaml": APP + "secrets: {DB_PASSWORD: {secret: db, key: password, as: file}}\n---\n"
                                       "kind: Secret\nname: db\nkeys: [password]\n"})
    p = pod(docs[("Deployment", "api")])
    c = p["containers"][0]
    assert {"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db/password"} in c["env"]
    assert {"name": "secret-db", "mountPath": "/run/secrets/db", "readOnly": True} in c["volumeMounts"]
    assert {"name": "secret-db", "secret": {"secretName": "db"}} in p["volumes"]
    assert not any("valueFrom" in e for e in c["env"])


def _waivers(project_dir, env):
    """checkov checks each workload's spec relaxed explicitly: resource id -> check ids."""
    from skyspec.passes.harden import RELAXATIONS
    from skyspec.pipeline import Session

    s = Session(project_dir / "skyspec.yaml")
    out = {}
    for key, c in s.compile_all([env]).items():
        for w in c.ir.workloads:
            waived = set()
            for field in w.relax:
                waived.update(RELAXATIONS[field][1])
            kind = {"App": "Deployment", "StatefulApp": "StatefulSet", "Job": "Job", "CronJob": "CronJob"}[w.kind]
            out[f"{kind}.{w.namespace}.{w.name}"] = waived
    return out


@pytest.mark.parametrize("example", sorted(p.parent.name for p in EXAMPLES.glob("*/skyspec.yaml")))
def test_examples_pass_checkov_but_for_explicit_relaxations(example, tmp_path, cli):
    proj = EXAMPLES / example
    r = cli("build", str(proj), "-o", str(tmp_path / "o"), "--env", "prod", "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    waivers = _waivers(proj, "prod")
    report = checkov(tmp_path / "o" / "prod")
    results = report if isinstance(report, list) else [report]
    failed = [f for res in results for f in res["results"]["failed_checks"]]
    passed = sum(res["summary"]["passed"] for res in results)
    assert passed > 100
    unexplained = [(f["check_id"], f["resource"]) for f in failed if f["check_id"] not in waivers.get(f["resource"], set())]
    assert not unexplained, unexplained


def test_the_recommended_labels_skyspec_does_not_write_are_the_specs(build, cli, tmp_path):
    # `app.kubernetes.io/component` (most charts set it) was dropped with every key of the
    # prefix; only the labels a backend writes (name, part-of, managed-by, and Helm's instance
    # and version) are skyspec's
    spec = ("kind: App\nname: api\nimage: x/api:1\nport: 8080\n"
            "labels: {app.kubernetes.io/component: server, app.kubernetes.io/instance: mine, team: a}\n")
    objs = build({"apps/api.yaml": spec})
    dep = objs[("Deployment", "api")]
    for labels in (dep["metadata"]["labels"], dep["spec"]["template"]["metadata"]["labels"]):
        assert labels["app.kubernetes.io/component"] == "server" and labels["team"] == "a"
        assert "app.kubernetes.io/instance" not in labels
    with open("apps/api.yaml", "a") as f:  # any kind's: a ConfigMap's was overwritten silently
        f.write("---\nkind: ConfigMap\nname: c\nlabels: {app.kubernetes.io/name: other}\ndata: {a: b}\n")
    r = cli("check", "--env", "prod")
    assert [ln for ln in r.output.splitlines() if "SKY108" in ln] == \
        ['apps/api.yaml:5:75: warning[SKY108]: label "app.kubernetes.io/instance" is set by skyspec and cannot be '
         'overridden', 'apps/api.yaml:9:34: warning[SKY108]: label "app.kubernetes.io/name" is set by skyspec and '
         'cannot be overridden'], r.output
    # the Helm chart keeps it beside the release's instance label
    import yaml

    from validators import helm

    r = cli("build", "-o", str(tmp_path / "h"), "--env", "prod", "--format", "helm")
    assert r.exit_code == 0, r.output
    h = helm("template", "rel", str(tmp_path / "h" / "helm" / "demo"))
    assert h.returncode == 0, h.stderr
    dep = next(d for d in yaml.safe_load_all(h.stdout) if d and d["kind"] == "Deployment")
    assert dep["metadata"]["labels"]["app.kubernetes.io/component"] == "server"
    assert dep["metadata"]["labels"]["app.kubernetes.io/instance"] == "rel"
