"""The registry of diagnostic codes. `docs/diagnostics.md` is generated from it
(`python -m skyspec.docgen`), and a test checks that every code the compiler emits is here.

Numbering: SKY0xx input and project file, SKY1xx typed and semantic checks of specs,
SKY2xx overlays and expressions, SKY3xx passes (sizing, quota, cost), SKY4xx policy
rules, SKY5xx what an output format cannot express, SKY9xx output.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    example: str  # a spec fragment (or command) that triggers it


_C = [
    Code("SKY001", "YAML syntax error", "replicas: [1, 2"),
    Code("SKY002", "TOML syntax error", 'replicas = "2'),
    Code("SKY003", "file cannot be read", "skyspec check missing.yaml"),
    Code("SKY004", "a spec document must be a mapping", "- kind: App"),
    Code("SKY005", "duplicate key in a mapping", "replicas: 2\nreplicas: 3"),
    Code("SKY006", "file is not UTF-8 text", "a spec saved as Latin-1: `name: caf\\xe9`"),
    Code("SKY007", "not a regular file (a FIFO, device, socket or directory)", "mkfifo apps/api.yaml"),
    Code("SKY008", "file larger than the size limit", "a 50 MB spec file (`limits: {file_bytes: ...}`)"),
    Code("SKY009", "nested deeper than the depth limit", "replicas: [[[[[[ ... 65 levels"),
    Code("SKY010", "no project file found", "skyspec build /tmp/empty"),
    Code("SKY011", "invalid project file", "environments: [dev, prod]"),
    Code("SKY012", "a spec glob matches no file", 'specs: ["aps/*.yaml"]'),
    Code("SKY013", "unknown environment", "skyspec build --env staging"),
    Code("SKY014", "overlay file not found", "environments: {prod: {overlays: [overlays/prd.yaml]}}"),
    Code("SKY015", "more YAML aliases in one document than the limit", "b: [*a, *a, *a, ...] (101 aliases)"),
    Code("SKY016", "more values in one file than the limit, aliases counted as copies",
         "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n..."),
    Code("SKY017", "path outside the project (absolute, `..`, or a symlink leading out)",
         "environments: {dev: {overlays: [/proc/self/environ]}}"),
    Code("SKY018", "Python spec files are not enabled (they run code)", 'specs: ["apps/*.py"]   # and no --allow-python'),
    Code("SKY019", "a YAML tag other than the core schema's (str, int, float, bool, null, map, seq)",
         "replicas: !!python/object:os.system 2"),
    Code("SKY050", "fmt leaves the file as written (YAML anchors, aliases, tags or directives)",
         "skyspec fmt on `base: &b {cpu: 1}` ... `resources: *b`"),
    Code("SKY060", "import input that is not a Kubernetes object or a Compose file, or renderings that do not "
                   "hold the same objects", "skyspec import kubernetes notes.txt"),
    Code("SKY061", "import input with a field of the wrong type, a name a spec cannot have, or an object given twice",
         "containers: [{name: api, image: x, ports: [{containerPort: http}]}]"),
    Code("SKY062", "an imported object kept as a Resource, as written (no spec kind says it)",
         "kind: PersistentVolumeClaim (skyspec import kubernetes)"),
    Code("SKY063", "connect_to inferred by the importer from an env value naming a Service",
         "env: [{name: DB_URL, value: postgres://db:5432/app}] (skyspec import kubernetes)"),
    Code("SKY064", "a secret value the importer does not write (a Secret's data, a credential moved into a Secret)",
         "kind: Secret\ndata: {password: c2VjcmV0}  (skyspec import kubernetes)"),
    Code("SKY065", "an imported field kept as a `k8s:` patch: the language has no field for it",
         "spec: {minReadySeconds: 3} (skyspec import kubernetes)"),
    Code("SKY066", "a Compose setting the imported project does not carry over as written",
         "volumes: [./nginx.conf:/etc/nginx/nginx.conf] (skyspec import compose)"),
    Code("SKY067", "a round-trip difference of an import in no named category", "an input field the build loses"),
    Code("SKY068", "a Helm chart or Kustomize folder the importer cannot render",
         "skyspec import helm chart/ -f missing.yaml"),
    Code("SKY069", "the imported project does not build, or cannot be written",
         "skyspec import kubernetes x.yaml -o existing-project/"),
    Code("SKY070", "the imported project lowers a policy rule for what the input runs (a node agent's host access, "
                   "an image of no version or of a moving tag)",
         "hostPID: true in a DaemonSet (skyspec import kubernetes)"),
    Code("SKY071", "an imported object in an API version (or with an annotation) Kubernetes no longer serves: read "
                   "as what replaced it, or refused where that is not exact",
         "apiVersion: extensions/v1beta1\nkind: Ingress (skyspec import kubernetes)"),
    Code("SKY072", "the imported project admits traffic between the namespace's pods (or a Compose network's "
                   "services), as the input without NetworkPolicies did (calls no env value shows), to the pods no "
                   "NetworkPolicy of the input selects, and the API server's calls to such a webhook; or leaves open "
                   "the pods an operator of the input makes (`network: {default_deny: project}`)",
         "a Deployment and a Service, no NetworkPolicy (skyspec import kubernetes)"),
    Code("SKY073", "a ConfigMap or ServiceAccount the imported workloads use (or a Role binds) that the input "
                   "does not hold: declared `existing: true`",
         "a DaemonSet mounting ConfigMap cloud-config, which its chart leaves to the user"),
    Code("SKY100", "document has no kind", "name: api"),
    Code("SKY101", "unknown kind", "kind: Ap"),
    Code("SKY102", "unknown key", "kind: App\nname: api\nreplica: 2"),
    Code("SKY103", "missing required field", "kind: App\nname: api"),
    Code("SKY104", "wrong type", "replicas: three"),
    Code("SKY105", "value not allowed", "expose: {type: Public}"),
    Code("SKY106", "number out of range", "replicas: -1"),
    Code("SKY107", "value does not match the expected format", "image: 'Not An Image'"),
    Code("SKY108", "invalid value", "ports: {}"),
    Code("SKY110", "duplicate name", "two documents `kind: App`, `name: api`"),
    Code("SKY111", "name is not a valid DNS-1123 label", "name: My_App"),
    Code("SKY112", "invalid quantity", "resources: {memory: 256MB}"),
    Code("SKY113", "duplicate port", "ports: {http: 8080, admin: 8080}"),
    Code("SKY114", "reference to something that does not exist", "connect_to: [postgress]"),
    Code("SKY115", "dependency cycle", "a connect_to b, b connect_to a"),
    Code("SKY116", "invalid cron schedule", "schedule: '61 * * * *'"),
    Code("SKY117", "invalid reference to a port", "health: {http: /healthz, port: admin}"),
    Code("SKY118", "config file not found or unreadable", "files: {nginx.conf: config/ngnix.conf}"),
    Code("SKY119", "literal secret value", "kind: Secret\nname: api\ndata: {token: hunter2}"),
    Code("SKY120", "template not found", "use: postgress"),
    Code("SKY121", "invalid template", "use: redis (in a `kind: Job`)"),
    Code("SKY122", "templates use each other in a cycle", "a.yaml `use: ./b.yaml`, b.yaml `use: ./a.yaml`"),
    Code("SKY123", "cron schedule that never runs (a day that does not exist in the months it names)",
         "schedule: '0 0 31 2 *'"),
    Code("SKY124", "invalid `k8s:` patch", "k8s: {Servcie: {spec: {type: NodePort}}}"),
    Code("SKY125", "a raw manifest in an API version Kubernetes no longer serves",
         "kind: Resource\nmanifest: {apiVersion: policy/v1beta1, kind: PodDisruptionBudget, ...}"),
    Code("SKY126", "a raw manifest with a field its kind does not have, or a value of another type",
         "kind: Resource\nmanifest: {apiVersion: v1, kind: Service, spec: {selectr: {app: web}}}"),
    Code("SKY160", "a Service selects no pod", "a Service whose selector matches no workload's pod labels"),
    Code("SKY161", "a port that does not exist where it is used",
         "a Service targetPort, probe, address or Ingress backend naming a port the pod or Service lacks"),
    Code("SKY162", "a ConfigMap, Secret, claim, ServiceAccount or Service that is used but neither produced nor "
                   "declared as existing", "volumes: [{name: c, configMap: {name: missing}}] (skyspec verify)"),
    Code("SKY163", "a declared connection that the NetworkPolicies deny",
         "connect_to: [api] where a k8s: patch narrowed api's NetworkPolicy"),
    Code("SKY164", "a folder of manifests that cannot be verified", "skyspec verify empty-folder/"),
    Code("SKY165", "a probe that calls a Service selecting its own pod (no traffic until a pod is ready)",
         "name: api\nhealth: {exec: [curl, -f, 'http://api:8080/health']}"),
    Code("SKY166", "two volumes mounted at one path of a container",
         "volumes: {a: {empty: true, mount: /data}, b: {config: c, mount: /data}}"),
    Code("SKY201", "overlay names a workload that does not exist", "apps: {apii: {replicas: 2}}"),
    Code("SKY202", "overlay match selects nothing", "match: [{where: {labels: {tier: wbe}}, patch: {}}]"),
    Code("SKY203", "operator cannot apply to this value", "replicas+: 2"),
    Code("SKY204", "removal of an item that is not there", "args-: [--verbose]"),
    Code("SKY205", "invalid expression", "env: {URL: '${self.expose.hots}'}"),
    Code("SKY206", "reference cycle between expressions", "a: ${self.b}\nb: ${self.a}"),
    Code("SKY207", "invalid --set", "skyspec build --set replicas=3"),
    Code("SKY301", "limit far above request", "resources: {cpu: 100m, cpu_limit: '4'}"),
    Code("SKY302", "memory limit below request", "resources: {memory: 1Gi, memory_limit: 512Mi}"),
    Code("SKY303", "request larger than a node", "resources: {memory: 300Gi}"),
    Code("SKY304", "a memory limit no container starts with (below 6Mi)", "resources: {memory: 128}   # bytes"),
    Code("SKY310", "over quota", "quota: {cpu: '1'} with 3 replicas of 500m"),
    Code("SKY320", "over budget", "budget: {monthly: 10}"),
    Code("SKY501", "Compose cannot schedule a CronJob", "kind: CronJob ... schedule: '0 3 * * *' (build --format compose)"),
    Code("SKY502", "Compose needs the keys of a Secret",
         "volumes: {t: {secret: vault-token, mount: /etc/t}} with existing: true (build --format compose)"),
    Code("SKY503", "`gitops:` without `targets:`: no GitOps file is written",
         "gitops: {repo: https://github.com/acme/shop.git, path: out}   # and no targets:"),
    Code("SKY504", "Compose has no gRPC health check", "health: {grpc: 7070} (build --format compose)"),
    Code("SKY505", "Compose has no downward API: a variable reading the pod is left out",
         "downward: {POD_IP: status.podIP} (build --format compose)"),
    Code("SKY506", "Compose reads an existing ConfigMap's variables from an env file, which has no prefix: that "
                   "`env_from` is left out", "env_from: [{config: cloud-config, prefix: CLOUD_}] of an existing "
                                              "ConfigMap (build --format compose)"),
    Code("SKY507", "Compose cannot read one key of an existing ConfigMap: the variable is left out",
         "configs: {REGION: {config: cloud-config, key: region}} of an existing ConfigMap (build --format compose)"),
    Code("SKY901", "output would overwrite a file skyspec did not generate", "skyspec build -o src/"),
    Code("SKY902", "output cannot be written", "skyspec build -o /proc/x"),
    Code("SKY903", "output path would leave the output folder or is not a plain file name",
         "ln -s /etc out/prod && skyspec build -o out"),
    Code("SKY904", "a generated file was edited by hand", "an edit to out/prod/kubernetes/api.yaml, then skyspec build"),
    Code("SKY905", "the output is not what the specs compile to (build --check)",
         "a spec changed and `skyspec build --check` runs before `skyspec build`"),
    Code("SKY950", "fmt refused to rewrite a file: the result would mean something else or lose a comment",
         "(a formatter bug guard: the file is left as it was)"),
    Code("SKY999", "internal error, please report", "an exception escaped a stage of the compiler"),
]

CODES: dict[str, Code] = {c.code: c for c in _C}

# The project's repository (pyproject.toml's `[project.urls] Repository`; a test keeps them
# equal) and where each code is documented: docs/diagnostics.md has an anchor per code.
REPOSITORY = "https://github.com/skyspec/skyspec"
DIAGNOSTICS_DOC = f"{REPOSITORY}/blob/main/docs/diagnostics.md"


def anchor(code: str) -> str:
    """The stable anchor of ``code`` in docs/diagnostics.md: `sky104`."""
    return code.lower()


def help_uri(code: str) -> str:
    """The address of ``code``'s section of docs/diagnostics.md (SARIF's `helpUri`)."""
    return f"{DIAGNOSTICS_DOC}#{anchor(code)}"

