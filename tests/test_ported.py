"""Public systems ported to skyspec by hand, from the README and docs only (issue 12 item 9):
podinfo, Sock Shop and Online Boutique, under examples/ported/. Each is built in every
format; the outputs pass the real validators (kubernetes-validate strict, the Compose
binary, helm lint --strict and helm template, kubectl kustomize, each equal to the
Kubernetes output) and `skyspec verify`; and every environment's Kubernetes objects are
compared with the system's own manifests (tests/data/, see SOURCES.md) field by field.
Every difference must be one of the allowed differences listed here by name, with the
reason; an unlisted difference fails, and so does a listed one that no longer occurs.
docs/ported.md holds the fidelity tables this computes (`python3 tests/test_ported.py`
rewrites it; a test keeps it current)."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import portcheck as pc  # noqa: E402
from portcheck import Allowed, both, k8s_default, objects, of, ours_only, port_by_name, ref_only  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
PORTED = ROOT / "examples" / "ported"
DOC = ROOT / "docs" / "ported.md"


@dataclass
class System:
    name: str
    title: str
    reference: list[Path]
    own: list[Allowed]                               # this port's allowed differences (before COMMON's)
    aliases: dict = field(default_factory=dict)
    patches: dict = field(default_factory=dict)      # "spec name: Kind" -> why the language cannot say it
    findings: dict = field(default_factory=dict)     # diagnostic code -> why the build reports it
    existing: tuple = ()                             # objects supplied at deploy time, for `skyspec verify`

    @property
    def project(self) -> Path:
        return PORTED / self.name

    @property
    def allowed(self) -> list[Allowed]:
        return self.own + COMMON


# ---------------------------------------------------------------------- what every port shares

SK_LABEL = r"(app\.kubernetes\.io/(name|part-of|managed-by)|skyspec\.dev/env)$"

COMMON = [
    Allowed("labels skyspec adds",
            "every object carries app.kubernetes.io/name, part-of and managed-by, and the profile's "
            "skyspec.dev/env",
            ours_only(r"(^metadata|\.metadata)\.labels\." + SK_LABEL)),
    Allowed("selectors on skyspec's labels",
            "Services, Deployments and policies select app.kubernetes.io/name and part-of; the reference's "
            "own selector label is not used",
            lambda d: bool(re.search(r"(selector|matchLabels)\.", d.path or "")) and d.ref_has != d.ours_has
            and ((d.ours_has and re.search(SK_LABEL, d.path) is not None)
                 or (d.ref_has and re.search(r"\.(app|name)$", d.path) is not None))),
    Allowed("the reference's own labels",
            "the reference labels its objects `app: X` or `name: X`; skyspec's standard labels say the same",
            ref_only(r"(^metadata|\.metadata)\.labels\.(app|name)$")),
    Allowed("namespace skyspec sets",
            "the reference applies into the current namespace; skyspec names the project's",
            ours_only(r"^metadata\.namespace$")),
    Allowed("hardening skyspec adds",
            "non-root UID, read-only root with an emptyDir at /tmp, all capabilities dropped, seccomp "
            "RuntimeDefault, no privilege escalation, no service-account token without a Role",
            lambda d: d.ours_has and not d.ref_has and _hardening(d)),
    Allowed("resources from the profile and the sizing policy",
            "requests the reference leaves out come from the environment's profile, limits from requests "
            "(CPU x2, memory x1)",
            ours_only(r"\.resources\.(requests|limits)\.(cpu|memory)$")),
    Allowed("image pull policy skyspec sets",
            "Always, or IfNotPresent for an image pinned by digest", pc.at(r"\.imagePullPolicy$")),
    Allowed("Kubernetes defaults", "one side states what the API server fills in anyway", k8s_default),
    Allowed("port names skyspec gives", "every port has a name (the key of `ports:`)",
            ours_only(r"ports\[[^]]*\]\.name$")),
    Allowed("port by name", "probes and Services name the container port the reference gives by number",
            port_by_name),
    Allowed("connect_to discovery variables",
            "`connect_to` gives each client <PEER>_HOST and <PEER>_PORT besides any variable it names",
            ours_only(r"env\[name=[A-Z0-9_]+_(HOST|PORT)\]\.(name|value)$")),
    Allowed("NetworkPolicies skyspec adds",
            "a default deny per namespace and, per workload, what its connect_to clients, exposure and "
            "metrics need", objects("ours", ("NetworkPolicy",))),
    Allowed("prod profile: PodDisruptionBudget and topology spread",
            "the prod profile spreads replicated workloads over nodes and zones and gives them a PDB",
            lambda d: objects("ours", ("PodDisruptionBudget",))(d) or ours_only(r"topologySpreadConstraints")(d),
            envs=("prod",)),
]


def _hardening(d: pc.Diff) -> bool:
    """A field skyspec's hardening sets, with the value that hardens (never a relaxation)."""
    if re.search(r"(volumes\[name=tmp\]|volumeMounts\[mountPath=/tmp\])\.", d.path):
        return True
    if d.path.endswith("automountServiceAccountToken"):
        return d.ours is False
    m = re.search(r"securityContext\.(.+)$", d.path)
    if not m:
        return False
    hardened = {"runAsNonRoot": True, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                "capabilities.drop": ["ALL"], "seccompProfile.type": "RuntimeDefault"}
    if m.group(1) in ("runAsUser", "runAsGroup", "fsGroup"):
        return isinstance(d.ours, int) and d.ours > 0
    return m.group(1) in hardened and d.ours == hardened[m.group(1)]


