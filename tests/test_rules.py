"""Policy rules (`skyspec/rules/`, run by the `policy` pass).

Each rule is tested by its own documentation: the PASS and FAIL examples in its module
docstring are compiled through the real CLI, and a FAIL example must be reported on exactly
the lines it marks with `# <-`. Then the severity configuration (`policy.rules` of the
project and of an environment, `off`, the protected defaults) and its effect on exit codes,
positions through overlays, partial IR, and the generated docs page.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import PROJECT, ROOT

from skyspec.rules import BY_ID, RULES, doc, protected_severity, rule_codes, rules_md

# One protected environment without a profile: every rule runs (the protected-only ones
# too), at its protected severity, and no profile defaults fill in what a spec leaves out.
LIVE = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  live: {protected: true}
"""


def check(cli, *args: str) -> tuple[int, list[dict]]:
    r = cli("check", "--diagnostics-format", "json", *args)
    return r.exit_code, json.loads(r.stdout)


def of(diags: list[dict], rule) -> list[dict]:
    return [d for d in diags if d["code"] == rule.CODE]


# --------------------------------------------------------------------------- the rules' own examples

EXAMPLES = [pytest.param(r, e, id=f"{r.ID}-{e.verdict.lower()}{i}")
            for r in RULES for i, e in enumerate(doc(r).examples)]


@pytest.mark.parametrize("rule, example", EXAMPLES)
def test_docstring_example(rule, example, make_project, cli):
    make_project({"apps/example.yaml": example.yaml}, LIVE)
    code, diags = check(cli)
    errors = [d for d in diags if d["severity"] == "error" and not d["code"].startswith("SKY4")]
    assert not errors, f"the example is not a valid spec: {errors}"
    found = of(diags, rule)
    if example.verdict == "PASS":
        assert found == []
        return
    assert sorted(d["line"] for d in found) == sorted(example.marked), found
    for d in found:
        assert d["file"] == "apps/example.yaml"
        assert d["message"].startswith(f"[{rule.ID}] ")
        assert d["severity"] == protected_severity(rule)
        assert d.get("hint")
    assert code == (1 if any(d["severity"] == "error" for d in diags) else 0)


def test_every_rule_documents_itself():
    for r in RULES:
        assert r.__name__.rsplit(".", 1)[1] == r.ID.replace("-", "_")
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.ID)
        assert re.fullmatch(r"SKY4\d\d", r.CODE) and r.CODE != "SKY400"
        assert r.SEVERITY in ("error", "warning") and protected_severity(r) in ("error", "warning")
        assert callable(r.check)
        d = doc(r)
        assert d.title and not d.title.endswith(".")
        verdicts = [e.verdict for e in d.examples]
        assert "PASS" in verdicts and "FAIL" in verdicts, r.ID
        assert all(e.marked for e in d.examples if e.verdict == "FAIL"), f"{r.ID}: mark the reported lines"
        assert not any(e.marked for e in d.examples if e.verdict == "PASS")
        # the registry test finds codes as string literals in the source
        assert f'CODE = "{r.CODE}"' in open(r.__file__, encoding="utf-8").read()


def test_ids_and_codes_are_unique():
    ids = [r.ID for r in RULES]
    codes = [c.code for c in rule_codes()]
    assert len(set(ids)) == len(ids) == len(BY_ID) >= 9
    assert len(set(codes)) == len(codes) == len(RULES) + 1


def test_no_other_code_claims_a_policy_code():
    from skyspec.rules import all_codes
    CODES = all_codes()

    ours = {c.code for c in rule_codes()}
    assert {k for k in CODES if k.startswith("SKY4")} <= ours


def test_docs_page_is_current():
    assert (ROOT / "docs" / "rules.md").read_text() == rules_md(), "run `python -m skyspec.docgen`"
    page = rules_md()
    for r in RULES:
        assert f"## `{r.ID}`" in page and f"`{r.CODE}`" in page


