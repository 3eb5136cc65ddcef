"""Corpus cases for what the front end reads: YAML and TOML syntax, encodings, bombs,
duplicates, the project file and paths that leave the project. Each is one defect in
the baseline of :mod:`corpus.base`; the test runs them (tests/test_corpus.py)."""

from __future__ import annotations

from corpus.base import Case, Symlink, raw

API, CACHE, JOBS, PROD, DEV, PROJ, TPL = (
    "apps/api.yaml", "apps/cache.toml", "apps/jobs.yaml", "overlays/prod.yaml",
    "overlays/dev.yaml", "skyspec.yaml", "templates/job.yaml")

SYNTAX = [
    Case("yaml-unclosed-flow", {API: ("{cpu: 100m, memory: 128Mi}", "{cpu: 100m, memory: 128Mi")}, "apps/api.yaml:8:4 SKY001"),
    Case("yaml-bad-indent", {API: ("  PUBLIC_URL", " PUBLIC_URL")}, "apps/api.yaml:10:2 SKY001"),
    Case("yaml-tab-indent", {API: ("  LOG_LEVEL: info", "\tLOG_LEVEL: info")}, "apps/api.yaml:9:1 SKY001"),
    Case("yaml-unclosed-quote", {API: ('"https://${self.expose.host}"', '"https://${self.expose.host}')}, "apps/api.yaml:19:1 SKY001"),
    Case("yaml-mapping-in-scalar", {API: ("replicas: 2", "replicas: 2: 3")}, "apps/api.yaml:6:12 SKY001"),
    Case("yaml-overlay-syntax", {PROD: ("args+: [--workers, \"4\"]", "args+: [--workers, \"4\"")}, "overlays/prod.yaml:10:3 SKY001"),
    Case("yaml-project-syntax", {PROJ: ('specs: ["apps/*.yaml", "apps/*.toml"]', 'specs: ["apps/*.yaml", "apps/*.toml"')}, "skyspec.yaml:4:1 SKY001"),
    Case("yaml-template-syntax", {TPL: ("command: [python, -m, \"${self.module}\"]", "command: [python, -m, \"${self.module}\"")}, "templates/job.yaml:8:3 SKY001"),
    Case("yaml-doc-is-list", {JOBS: "- kind: CronJob\n- name: report\n"}, "apps/jobs.yaml:1:1 SKY004"),
    Case("yaml-doc-is-scalar", {JOBS: "just a string\n"}, "apps/jobs.yaml:1:1 SKY004"),
    Case("yaml-undefined-alias", {API: ("replicas: 2", "replicas: *two")}, "apps/api.yaml:6:11 SKY001"),
    Case("yaml-unknown-tag", {API: ("replicas: 2", "replicas: !!python/object:os.system 2")}, "apps/api.yaml:6:11 SKY019"),
    # was SKY999 (ValueError); read untagged, "two" is no integer either (true)
    Case("yaml-core-tag-misfit", {API: ("replicas: 2", "replicas: !!int two")}, "apps/api.yaml:6:11 SKY019", others=1),
    Case("yaml-tag-on-map", {API: ("resources: {cpu", "resources: !!set {cpu")}, "apps/api.yaml:7:12 SKY019"),
    # read as if untagged, the value is the text "REPLICAS": replicas must be an integer (true)
    Case("yaml-local-tag-overlay", {DEV: ("{replicas: 1}", "{replicas: !env REPLICAS}")}, "overlays/dev.yaml:2:19 SKY019", others=1),
    Case("yaml-tag-on-key", {PROJ: ("namespace: demo", "!!binary namespace: demo")}, "skyspec.yaml:2:1 SKY019"),
    Case("yaml-tag-on-document", {JOBS: ("kind: CronJob", "--- !!python/object/apply:os.system\nkind: CronJob")}, "apps/jobs.yaml:1:5 SKY019"),
]