def _prov(at: str) -> Allowed:
    return Allowed("scrape annotations from Observability",
                   "an `Observability` document with `metrics: {annotations: true}` annotates the pods with "
                   "prometheus.io/scrape, port and path (the reference: " + at + ")",
                   ours_only(r"template\.metadata\.annotations\.prometheus\.io/(scrape|port|path)$"))


# ---------------------------------------------------------------------- the systems

PODINFO = System(
    "podinfo", "podinfo (stefanprodan/podinfo, `kustomize/`)",
    [DATA / "podinfo" / f for f in ("deployment.yaml", "service.yaml", "hpa.yaml")],
    [
        Allowed("scrape annotations from Observability",
                "an `Observability` document annotates the pods; it adds prometheus.io/path: /metrics",
                ours_only(r"template\.metadata\.annotations\.prometheus\.io/path$")),
        Allowed("every declared port is a Service port",
                "the Service carries each port of `ports:`, the metrics port too (the reference leaves "
                "http-metrics out of its Service)",
                both(of(("Service",)), ours_only(r"^spec\.ports\[port=9797\]\."))),
        Allowed("replicas from autoscale.min", "the Deployment starts at the autoscaler's minimum",
                both(of(("Deployment",)), ours_only(r"^spec\.replicas$")), envs=("prod",)),
        Allowed("dev: no autoscaler, one replica, debug logs", "overlays/dev.yaml",
                lambda d: objects("ref", ("HorizontalPodAutoscaler",))(d) or d.path.endswith(".command"),
                envs=("dev",)),
    ],
    patches={"podinfo: Deployment": "minReadySeconds, revisionHistoryLimit and progressDeadlineSeconds: "
                                    "rollout tuning the language does not model"},
    findings={"SKY301": "the reference's limits are 20x (CPU) and 8x (memory) its requests"},
)

