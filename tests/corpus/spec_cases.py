"""Corpus cases for the typed and semantic checks of spec documents: types, unknown keys,
references, cycles, quantities, cron, names, literal secrets and templates. Each is one
defect in the baseline of :mod:`corpus.base`; the test runs them (tests/test_corpus.py)."""

from __future__ import annotations

from corpus.base import Case

API, CACHE, JOBS, PROD, DEV, PROJ, TPL = (
    "apps/api.yaml", "apps/cache.toml", "apps/jobs.yaml", "overlays/prod.yaml",
    "overlays/dev.yaml", "skyspec.yaml", "templates/job.yaml")

TYPES = [
    Case("port-not-int", {API: ("port: 8080", "port: eighty")}, "apps/api.yaml:4:7 SKY104"),
    Case("resources-not-map", {API: ("resources: {cpu: 100m, memory: 128Mi}", "resources: big")}, "apps/api.yaml:7:12 SKY104"),
    Case("env-is-list", {API: ("env:\n  LOG_LEVEL: info\n  PUBLIC_URL: \"https://${self.expose.host}\"", "env: [LOG_LEVEL]")}, "apps/api.yaml:8:6 SKY104"),
    Case("label-value-list", {API: ("labels: {tier: web}", "labels: {tier: web, team: [a]}")}, "apps/api.yaml:18:27 SKY104"),
    # `tls:` is true/false or the name of a TLS Secret, which the project must declare
    Case("tls-undeclared-secret", {API: ("tls: true", "tls: maybe")}, "apps/api.yaml:16:38 SKY114"),
    Case("tls-not-a-name", {API: ("tls: true", "tls: Maybe")}, "apps/api.yaml:16:38 SKY107"),
    Case("tls-number", {API: ("tls: true", "tls: 5")}, "apps/api.yaml:16:38 SKY104", shows="true, false or the name of a TLS Secret"),
    Case("tls-secret-without-cert", {API: ("tls: true", "tls: db")}, "apps/api.yaml:16:38 SKY114", shows='has no key "tls.crt"'),
    Case("toml-port-string", {CACHE: ("redis = 6379", 'redis = "six"')}, "apps/cache.toml:4:18 SKY104"),
    Case("overlay-replicas-string", {DEV: ("{replicas: 1}", "{replicas: many}")}, "overlays/dev.yaml:2:19 SKY104"),
    Case("secret-keys-string", {API: ("keys: [password]", "keys: password")}, "apps/api.yaml:26:7 SKY104", shows='got "password"'),  # key names are no secret
    Case("mount-not-string", {API: ("mount: /etc/api", "mount: 5")}, "apps/api.yaml:14:37 SKY104"),
    # reported although every environment's overlay overrides the value (each layer is checked as written)
    Case("spec-replicas-overridden", {API: ("replicas: 2", "replicas: two")}, "apps/api.yaml:6:11 SKY104"),
    Case("replicas-negative", {API: ("replicas: 2", "replicas: -1")}, "apps/api.yaml:6:11 SKY106"),
    Case("connect-to-string", {API: ("connect_to: [cache]", "connect_to: cache")}, "apps/api.yaml:17:13 SKY104"),
]

UNKNOWN_KEYS = [
    Case("spec-typo", {API: ("health: /healthz", "health: /healthz\nhelth: /ready")}, "apps/api.yaml:6:1 SKY102"),
    Case("toml-typo", {CACHE: ("health =", "heath =")}, "apps/cache.toml:8:1 SKY102"),
    Case("nested-typo", {API: ("{cpu: 100m, memory: 128Mi}", "{cpus: 100m, memory: 128Mi}")}, "apps/api.yaml:7:13 SKY102"),
    # and PUBLIC_URL's ${self.expose.host} finds no host (true: the key is "hots")
    Case("expose-typo", {API: ("{host: api.example.com, tls: true}", "{hots: api.example.com, tls: true}")}, "apps/api.yaml:16:10 SKY102", others=1),
    # and `key` is missing (true: it is spelled "kee")
    Case("secret-ref-typo", {API: ("key: password, as: file", "kee: password, as: file")}, "apps/api.yaml:12:29 SKY102", others=1),
    Case("overlay-app-typo", {PROD: ("args+:", "arg+:")}, "overlays/prod.yaml:9:5 SKY102"),
    Case("overlay-top-typo", {PROD: ("apps:\n", "app:\n")}, "overlays/prod.yaml:6:1 SKY102"),
    # and match[0] has no `where` (true: it is spelled "wher")
    Case("match-typo", {PROD: ("- where:", "- wher:")}, "overlays/prod.yaml:4:5 SKY102", others=1),
    Case("unknown-kind", {JOBS: ("kind: CronJob", "kind: CronJobs")}, "apps/jobs.yaml:1:7 SKY101"),
    Case("no-kind", {JOBS: ("kind: CronJob\n", "")}, "apps/jobs.yaml:1:1 SKY100"),
]