TOML = [
    Case("toml-unclosed-string", {CACHE: ('image = "redis:7.2-alpine"', 'image = "redis:7.2-alpine')}, "apps/cache.toml:3:26 SKY002"),
    Case("toml-missing-equals", {CACHE: ("replicas = 1", "replicas 1")}, "apps/cache.toml:7:10 SKY002"),
    Case("toml-unclosed-table", {CACHE: ("[security]", "[security")}, "apps/cache.toml:10:10 SKY002"),
    Case("toml-bad-number", {CACHE: ("replicas = 1", "replicas = 01")}, "apps/cache.toml:7:13 SKY002"),
    Case("toml-inline-table-newline", {CACHE: ('labels = {tier = "data"}', 'labels = {tier =\n"data"}')}, "apps/cache.toml:6:17 SKY002"),
    Case("toml-duplicate-key", {CACHE: ("replicas = 1", "replicas = 1\nreplicas = 2")}, "apps/cache.toml:8:13 SKY002"),
    Case("toml-duplicate-table", {CACHE: ("image_digest = false", "image_digest = false\n\n[security]\nrun_as_root = true")}, "apps/cache.toml:13:10 SKY002"),
    # reported at the spec's line (each layer is checked as written); prod's ${super.replicas * 2}
    # then makes "oneone" of it (`*` repeats strings), reported at the overlay too: which
    # checked values an expression read is not tracked, so that consequence stays
    Case("toml-wrong-type", {CACHE: ("replicas = 1", 'replicas = "one"')}, "apps/cache.toml:7:12 SKY104", others=1),
    # and prod's ${super.replicas * 2} finds no replicas beneath it (true: the key is "replica")
    Case("toml-unknown-key", {CACHE: ("replicas = 1", "replica = 1")}, "apps/cache.toml:7:1 SKY102", others=1),
    Case("toml-bare-value", {CACHE: ("replicas = 1", "replicas = one")}, "apps/cache.toml:7:12 SKY002"),
]

ENCODINGS = [
    Case("latin1-spec", {API: raw(API, "LOG_LEVEL: info", b"LOG_LEVEL: caf\xe9")}, "apps/api.yaml:9:17 SKY006"),
    Case("latin1-toml", {CACHE: raw(CACHE, 'tier = "data"', b'tier = "d\xe4ta"')}, "apps/cache.toml:6:20 SKY006"),
    Case("latin1-overlay", {PROD: raw(PROD, "LOG_LEVEL: warn", b"LOG_LEVEL: w\xe4rn")}, "overlays/prod.yaml:8:23 SKY006"),
    Case("latin1-project", {PROJ: raw(PROJ, "namespace: demo", b"namespace: d\xe9mo")}, "skyspec.yaml:2:13 SKY006"),
    Case("latin1-template", {TPL: raw(TPL, "a Python batch job", b"a Python b\xe4tch job")}, "templates/job.yaml:1:24 SKY006"),
    Case("utf16-spec", {JOBS: "kind: CronJob\nname: report\n".encode("utf-16")}, "apps/jobs.yaml:1:1 SKY006"),
    Case("bom-then-syntax-error", {API: raw(API, "kind: App", b"\xef\xbb\xbfkind: App").replace(b"replicas: 2", b"replicas: [2")}, "apps/api.yaml:7:10 SKY001"),
    Case("bom-then-type-error", {JOBS: b"\xef\xbb\xbf" + b"kind: CronJob\nname: report\nuse: ./templates/job.yaml\nmodule: report.main\nschedule: 5\n"}, "apps/jobs.yaml:5:11 SKY104"),
    Case("bom-toml-then-error", {CACHE: b"\xef\xbb\xbf" + raw(CACHE, "replicas = 1", b"replica = 1")}, "apps/cache.toml:7:1 SKY102", others=1),
    Case("nul-byte-spec", {API: raw(API, "LOG_LEVEL: info", b"LOG_LEVEL: in\x00fo")}, "apps/api.yaml:9:16 SKY001"),
    Case("control-char-after-utf8", {API: raw(API, "LOG_LEVEL: info", "LOG_LEVEL: \u00e9t\u00e9\x07".encode())}, "apps/api.yaml:9:17 SKY001"),
]