SOCK_SHOP = System(
    "sock-shop", "Sock Shop (microservices-demo, `complete-demo.yaml`)",
    [DATA / "sock-shop" / "complete-demo.yaml"],
    [
        _prov("prometheus.io/scrape on the Services"),
        Allowed("Service annotations move to the pods",
                "the reference annotates its Services for Prometheus; Observability annotates the pods",
                both(of(("Service",)), ref_only(r"^metadata\.annotations\.prometheus\.io/(scrape|port)$"))),
        Allowed("workload annotations go on each of its objects",
                "`annotations:` annotates the Deployment, its pods and its Service; the reference annotates "
                "the pods only",
                both(of(("Deployment", "Service"), ("rabbitmq", "session-db")),
                     ours_only(r"^metadata\.annotations\.prometheus\.io[./]scrape$"))),
        Allowed("capabilities dropped as ALL",
                "the reference drops `all` in lower case; skyspec drops `ALL`",
                lambda d: d.path.endswith("capabilities.drop") and d.ref == ["all"] and d.ours == ["ALL"]),
        Allowed("low ports bound through the sysctl",
                "skyspec lets a non-root pod bind port 80 with net.ipv4.ip_unprivileged_port_start instead of "
                "adding NET_BIND_SERVICE", lambda d: (d.path.endswith("capabilities.add") and d.ref == ["NET_BIND_SERVICE"]
                                                      and not d.ours_has) or ours_only(r"securityContext\.sysctls")(d)),
        Allowed("writable paths the official images need",
                "emptyDirs where mongo, redis and rabbitmq write (their image VOLUMEs), so the read-only root "
                "holds (the official-image rule)",
                ours_only(r"(volumes\[name=(db|configdb|data)\]|volumeMounts\[mountPath=/(data/db|data/configdb|data|"
                          r"var/lib/rabbitmq)\])\.")),
        Allowed("credential moved to a Secret",
                "MYSQL_ROOT_PASSWORD comes from the Secret catalogue-db (a value at deploy time), never from the spec",
                lambda d: "env[name=MYSQL_ROOT_PASSWORD]" in d.path and (
                    (d.path.endswith(".value") and not d.ours_has) or ".valueFrom.secretKeyRef." in d.path)),
        Allowed("rollout checksums skyspec adds",
                "a hash of the Secret the pod reads, so a new value rolls the pods",
                ours_only(r"annotations\.checksum\.skyspec\.dev/")),
        Allowed("every declared port is a Service port",
                "rabbitmq's Service also carries the management port 15672, which the reference leaves out",
                both(of(("Service",), ("rabbitmq",)), ours_only(r"^spec\.ports\[port=15672\]\."))),
        Allowed("root stated as UID 0",
                "the reference runs the stores as the image's root without saying so; `run_as_root` states UID 0",
                lambda d: bool(re.search(r"securityContext\.(runAsUser|runAsGroup|fsGroup)$", d.path))
                and not d.ref_has and d.ours == 0),
        Allowed("catalogue-db runs as the reference runs it",
                "root with a writable root filesystem, stated (the reference says nothing); and where the "
                "reference leaves the runtime's default capabilities, skyspec drops all and adds back CHOWN, "
                "DAC_OVERRIDE, FOWNER, SETGID and SETUID (what mysqld's entrypoint uses)",
                both(of(names=("catalogue-db",)), lambda d: not d.ref_has and (
                    d.path.endswith("securityContext.capabilities.add")
                    or (d.path.endswith("securityContext.readOnlyRootFilesystem") and d.ours is False)))),
        Allowed("security relaxations reach the sidecar",
                "`security:` relaxes the whole workload: the rabbitmq-exporter sidecar gets rabbitmq's "
                "capabilities, which the reference gives the rabbitmq container only",
                both(of(names=("rabbitmq",)), ours_only(r"containers\[name=rabbitmq-exporter\]\.securityContext\."
                                                        r"capabilities\.add$"))),
        Allowed("rabbitmq's exporter is not in its Service",
                "a Service carries the main container's ports only, and `Observability` names a port of the main "
                "container, so the exporter sidecar's port 9090 is neither in the Service nor annotated for "
                "Prometheus; the pods keep the reference's scrape: false (`annotations:` puts a pod's scrape "
                "annotations on no Service)",
                lambda d: (d.kind, d.name) == ("Service", "rabbitmq") and (
                    "port=9090" in d.path or d.path.startswith("metadata.annotations.prometheus.io/"))),
        Allowed("prod: two replicas of each service", "overlays/prod.yaml",
                lambda d: d.path == "spec.replicas" and d.ref == 1 and d.ours == 2, envs=("prod",)),
        Allowed("prod: pinned images, no unpinned exporter",
                "a protected environment refuses unpinned images: mongo:3.4 as upstream's Compose file pins it; "
                "rabbitmq-exporter has no upstream tag and is left out",
                lambda d: (d.path.endswith(".image") and d.ref == "mongo")
                or "containers[name=rabbitmq-exporter]" in d.path, envs=("prod",)),
    ],
    findings={
        "SKY402": "missing-probes: the stores and the Java services have no probes in the reference either",
        "SKY405": "single-replica: the stores run one pod in prod, as in the reference",
        "SKY401": "latest-image (dev): `mongo` and the exporter carry no tag in the reference",
        "SKY301": "orders' CPU limit is 5x its request in the reference",
    },
    existing=("Secret/catalogue-db",),
)