REFERENCES = [
    Case("connect-to-unknown", {API: ("connect_to: [cache]", "connect_to: [cach]")}, "apps/api.yaml:17:14 SKY114"),
    Case("toml-connect-to-unknown", {CACHE: ("replicas = 1", 'replicas = 1\nconnect_to = ["apii"]')}, "apps/cache.toml:8:15 SKY114"),
    Case("secret-unknown", {API: ("{secret: db,", "{secret: dbb,")}, "apps/api.yaml:12:16 SKY114"),
    Case("secret-key-unknown", {API: ("key: password, as", "key: passwd, as")}, "apps/api.yaml:12:16 SKY114"),
    Case("configmap-unknown", {API: ("{config: api-config,", "{config: api-cfg,")}, "apps/api.yaml:14:18 SKY114"),
    Case("service-account-unknown", {API: ("service_account: api", "service_account: apii")}, "apps/api.yaml:15:18 SKY114"),
    Case("health-port-unknown", {API: ("health: /healthz", "health: {http: /healthz, port: admin}")}, "apps/api.yaml:5:32 SKY117"),
    Case("volume-secret-unknown", {API: ("read_only: true}", "read_only: true}\n  tok: {secret: vault-token, mount: /etc/t}")}, "apps/api.yaml:15:17 SKY114"),
    Case("pull-secret-unknown", {API: ("service_account: api", "service_account: api\nimage_pull_secrets: [regcred]")}, "apps/api.yaml:16:21 SKY114"),
    Case("overlay-adds-bad-connect", {PROD: ("    env: {LOG_LEVEL: warn}", "    connect_to+: [nope]")}, "overlays/prod.yaml:8:19 SKY114"),
]

CYCLES = [
    Case("connect-two-cycle", {CACHE: ("replicas = 1", 'replicas = 1\nconnect_to = ["api"]')}, "apps/cache.toml:8:15 SKY115"),
    Case("connect-self", {API: ("connect_to: [cache]", "connect_to: [cache, api]")}, "apps/api.yaml:17:21 SKY114"),
    Case("connect-three-cycle", {API: ("---\nkind: ConfigMap", "---\nkind: App\nname: a\nimage: x:1\nport: 1\nconnect_to: [b]\n---\nkind: App\nname: b\nimage: x:1\nport: 1\nconnect_to: [c]\n---\nkind: App\nname: c\nimage: x:1\nport: 1\nconnect_to: [a]\n---\nkind: ConfigMap")}, "apps/api.yaml:36:14 SKY115"),
    Case("expr-two-cycle", {API: ("  LOG_LEVEL: info", "  LOG_LEVEL: info\n  A: ${self.env.B}\n  B: ${self.env.A}")}, "apps/api.yaml:10:6 SKY206"),
    Case("expr-self-cycle", {API: ("  LOG_LEVEL: info", "  LOG_LEVEL: info\n  A: x${self.env.A}")}, "apps/api.yaml:10:7 SKY206"),
    Case("expr-cross-app-cycle", {API: ("  LOG_LEVEL: info", "  LOG_LEVEL: ${apps.cache.labels.tier}"), CACHE: ('labels = {tier = "data"}', 'labels = {tier = "${apps.api.env.LOG_LEVEL}"}')}, "apps/api.yaml:9:14 SKY206"),
    Case("template-cycle", {TPL: ("kind: CronJob\n", "kind: CronJob\nuse: ./templates/job.yaml\n")}, "templates/job.yaml:3:6 SKY122"),
]