# --------------------------------------------------------------------------- severity

LATEST = {"apps/web.yaml": """
    kind: App
    name: web
    image: nginx:latest
    port: 8080
    replicas: 2
    health: /healthz
    """}


def _with_policy(project: str, rules: str, env: str | None = None) -> str:
    """PROJECT (dev, and a protected prod) with `policy.rules` at the top or in one environment."""
    if env is None:
        return project + f"policy:\n  rules: {rules}\n"
    return project.replace(f"  {env}: {{", f"  {env}: {{policy: {{rules: {rules}}}, ")


def test_latest_image_is_a_warning_in_dev_and_an_error_in_prod(make_project, cli):
    make_project(LATEST)
    code, diags = check(cli, "--env", "dev")
    rule = BY_ID["latest-image"]
    assert code == 0 and [d["severity"] for d in of(diags, rule)] == ["warning"]
    assert of(diags, rule)[0]["message"] == '[latest-image] image "nginx:latest" of App "web" is not pinned'
    assert (of(diags, rule)[0]["line"], of(diags, rule)[0]["column"]) == (3, 8)
    code, diags = check(cli, "--env", "prod")
    assert code == 1 and [d["severity"] for d in of(diags, rule)] == ["error"]
    assert of(diags, rule)[0]["notes"] == ['an error in protected environments such as "prod"']


def test_a_rules_warning_and_its_error_in_a_protected_environment_are_one_problem(make_project, cli):
    # `check` of every environment: the warning of dev and the error of prod, at the same
    # line with the same words, were two entries for one problem
    make_project(LATEST)
    code, diags = check(cli)
    got = [(d["severity"], d.get("notes")) for d in of(diags, BY_ID["latest-image"])]
    assert code == 1 and got == [("error", ['an error in protected environments such as "prod"'])], got


def test_project_policy_turns_a_rule_off(make_project, cli):
    make_project(LATEST, _with_policy(PROJECT, '{latest-image: "off"}'))
    code, diags = check(cli)
    assert code == 0 and of(diags, BY_ID["latest-image"]) == []


def test_environment_policy_wins_over_the_project(make_project, cli):
    make_project(LATEST, _with_policy(_with_policy(PROJECT, '{latest-image: "off"}'), "{latest-image: error}", "dev"))
    rule = BY_ID["latest-image"]
    code, diags = check(cli, "--env", "dev")
    assert code == 1 and [d["severity"] for d in of(diags, rule)] == ["error"]
    assert of(diags, rule)[0]["notes"] == ['severity set by `policy.rules` of environment "dev"']
    code, diags = check(cli, "--env", "prod")
    assert code == 0 and of(diags, rule) == []


def test_a_bare_off_turns_a_rule_off(make_project, cli):
    make_project(LATEST, _with_policy(PROJECT, "{latest-image: off}"))
    code, diags = check(cli)
    assert code == 0 and of(diags, BY_ID["latest-image"]) == []


def test_project_policy_overrides_the_protected_default(make_project, cli):
    make_project(LATEST, _with_policy(PROJECT, "{latest-image: warning}"))
    code, diags = check(cli, "--env", "prod")
    assert code == 0 and [d["severity"] for d in of(diags, BY_ID["latest-image"])] == ["warning"]


def test_a_warning_raised_to_an_error_fails_the_build(make_project, cli):
    files = {"apps/web.yaml": """
        kind: App
        name: web
        image: nginx:1.27.0
        port: 8080
        """}
    rule = BY_ID["missing-probes"]
    make_project(files)
    code, diags = check(cli, "--env", "dev")
    assert code == 0 and [d["severity"] for d in of(diags, rule)] == ["warning"]
    root = make_project(files, _with_policy(PROJECT, "{missing-probes: error}"))
    code, diags = check(cli, "--env", "dev")
    assert code == 1 and [d["severity"] for d in of(diags, rule)] == ["error"]
    r = cli("build", "--env", "dev")
    assert r.exit_code == 1 and "error[SKY402]: [missing-probes]" in r.stderr
    assert not (root / "out").exists()
    make_project(files, _with_policy(_with_policy(PROJECT, "{missing-probes: error}"), "{missing-probes: warning}",
                                     "dev"))
    code, diags = check(cli, "--env", "dev")
    assert code == 0 and [d["severity"] for d in of(diags, rule)] == ["warning"]