ONLINE_BOUTIQUE = System(
    "online-boutique", "Online Boutique (GoogleCloudPlatform/microservices-demo, `release/kubernetes-manifests.yaml`)",
    [DATA / "online-boutique" / "kubernetes-manifests.yaml"],
    [
        Allowed("frontend-external is the workload's one Service",
                "`expose: {type: LoadBalancer}` makes the frontend's Service the LoadBalancer; the reference has "
                "a ClusterIP Service and a second LoadBalancer one",
                lambda d: (d.kind, d.name) in (("Service", "frontend"), ("Service", "frontend-external"))
                and (d.path == "spec.type" or d.path.startswith("metadata.labels.") or d.path == "metadata.name")),
        Allowed("workload annotations go on each of its objects",
                "`annotations:` annotates the Deployment and its Service too; the reference annotates the pods only",
                both(of(("Deployment", "Service")), ours_only(r"^metadata\.annotations\.sidecar\.istio\.io/"))),
        Allowed("prod: two replicas of each service", "overlays/prod.yaml (the cart store stays at one)",
                lambda d: d.kind == "Deployment" and d.path == "spec.replicas" and not d.ref_has and d.ours == 2,
                envs=("prod",)),
        Allowed("prod: no load generator", "`enabled: false` in overlays/prod.yaml",
                objects("ref", ("Deployment",), ("loadgenerator",)), envs=("prod",)),
    ],
    aliases={("Service", "frontend-external"): ("Service", "frontend")},
    findings={
        "SKY402": "missing-probes: the load generator has no probe in the reference either",
        "SKY405": "single-replica: the cart store runs one pod in prod (its data is in memory)",
        "SKY504": "Compose has no gRPC health check: the services' gRPC probes have no Compose twin",
    },
)

SYSTEMS = {s.name: s for s in (PODINFO, SOCK_SHOP, ONLINE_BOUTIQUE)}
ENVS = ("dev", "prod")


# ---------------------------------------------------------------------- building