BOMBS = [
    Case("yaml-billion-laughs", {"apps/bomb.yaml": "kind: ConfigMap\nname: bomb\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]\n" for i in range(1, 9))}, "apps/bomb.yaml:8:10 SKY016"),
    Case("yaml-too-many-aliases", {"apps/bomb.yaml": "kind: ConfigMap\nname: bomb\nx: &x 1\ny: [" + ", ".join(["*x"] * 1001) + "]\n"}, "apps/bomb.yaml:4:4005 SKY015"),
    Case("yaml-merge-key-bomb", {"apps/bomb.yaml": "kind: ConfigMap\nname: bomb\nb0: &b0 {" + ", ".join(f"k{i}: {i}" for i in range(100)) + "}\n" + "".join(
        f"b{i}: &b{i} {{<<: [*b{i-1}, *b{i-1}], z{i}: 1}}\n" for i in range(1, 40))}, "apps/bomb.yaml:12:20 SKY016"),
    Case("yaml-deep-block", {API: ("labels: {tier: web}", "labels: {tier: web}\nk8s:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(70)) + "  " * 71 + "v: 1")}, "apps/api.yaml:83:129 SKY009"),
    Case("yaml-deep-flow", {API: ("replicas: 2", "replicas: " + "[" * 100 + "]" * 100)}, "apps/api.yaml:6:74 SKY009"),
    Case("yaml-deep-overlay", {DEV: "apps:\n  api: {replicas: 1, k8s: " + "{a: " * 80 + "1" + "}" * 80 + "}\n"}, "overlays/dev.yaml:2:271 SKY009"),
    Case("toml-deep-arrays", {CACHE: ("replicas = 1", "replicas = " + "[" * 100 + "]" * 100)}, "apps/cache.toml:7:75 SKY009"),
    Case("huge-spec", {"apps/huge.yaml": "kind: ConfigMap\nname: huge\ndata:\n" + "".join(f"  k{i}: {'v' * 60}\n" for i in range(70000))}, "apps/huge.yaml:1:1 SKY008"),
    Case("huge-overlay", {DEV: "apps:\n  api: {replicas: 1}\n#" + "x" * (4 * 1024 * 1024 + 10) + "\n"}, "overlays/dev.yaml:1:1 SKY008"),
]

DUPLICATES = [
    Case("dup-yaml-key", {API: ("replicas: 2", "replicas: 2\nreplicas: 3")}, "apps/api.yaml:7:1 SKY005"),
    Case("dup-yaml-nested-key", {API: ("  LOG_LEVEL: info", "  LOG_LEVEL: info\n  LOG_LEVEL: debug")}, "apps/api.yaml:10:3 SKY005"),
    Case("dup-overlay-key", {PROD: ("  cache:", "  api:\n    replicas: 9\n  cache:")}, "overlays/prod.yaml:10:3 SKY005"),
    Case("dup-project-key", {PROJ: ("namespace: demo", "namespace: demo\nnamespace: other")}, "skyspec.yaml:3:1 SKY005"),
    Case("dup-app-same-file", {API: ("kind: ServiceAccount", "kind: App\nname: api\nimage: x:1\n---\nkind: ServiceAccount")}, "apps/api.yaml:29:7 SKY110"),
    Case("dup-app-other-file", {"apps/more.yaml": "kind: App\nname: cache\nimage: redis:7.2\n"}, "apps/more.yaml:2:7 SKY110"),
    Case("dup-configmap", {"apps/more.yaml": "kind: ConfigMap\nname: api-config\ndata: {a: b}\n"}, "apps/more.yaml:2:7 SKY110"),
    Case("dup-port", {CACHE: ("ports = {redis = 6379}", "ports = {redis = 6379, admin = 6379}")}, "apps/cache.toml:4:32 SKY113"),
    Case("dup-template-key", {TPL: ("  module: {type: string}", "  module: {type: string}\n  module: {type: string}")}, "templates/job.yaml:5:3 SKY005"),
]

PROJECT = [
    Case("project-missing-project", {PROJ: ("project: demo\n", "")}, "skyspec.yaml:1:1 SKY103"),
    Case("project-missing-specs", {PROJ: ('specs: ["apps/*.yaml", "apps/*.toml"]\n', "")}, "templates/job.yaml:2:1 SKY103"),
    Case("project-missing-environments", {PROJ: "project: demo\nnamespace: demo\nspecs: [\"apps/*.yaml\"]\n"}, "skyspec.yaml:1:1 SKY103"),
    Case("project-envs-as-list", {PROJ: ("  dev: {overlays: [overlays/dev.yaml]}\n  prod: {overlays: [overlays/prod.yaml], protected: true}", "  - dev\n  - prod")}, "skyspec.yaml:5:3 SKY104"),
    Case("project-namespace-type", {PROJ: ("namespace: demo", "namespace: 5")}, "skyspec.yaml:2:12 SKY104"),
    Case("project-protected-type", {PROJ: ("protected: true", "protected: sure")}, "skyspec.yaml:6:53 SKY104"),
    Case("project-unknown-key", {PROJ: ("outputs:", "output:")}, "skyspec.yaml:7:1 SKY102"),
    Case("project-unknown-output", {PROJ: ("outputs: [kubernetes]", "outputs: [kubernets]")}, "skyspec.yaml:7:11 SKY105"),
    Case("project-target-unknown-env", {PROJ: ("outputs: [kubernetes]", "outputs: [kubernetes]\ntargets:\n  eu: {environments: [staging], overlays: []}")}, "skyspec.yaml:9:23 SKY013"),
    Case("project-spec-glob-matches-nothing", {PROJ: ('"apps/*.toml"', '"aps/*.toml"')}, "skyspec.yaml:3:24 SKY012"),
    Case("project-overlay-missing", {PROJ: ("overlays/dev.yaml", "overlays/dve.yaml")}, "skyspec.yaml:5:20 SKY014"),
    Case("project-not-a-mapping", {PROJ: "- project\n- demo\n"}, "skyspec.yaml:1:1 SKY011"),
    Case("project-bad-namespace-name", {PROJ: ("namespace: demo", "namespace: Demo_NS")}, "skyspec.yaml:2:12 SKY107"),
    # the project file's values are never evaluated: an expression there is checked as written
    # (it was skipped as late-bound: check said "0 documents checked, no errors", exit 0)
    Case("project-namespace-expression", {PROJ: ("namespace: demo", 'namespace: "${vars.ns}"')}, "skyspec.yaml:2:12 SKY107"),
    Case("project-protected-expression", {PROJ: ("protected: true", 'protected: "${true}"')}, "skyspec.yaml:6:53 SKY104"),
    Case("project-absent", {PROJ: None}, "- SKY010"),
    Case("project-unknown-env-flag", {}, "- SKY013", args=("--env", "staging"), exit=2),  # a usage error
    Case("project-limits-out-of-range", {PROJ: ("outputs: [kubernetes]", "outputs: [kubernetes]\nlimits: {depth: -1}")}, "skyspec.yaml:8:17 SKY106"),
]

# A path that leaves the project is SKY017 (containment) at the line naming it; a missing
# file keeps its own code (SKY118 config file, SKY120 template, SKY014 overlay).
PATHS = [
    Case("file-outside-relative", {API: ("config/app.conf", "../../../etc/passwd")}, "apps/api.yaml:22:19 SKY017"),
    Case("file-absolute", {API: ("config/app.conf", "/etc/passwd")}, "apps/api.yaml:22:19 SKY017"),
    Case("file-missing", {API: ("config/app.conf", "config/nope.conf")}, "apps/api.yaml:22:19 SKY118"),
    Case("file-symlink-outside", {"config/app.conf": Symlink("/etc/hostname")}, "apps/api.yaml:22:19 SKY017"),
    Case("template-outside-relative", {JOBS: ("./templates/job.yaml", "../templates/job.yaml")}, "apps/jobs.yaml:3:6 SKY017"),
    Case("template-absolute", {JOBS: ("./templates/job.yaml", "/etc/passwd")}, "apps/jobs.yaml:3:6 SKY017"),
    Case("template-missing", {JOBS: ("./templates/job.yaml", "./templates/jbo.yaml")}, "apps/jobs.yaml:3:6 SKY120"),
    Case("overlay-outside-relative", {PROJ: ("overlays/dev.yaml", "../dev.yaml"), "../dev.yaml": "apps: {}\n"}, "skyspec.yaml:5:20 SKY017"),
    Case("overlay-absolute", {PROJ: ("overlays/dev.yaml", "/etc/hostname")}, "skyspec.yaml:5:20 SKY017"),
    Case("overlay-symlink-outside", {DEV: Symlink("/etc/hostname")}, "skyspec.yaml:5:20 SKY017"),
    Case("spec-glob-outside", {PROJ: ('"apps/*.toml"', '"../*.toml"'), "../outside.toml": 'kind = "ConfigMap"\nname = "outside"\n'}, "skyspec.yaml:3:24 SKY017"),
    Case("spec-glob-absolute", {PROJ: ('"apps/*.toml"', '"/etc/*.conf"')}, "skyspec.yaml:3:24 SKY017"),
]