def test_protected_only_rules_run_in_protected_environments_only(make_project, cli):
    project = PROJECT + "  staging: {protected: true}\n"
    make_project({"apps/web.yaml": """
        kind: App
        name: web
        image: nginx:1.27.0
        port: 8080
        health: /healthz
        expose: {host: shop.example.com}
        """}, project)
    single, tls = BY_ID["single-replica"], BY_ID["no-tls-ingress"]
    for env, expected in (("dev", 0), ("prod", 1), ("staging", 1)):
        code, diags = check(cli, "--env", env)
        assert code == 0
        assert len(of(diags, single)) == len(of(diags, tls)) == expected, env
    code, diags = check(cli, "--env", "staging")
    assert of(diags, single)[0]["message"] == \
        '[single-replica] App "web" runs a single replica in protected environment "staging"'
    assert (of(diags, single)[0]["line"], of(diags, tls)[0]["line"]) == (1, 6)


def test_unknown_rule_id_is_an_error_at_the_project_file(make_project, cli):
    make_project(LATEST, _with_policy(_with_policy(PROJECT, '{lates-image: "off"}'), "{missing-probs: error}", "prod"))
    code, diags = check(cli)
    assert code == 1
    unknown = sorted((d["line"], d["message"], d["hint"]) for d in diags if d["code"] == "SKY400")
    assert unknown == [(6, 'unknown policy rule "missing-probs"', 'did you mean "missing-probes"?'),
                       (8, 'unknown policy rule "lates-image"', 'did you mean "latest-image"?')]
    assert all(d["file"] == "skyspec.yaml" for d in diags if d["code"] == "SKY400")


def test_schema_refuses_a_severity_that_does_not_exist(make_project, cli):
    make_project(LATEST, _with_policy(PROJECT, "{latest-image: fatal}"))
    code, diags = check(cli)
    assert code == 1 and any(d["file"] == "skyspec.yaml" and d["severity"] == "error" for d in diags)


# --------------------------------------------------------------------------- positions and partial IR

def test_a_value_from_an_overlay_is_reported_in_the_overlay(make_project, cli):
    make_project({**LATEST, "apps/web.yaml": LATEST["apps/web.yaml"].replace("nginx:latest", "nginx:1.27.0"),
                  "overlays/prod.yaml": """
                      apps:
                        web: {image: "nginx:latest"}
                      """})
    code, diags = check(cli)
    found = of(diags, BY_ID["latest-image"])
    assert code == 1
    assert [(d["file"], d["line"], d["severity"]) for d in found] == [("overlays/prod.yaml", 2, "error")]



def test_a_value_an_overlay_deleted_is_reported_where_it_was_deleted(make_project, cli):
    """The qa profile gives every workload resources; the project's overlay deletes them for
    one app: SKY403 is at the user's `resources: null`, never at the built-in profile's line
    (a file the user does not have); found by comparing fuzz campaigns (`fuzz.py --digest`),
    whose output named the package's own overlays/qa.yaml."""
    make_project({"skyspec.yaml": """
                      project: demo
                      namespace: demo
                      specs: ["apps/*"]
                      environments:
                        qa: {overlays: [overlays/qa.yaml]}
                      """,
                  "apps/web.yaml": """
                      kind: App
                      name: web
                      image: nginx:1.27.0
                      port: 8080
                      """,
                  "overlays/qa.yaml": """
                      apps:
                        web:
                          resources: null
                      """})
    code, diags = check(cli)
    found = of(diags, BY_ID["missing-resources"])
    assert [(d["file"], d["line"]) for d in found] == [("overlays/qa.yaml", 3)], found