def _build(system: System, out: Path) -> tuple[int, list[dict]]:
    from click.testing import CliRunner

    from skyspec.cli import main

    r = CliRunner().invoke(main, ["build", str(system.project), "-o", str(out), "--diagnostics-format", "json"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    diags = json.loads(r.stdout) if r.stdout.strip() else []
    return r.exit_code, diags


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache: dict = {}

    def get(name: str) -> tuple[Path, list[dict]]:
        if name not in cache:
            out = tmp_path_factory.mktemp(name) / "out"
            code, diags = _build(SYSTEMS[name], out)
            assert code == 0, diags
            cache[name] = (out, diags)
        return cache[name]

    return get


def fidelity(system: System, out: Path) -> dict:
    """Per environment, the comparison's figures; and how often each allowed difference matched."""
    ref = pc.load(system.reference)
    used: dict = {}
    figs = {env: pc.compare(env, ref, pc.load([out / env / "kubernetes"]), system.allowed, system.aliases, used)
            for env in ENVS}
    return {"envs": figs, "used": used}


def spec_files(system: System) -> list[Path]:
    p = system.project
    return sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in (".yaml", ".yml", ".toml"))


def k8s_patches(system: System) -> dict[str, int]:
    """`k8s:` patches of the project's specs: "spec: Kind" -> lines."""
    out: dict = {}
    for f in spec_files(system):
        for d in yaml.safe_load_all(f.read_text()):
            if isinstance(d, dict) and isinstance(d.get("k8s"), dict):
                for kind, patch in d["k8s"].items():
                    out[f"{d.get('name')}: {kind}"] = len(yaml.safe_dump(patch).splitlines())
    return out


# ---------------------------------------------------------------------- the tests

@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_the_port_matches_the_reference_field_by_field(built, name):
    system = SYSTEMS[name]
    out, _ = built(name)
    f = fidelity(system, out)
    bad = [str(d) for figs in f["envs"].values() for d in figs.unexplained]
    assert not bad, f"{len(bad)} differences no allowed difference explains:\n" + "\n".join(bad[:60])
    unused = [a.name for a in system.own if a.name not in f["used"]]
    assert not unused, f"allowed differences that no longer occur (remove them): {unused}"


def test_every_shared_allowed_difference_occurs(built):
    used: set = set()
    for name, system in SYSTEMS.items():
        used |= set(fidelity(system, built(name)[0])["used"])
    assert [a.name for a in COMMON if a.name not in used] == []


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_no_escape_hatch_where_the_language_can_say_it(name):
    system = SYSTEMS[name]
    assert set(k8s_patches(system)) == set(system.patches)
    for f in spec_files(system):
        for d in yaml.safe_load_all(f.read_text()):
            if isinstance(d, dict):
                assert d.get("kind") != "Resource", f"{f}: a raw Resource"
                k8s = d.get("k8s") or {}
                for kind, patch in k8s.items():  # probes, ports, names and presence have their fields
                    text = json.dumps(patch)
                    for word in ("Probe", "containerPort", "nodePort", "targetPort", '"name"', "replicas", "type"):
                        assert word not in text, f"{f}: k8s: {kind} says {word}, which the language can say"


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_the_build_reports_only_the_known_findings(built, name):
    system = SYSTEMS[name]
    _, diags = built(name)
    assert not [d for d in diags if d["severity"] == "error"]
    assert {d["code"] for d in diags} == set(system.findings), diags
    assert all(d.get("file") for d in diags), [d for d in diags if not d.get("file")]  # each at the user's line


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_the_outputs_pass_the_real_validators_and_verify(built, name, cli):
    from validators import assert_valid_k8s, compose_config, load_docs

    system = SYSTEMS[name]
    out, _ = built(name)
    for env in ENVS:
        assert_valid_k8s(load_docs(out / env / "kubernetes"))
        r = compose_config(out / env / "compose.yaml")
        assert r.returncode == 0, r.stderr
        args = [a for e in system.existing for a in ("--existing", e)]
        r = cli("verify", str(out / env / "kubernetes"), "--diagnostics-format", "json", *args)
        assert r.exit_code == 0 and json.loads(r.stdout or "[]") == [], (env, r.output)


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_helm_and_kustomize_are_the_kubernetes_output(name, tmp_path):
    from test_helm import assert_chart_is_the_kubernetes_output, compile_irs
    from test_kustomize import assert_overlays_equal_kubernetes

    irs = compile_irs(SYSTEMS[name].project)
    assert set(irs) == set(ENVS)
    assert_chart_is_the_kubernetes_output(irs, tmp_path / "helm")
    assert_overlays_equal_kubernetes(irs, tmp_path / "kustomize")


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_the_ports_are_in_the_canonical_layout(name, cli, monkeypatch):
    monkeypatch.chdir(SYSTEMS[name].project)
    r = cli("fmt", "--check")
    assert r.exit_code == 0, r.output


def test_the_fidelity_tables_in_the_docs_are_current(built):
    want = render_doc({name: fidelity(s, built(name)[0]) for name, s in SYSTEMS.items()})
    assert DOC.read_text() == want, "docs/ported.md is stale: run `python3 tests/test_ported.py`"


# ---------------------------------------------------------------------- docs/ported.md

def render_doc(results: dict) -> str:
    out = ["# Ported systems", "",
           "<!-- generated by tests/test_ported.py (`python3 tests/test_ported.py`); a test keeps it current -->", "",
           "Three public systems, ported to skyspec by hand from the README and docs only, each under",
           "`examples/ported/<name>/` with a dev and a prod environment. `tests/test_ported.py` builds each in",
           "every format, runs the real validators and `skyspec verify` on the output, and compares every",
           "environment's Kubernetes objects with the system's own manifests (`tests/data/`, licences and",
           "commits in `tests/data/SOURCES.md`) field by field. Lists of named items are matched by key",
           "(containers, env, volumes by name, ports by number, mounts by path) and a list of scalars (a",
           "command) is one field. Every difference is one of the allowed differences below, each named with",
           "its reason; the test fails on any other, and on an allowed one that no longer occurs. The core",
           "fields are what a port must get right: each container's image, command, args, ports, env, probes",
           "and resources, and each Service's ports and type.", ""]
    for name, res in results.items():
        s = SYSTEMS[name]
        spec_lines = pc.lines(spec_files(s))
        ref_lines = pc.lines(s.reference)
        patches = k8s_patches(s)
        out += [f"## {s.title}", "",
                f"Spec lines {spec_lines} (`examples/ported/{name}/`: project file, specs, overlays"
                + (", templates" if (s.project / "templates").is_dir() else "") + f"), reference lines {ref_lines} "
                f"(non-blank, non-comment). `k8s:` patches: "
                + (", ".join(f"{k} ({n} lines)" for k, n in sorted(patches.items())) if patches else "none") + ".", "",
                "| environment | objects | fields compared | equal | differences | unexplained "
                "| core fields compared | core equal | core differences |",
                "|---|---|---|---|---|---|---|---|---|"]
        for env, f in res["envs"].items():
            core = ", ".join(f"{n} {k}" for k, n in f.core_named.items()) or "none"
            out.append(f"| {env} | {f.objects} | {f.fields} | {f.equal} | {f.differences} | {len(f.unexplained)} "
                       f"| {f.core_fields} | {f.core_equal} | {core} |")
        out += ["", "| allowed difference | " + " | ".join(res["envs"]) + " | why |", "|---|" + "---|" * len(res["envs"]) + "---|"]
        for a in s.allowed:
            counts = [str(f.named.get(a.name, 0)) for f in res["envs"].values()]
            if any(c != "0" for c in counts):
                out.append(f"| {a.name} | " + " | ".join(counts) + f" | {a.why} |")
        if patches:
            out += ["", "Escape hatches, and why the language cannot say them:", ""]
            out += [f"- `{k}`: {s.patches[k]}" for k in sorted(patches)]
        if s.findings:
            out += ["", "What the build reports about the port (warnings, each at its spec line):", ""]
            out += [f"- {code}: {why}" for code, why in sorted(s.findings.items())]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # rewrite docs/ported.md
    import tempfile

    sys.path.insert(0, str(ROOT / "compiler"))
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for name, s in SYSTEMS.items():
            code, diags = _build(s, Path(tmp) / name)
            assert code == 0, diags
            results[name] = fidelity(s, Path(tmp) / name)
    DOC.write_text(render_doc(results))
    print(f"wrote {DOC.relative_to(ROOT)}")