QUANTITIES = [
    Case("memory-mb", {API: ("memory: 128Mi}", "memory: 128MB}")}, "apps/api.yaml:7:32 SKY112"),
    Case("cpu-double-unit", {API: ("{cpu: 100m,", "{cpu: 100mm,")}, "apps/api.yaml:7:18 SKY112"),
    Case("cpu-negative", {API: ("{cpu: 100m,", "{cpu: -1,")}, "apps/api.yaml:7:18 SKY106"),
    Case("memory-two-dots", {API: ("memory: 128Mi}", "memory: 1.5.2Gi}")}, "apps/api.yaml:7:32 SKY112"),
    Case("toml-memory-space", {CACHE: ('memory = "128Mi"', 'memory = "128 Mi"')}, "apps/cache.toml:5:37 SKY112"),
    Case("overlay-memory-gb", {PROD: ("    env: {LOG_LEVEL: warn}", "    resources: {memory: 1GB}")}, "overlays/prod.yaml:8:25 SKY112"),
    Case("memory-limit-word", {API: ("memory: 128Mi}", "memory: 128Mi, memory_limit: lots}")}, "apps/api.yaml:7:53 SKY112"),
    Case("template-cpu-bad", {TPL: ("{cpu: 100m, memory: 128Mi}", "{cpu: 1OOm, memory: 128Mi}")}, "templates/job.yaml:8:20 SKY112"),
]

CRON = [
    Case("cron-minute-61", {JOBS: ('"0 3 * * *"', '"61 3 * * *"')}, "apps/jobs.yaml:5:11 SKY116"),
    Case("cron-three-fields", {JOBS: ('"0 3 * * *"', '"* * *"')}, "apps/jobs.yaml:5:11 SKY116"),
    Case("cron-hour-25", {JOBS: ('"0 3 * * *"', '"0 25 * * *"')}, "apps/jobs.yaml:5:11 SKY116"),
    Case("cron-weekday-8", {JOBS: ('"0 3 * * *"', '"0 3 * * 8"')}, "apps/jobs.yaml:5:11 SKY116"),
    Case("cron-day-32", {JOBS: ('"0 3 * * *"', '"0 3 32 * *"')}, "apps/jobs.yaml:5:11 SKY116"),
    Case("cron-bad-macro", {JOBS: ('"0 3 * * *"', '"@fortnightly"')}, "apps/jobs.yaml:5:11 SKY116"),
    Case("cron-overlay", {PROD: ("  cache:", "  report:\n    schedule: '*/0 * * * *'\n  cache:")}, "overlays/prod.yaml:11:15 SKY116"),
    Case("cron-bad-step", {JOBS: ('"0 3 * * *"', '"0 3-1/x * * *"')}, "apps/jobs.yaml:5:11 SKY116"),
]

NAMES = [
    # no workload is named api any more, so the overlays' `apps.api` patch the ServiceAccount
    # "api", which has no replicas, env or args (true, if puzzling)
    Case("name-underscore-upper", {API: ("kind: App\nname: api\n", "kind: App\nname: My_Api\n")}, "apps/api.yaml:2:7 SKY107", others=3),
    Case("name-leading-dash", {JOBS: ("name: report", "name: -report")}, "apps/jobs.yaml:2:7 SKY107"),
    Case("name-dot", {JOBS: ("name: report", "name: report.v2")}, "apps/jobs.yaml:2:7 SKY107"),
    Case("name-too-long", {JOBS: ("name: report", "name: " + "r" * 64)}, "apps/jobs.yaml:2:7 SKY108"),
    # and api's volume names ConfigMap "api-config", which no longer exists (true)
    Case("configmap-name-upper", {API: ("name: api-config", "name: Api-Config")}, "apps/api.yaml:21:7 SKY107", others=1),
    # and api's secrets name Secret "db", which no longer exists (true; once, not once per use).
    # A Secret's name is no secret: it is shown
    Case("secret-name-underscore", {API: ("name: db\n", "name: db_pass\n")}, "apps/api.yaml:25:7 SKY107", others=1,
         shows='name "db_pass" is not a valid name'),
    # and no workload is named cache any more: api's connect_to and prod's apps.cache (true)
    Case("toml-name-upper", {CACHE: ('name = "cache"', 'name = "Cache"')}, "apps/cache.toml:2:8 SKY107", others=2),
    Case("name-empty", {JOBS: ("name: report", 'name: ""')}, "apps/jobs.yaml:2:7 SKY107"),
]