def test_images_of_raw_manifests_and_rollouts_are_checked(make_project, cli):
    make_project({"apps/all.yaml": """
        kind: App
        name: web
        image: nginx:1.27.0
        port: 8080
        health: /healthz
        replicas: 4
        strategy: {canary: {percent: 25, image: "nginx:main"}}
        ---
        kind: Resource
        name: agent
        manifest:
          apiVersion: apps/v1
          kind: DaemonSet
          metadata: {name: agent}
          spec:
            selector: {matchLabels: {app: agent}}
            template:
              metadata: {labels: {app: agent}}
              spec:
                containers:
                  - {name: agent, image: ghcr.io/acme/agent}
        """}, LIVE)
    code, diags = check(cli)
    assert [(d["line"], d["message"]) for d in of(diags, BY_ID["latest-image"])] == [
        (21, '[latest-image] image "ghcr.io/acme/agent" of Resource "agent" (DaemonSet) has no tag, '
             'so it runs whatever `latest` is')]
    assert [d["line"] for d in of(diags, BY_ID["mutable-tag"])] == [7]


def test_secret_values_never_appear_in_messages(make_project, cli):
    make_project({"apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.4.2
        env: {API_KEY: s3cr3t-value, PGPASSWORD: s3cr3t-value, DATABASE_URL: "postgres://app:s3cr3t-value@db/shop"}
        """}, LIVE)
    r = cli("check", "--diagnostics-format", "json")
    found = of(json.loads(r.stdout), BY_ID["secret-in-env"])
    assert len(found) == 3 and r.exit_code == 1
    assert "s3cr3t-value" not in r.stdout
    r = cli("check", "--diagnostics-format", "sarif")
    assert "s3cr3t-value" not in r.stdout


@pytest.mark.parametrize("name, credential", [
    ("DB_PASSWORD", True), ("PGPASSWORD", True), ("MYSQL_ROOT_PASSWORD", True), ("JWT_SECRET", True),
    ("GITHUB_TOKEN", True), ("apiKey", True), ("STRIPE_API_KEY", True), ("SSH_PRIVATE_KEY", True),
    ("AWS_SECRET_ACCESS_KEY", True), ("SECRET_KEY_BASE", True), ("GOOGLE_CREDENTIALS", True),
    ("AWS_ACCESS_KEY_ID", False), ("TOKEN_URL", False), ("DB_PASSWORD_FILE", False), ("SECRET_NAME", False),
    ("TOKEN_TTL", False), ("TOKENIZER", False), ("LOG_LEVEL", False), ("KEY", False), ("PASSWORD_MIN_LENGTH", False),
    # a credential's last word: a short password, the MySQL client's, Erlang's cookie, a salt, a key of
    # any purpose but data's or a public one
    ("PG_PASS", True), ("SMTP_PASS", True), ("MYSQL_PWD", True), ("RABBITMQ_ERLANG_COOKIE", True),
    ("AUTH_SALT", True), ("MEILI_MASTER_KEY", True), ("AIRFLOW__CORE__FERNET_KEY", True), ("APP_KEY", True),
    ("API_KEY_VALUE", True), ("WIFI_PSK", True), ("GOOGLE_CREDS", True),
    ("ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY", True), ("ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT", True),
    ("REDIS_AUTH", True), ("BASIC_AUTH", True),   # (Langfuse's redis-server --requirepass; a proxy's)
    ("VAPID_PUBLIC_KEY", False),   # (Mastodon's)
    ("AUTH", False), ("REDIS_AUTH_ENABLED", False), ("OAUTH", False), ("AUTH_PROVIDER", False),
    ("PWD", False), ("PASS_THROUGH", False), ("BYPASS", False), ("SESSION_COOKIE_NAME", False),
    ("ROUTING_KEY", False), ("PARTITION_KEY", False), ("PUBLIC_KEY", False), ("STRIPE_PUBLISHABLE_KEY", False),
    # what a variable tells about a credential: how long it lives, how it is made
    ("TOKEN_EXPIRY_SECONDS", False), ("SESSION_SECRET_MAX_AGE", False), ("JWT_ALGORITHM", False),
    ("TOKEN_REFRESH_INTERVAL", False), ("OAUTH_TOKEN_SCOPES", False), ("AIRFLOW__SECRETS__BACKEND", False),
])
def test_credential_names(name, credential):
    from skyspec.rules.secret_in_env import credential_name

    assert credential_name(name) is credential


@pytest.mark.parametrize("schedule, gap", [
    ("* * * * *", 1), ("*/2 * * * *", 2), ("*/5 * * * *", 5), ("0,2 * * * *", 2), ("58 * * * *", 60),
    ("0 3 * * *", 1440), ("59 23 * * *", 1440), ("0,59 0,23 * * *", 1), ("10-12 * * * *", 1),
    ("5/20 * * * *", 20), ("@hourly", 60), ("@every 3m", 3), ("61 * * * *", None), ("0 0 31 2 *", None),
])
def test_cron_shortest_gap(schedule, gap):
    from skyspec.rules.cron_overlap import shortest_gap

    assert shortest_gap(schedule) == gap


def test_specs_with_errors_get_no_policy_findings(make_project, cli):
    make_project({"apps/all.yaml": """
        kind: App
        name: broken
        image: nginx:latest
        resources: {cpu: 100m, memory: 256MB}
        ---
        kind: App
        name: web
        image: ghcr.io/acme/web:1.27.0
        port: 8080
        resources: {cpu: 100m, memory: 256Mi}
        health: {http: /healthz, port: admin}
        """}, LIVE)
    code, diags = check(cli)
    assert code == 1
    assert {d["code"] for d in diags if d["severity"] == "error"} == {"SKY112", "SKY117"}
    # nothing about the invalid App (left out of the IR), nor about the probes of the
    # valid one, whose health check was reported already
    assert of(diags, BY_ID["latest-image"]) == []
    assert of(diags, BY_ID["missing-probes"]) == []
    assert {d["message"] for d in diags if d["code"].startswith("SKY4")} == {
        '[single-replica] App "web" runs a single replica in protected environment "live"'}


def test_the_pass_survives_partial_ir():
    from skyspec.diagnostics import Diagnostics
    from skyspec.ir.model import IR, Container, Context, CronSpec, Exposure, Resources, Workload
    from skyspec.passes.policy import policy

    broken = Container("c", None)
    broken.resources = None
    broken.env = None
    ir = IR("demo", "demo", "prod", protected=True, workloads=[
        Workload("App", "a", "demo", []),
        Workload("App", "b", "demo", [broken], init_containers=None, k8s=None, strategy=None,
                 expose=Exposure(host=None)),
        Workload("CronJob", "c", "demo", [Container("c", "nginx")], cron=CronSpec(None)),
        Workload("App", "d", "demo", [Container("d", "nginx:latest", resources=Resources())],
                 expose=Exposure(host="x.example.com")),
    ], raw=[{"object": None, "spec": None}, {"object": {"kind": "Pod", "spec": {"containers": [None, {}]}}}])
    diags = Diagnostics()
    assert policy(ir, Context(None, None, diags)) is ir
    assert {d.code for d in diags} >= {"SKY401", "SKY403", "SKY405", "SKY407"}
    assert all(d.pos is None for d in diags)


def test_shop_example_passes_with_warnings_only():
    from skyspec.pipeline import Session

    s = Session(ROOT / "examples" / "shop" / "skyspec.yaml")
    s.compile_all()
    assert not s.diags.errors, [d.as_dict() for d in s.diags.errors]