SECRETS = [
    Case("secret-literal-protected", {API: ("keys: [password]", "data: {password: hunter2-literal}")}, "apps/api.yaml:26:7 SKY119", secret="hunter2-literal"),
    Case("secret-literal-via-overlay", {PROD: ("  cache:", "  db:\n    keys: null\n    data: {password: s3cr3t-overlay}\n  cache:")}, "overlays/prod.yaml:12:11 SKY119", secret="s3cr3t-overlay"),
    Case("secret-literal-toml", {"apps/s.toml": 'kind = "Secret"\nname = "tok"\n[data]\ntoken = "tok-literal-42"\n'}, "apps/s.toml:3:1 SKY119", secret="tok-literal-42"),
    Case("secret-data-not-string", {API: ("keys: [password]", "data: {password: 90210773311}")}, "apps/api.yaml:26:18 SKY104", secret="90210773311"),
    Case("secret-data-list", {API: ("keys: [password]", "data: {password: [s3cr3t-in-a-list]}")}, "apps/api.yaml:26:18 SKY104", secret="s3cr3t-in-a-list"),
]

TEMPLATES = [
    Case("stdlib-unknown", {JOBS: ("use: ./templates/job.yaml", "use: postgress")}, "apps/jobs.yaml:3:6 SKY120"),
    Case("stdlib-wrong-kind", {JOBS: ("use: ./templates/job.yaml", "use: redis")}, "apps/jobs.yaml:3:6 SKY121"),
    Case("stdlib-unknown-param", {"apps/db.yaml": "kind: StatefulApp\nname: db\nuse: postgres\ncredentials: db\nversoin: '16.4'\nstorage: {data: 1Gi}\n"}, "apps/db.yaml:5:1 SKY102"),
    # the stdlib's own expressions reading `version` fail too: not reported, in stdlib/ or elsewhere
    Case("stdlib-param-type", {"apps/db.yaml": "kind: StatefulApp\nname: db\nuse: postgres\nversion: [16]\nstorage: {data: 1Gi}\n"}, "apps/db.yaml:4:10 SKY104"),
    # a version the parameter allows that makes a bad image: at the spec's `use:`, not in stdlib/
    Case("stdlib-param-bad-result", {"apps/db.yaml": "kind: StatefulApp\nname: db\nuse: postgres\ncredentials: db\nversion: '16 4'\nstorage: {data: 1Gi}\n"}, "apps/db.yaml:3:6 SKY107"),
    # and the template's ${self.module} finds no module (true: it is spelled "modul")
    Case("project-template-unknown-param", {JOBS: ("module: report.main", "modul: report.main")}, "apps/jobs.yaml:4:1 SKY102", others=1),
    # and the template's command holds the map (in the project's own template file)
    Case("project-template-param-type", {JOBS: ("module: report.main", "module: {a: 1}")}, "apps/jobs.yaml:4:9 SKY104", others=1),
    Case("template-kind-mismatch", {TPL: ("kind: CronJob\n", "kind: App\n")}, "apps/jobs.yaml:3:6 SKY121"),
    Case("template-param-bad-type-decl", {TPL: ("{type: string}", "{type: strnig}")}, "templates/job.yaml:4:18 SKY121"),  # was a traceback
    Case("template-param-unknown-keyword", {TPL: ("{type: string}", "{tyep: string}")}, "templates/job.yaml:4:12 SKY121"),
    Case("template-param-ref-file", {TPL: ("{type: string}", "{$ref: 'file:///etc/passwd'}")}, "templates/job.yaml:4:12 SKY121"),
    Case("template-param-ref-url", {TPL: ("{type: string}", "{type: string, not: {$ref: 'http://127.0.0.1:9/x'}}")}, "templates/job.yaml:4:32 SKY121"),
    Case("template-param-bad-pattern", {TPL: ("{type: string}", "{type: string, pattern: '('}")}, "templates/job.yaml:4:35 SKY121"),
    Case("template-param-bad-minimum", {TPL: ("{type: string}", "{type: integer, minimum: low}")}, "templates/job.yaml:4:36 SKY121"),
    Case("template-param-not-map", {TPL: ("{type: string}", "string")}, "templates/job.yaml:4:11 SKY121"),
    Case("template-params-list", {TPL: ("  module: {type: string}", "  - module")}, "templates/job.yaml:4:3 SKY121"),
    Case("template-no-spec", {TPL: ("spec:\n", "spce:\n")}, "templates/job.yaml:5:1 SKY121"),
]
