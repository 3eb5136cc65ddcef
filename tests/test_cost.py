"""The cost pass and `skyspec cost`: the pricing model on hand-computed examples, CronJobs
by schedule, the budget gate (build and cost fail at the budget line), the report formats,
and the difference against a git revision."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from fractions import Fraction

import pytest

from conftest import write_tree

PROJECT = """
project: demo
namespace: demo
specs: ["apps/*"]
environments:
  dev: {{}}
  prod:
    overlays: [overlays/prod.yaml]{budget}
{prices}"""

# Hand-computed with the default prices (0.0316 per core-hour, 0.0042 per GiB-hour,
# 0.10 per GiB-month; 730 hours a month), each part rounded to cents:
#   api      2 pods x 500m, 1Gi:    cpu 2 x 0.5 x 730 x 0.0316 = 23.068 -> 23.07
#                                   mem 2 x 1 x 730 x 0.0042   =  6.132 ->  6.13      = 29.20
#   db       3 pods x 1, 2Gi, (20Gi + 5Gi) x 3 = 75Gi:
#                                   cpu 3 x 1 x 730 x 0.0316   = 69.204 -> 69.20
#                                   mem 3 x 2 x 730 x 0.0042   = 18.396 -> 18.40
#                                   storage 75 x 0.10          =  7.50               = 95.10
#   report   CronJob @hourly: 730 runs x 10 min (default) = 121.67 h, 1 pod x 2, 4Gi:
#                                   cpu 2 x 121.667 x 0.0316   =  7.689 ->  7.69
#                                   mem 4 x 121.667 x 0.0042   =  2.044 ->  2.04      =  9.73
#   migrate  Job: one run of 7200 s, 10 pods x 4, 16Gi:
#                                   cpu 10 x 4 x 2 x 0.0316    =  2.528 ->  2.53
#                                   mem 10 x 16 x 2 x 0.0042   =  1.344 ->  1.34      =  3.87
#   total                                                                            137.90
APPS = {"apps/a.yaml": """
    kind: App
    name: api
    image: ghcr.io/acme/api:1.0.0
    port: 8080
    replicas: 2
    resources: {cpu: 500m, memory: 1Gi}
    ---
    kind: StatefulApp
    name: db
    image: postgres:16.4
    port: 5432
    replicas: 3
    resources: {cpu: "1", memory: 2Gi}
    storage: {data: 20Gi, wal: {size: 5Gi, mount: /wal}}
    ---
    kind: CronJob
    name: report
    image: ghcr.io/acme/report:1.0.0
    schedule: "@hourly"
    resources: {cpu: "2", memory: 4Gi}
    ---
    kind: Job
    name: migrate
    image: ghcr.io/acme/api:1.0.0
    parallelism: 10
    active_deadline: 7200
    resources: {cpu: "4", memory: 16Gi}
"""}


def project(budget: float | None = None, prices: str = "") -> str:
    b = f"\n    budget: {{monthly: {budget}}}" if budget is not None else ""
    return PROJECT.format(budget=b, prices=prices)


def report(root, env="prod"):
    from skyspec.pipeline import Session

    s = Session(root / "skyspec.yaml")
    c = s.compile(env)
    assert c is not None, [d.message for d in s.diags.errors]
    return c.ir.cost


def amounts(rep) -> dict:
    return {ln.name: ln.total for ln in rep.lines}


def line_of(root, text: str) -> int:
    lines = (root / "skyspec.yaml").read_text().splitlines()
    return next(i for i, t in enumerate(lines, 1) if text in t)


# ---------------------------------------------------------------------- the pricing model

def test_hand_computed_estimate(make_project):
    root = make_project(APPS, project())
    rep = report(root)
    assert amounts(rep) == {"api": Decimal("29.20"), "db": Decimal("95.10"), "migrate": Decimal("3.87"),
                            "report": Decimal("9.73")}
    assert rep.total == Decimal("137.90")
    api = rep.line("api")
    assert (api.cpu_cost, api.memory_cost, api.storage_cost) == (Decimal("23.07"), Decimal("6.13"), Decimal("0.00"))
    assert (api.pods, api.cpu, api.memory) == (2, 1000, 2 * 2**30)
    assert rep.prices.currency == "USD" and rep.budget is None and not rep.over_budget


def test_statefulapp_storage_is_claims_times_replicas(make_project):
    rep = report(make_project(APPS, project()))
    db = rep.line("db")
    assert db.storage == 75 * 2**30
    assert (db.cpu_cost, db.memory_cost, db.storage_cost) == (Decimal("69.20"), Decimal("18.40"), Decimal("7.50"))


def test_job_is_one_run_of_its_deadline(make_project):
    rep = report(make_project(APPS, project()))
    job = rep.line("migrate")
    assert (job.runs, job.run_seconds, job.pod_hours, job.pods) == (1, 7200, 2, 10)
    assert (job.cpu_cost, job.memory_cost) == (Decimal("2.53"), Decimal("1.34"))


def test_job_without_deadline_runs_ten_minutes(make_project):
    root = make_project({"apps/j.yaml": """
        kind: Job
        name: once
        image: ghcr.io/acme/a:1.0.0
        resources: {cpu: "6", memory: 60Gi}
    """}, project())
    job = report(root).line("once")
    # 1 pod x 1/6 h: cpu 6 x 0.0316 / 6 = 0.0316 -> 0.03; memory 60 x 0.0042 / 6 = 0.042 -> 0.04
    assert (job.run_seconds, job.default_run, job.total) == (600, True, Decimal("0.07"))


def test_cronjob_costed_by_its_schedule(make_project):
    root = make_project({"apps/c.yaml": """
        kind: CronJob
        name: sync
        image: ghcr.io/acme/a:1.0.0
        schedule: "0 */6 * * *"
        active_deadline: 900
        resources: {cpu: "1", memory: 1Gi}
        ---
        kind: CronJob
        name: paused
        image: ghcr.io/acme/a:1.0.0
        schedule: "* * * * *"
        suspend: true
        resources: {cpu: "1", memory: 1Gi}
    """}, project())
    rep = report(root)
    sync = rep.line("sync")
    # 4 runs a day x 365/12 days = 121.67 runs x 15 min = 30.42 h:
    # cpu 30.4167 x 0.0316 = 0.9612 -> 0.96; memory 30.4167 x 0.0042 = 0.1278 -> 0.13
    assert round(sync.runs, 4) == Decimal("121.6667")
    assert round(sync.pod_hours, 4) == Decimal("30.4167")
    assert (sync.cpu_cost, sync.memory_cost, sync.total) == (Decimal("0.96"), Decimal("0.13"), Decimal("1.09"))
    assert rep.line("paused").total == 0 and "suspended" in rep.line("paused").notes[0]


@pytest.mark.parametrize("schedule, runs", [
    ("@hourly", Fraction(730)),
    ("0 * * * *", Fraction(730)),
    ("@daily", Fraction(365, 12)),
    ("0 0 * * *", Fraction(365, 12)),
    ("@weekly", Fraction(365, 84)),
    ("@monthly", Fraction(1)),
    ("@yearly", Fraction(1, 12)),
    ("*/15 * * * *", Fraction(2920)),
    ("0 9 * * 1-5", Fraction(365 * 5, 7 * 12)),
    ("0 9 * * MON-FRI", Fraction(365 * 5, 7 * 12)),
    ("0 0 31 * *", Fraction(7, 12)),
    ("0 0 29 2 *", Fraction(1, 48)),
    ("0 0 * jan *", Fraction(31, 12)),
    ("0 0 * * sun", Fraction(365, 84)),                       # Sunday is 0 (7 is refused, as Kubernetes does)
    ("0 0 31 2 *", Fraction(0)),                              # never runs (SKY123)
    ("@every 90m", Fraction(730 * 60, 90)),
    ("0 0 1,15 * 1", (24 + Fraction(365 - 24, 7)) / 12),      # day-of-month OR day-of-week
    # a step is a restriction: odd days (7 x 16 + 4 x 15 + 14 = 186, and a quarter of Feb 29) or Mondays
    ("0 0 */2 * 1", (186 + Fraction(1, 4) + Fraction(365 - 186, 7)) / 12),
    ("30 2-4 1 */3 *", Fraction(3 * 4, 12)),
])
def test_runs_per_month(schedule, runs):
    from skyspec.cost.schedule import runs_per_month

    assert runs_per_month(schedule) == runs


def test_unreadable_schedule_is_none():
    from skyspec.cost.schedule import runs_per_month

    assert runs_per_month("every day") is None
    assert runs_per_month("0 0 * * funday") is None
    assert runs_per_month("0 0 * * 0,7") is None   # Kubernetes (robfig/cron) refuses 7 for Sunday


def test_prices_from_the_project_file(make_project):
    root = make_project(APPS, project(prices="prices: {cpu_core_hour: 0.05, memory_gib_hour: 0.01, currency: EUR}\n"))
    rep = report(root)
    # api: cpu 2 x 0.5 x 730 x 0.05 = 36.50, memory 2 x 1 x 730 x 0.01 = 14.60; storage keeps its default
    assert rep.line("api").total == Decimal("51.10")
    assert rep.line("db").storage_cost == Decimal("7.50")
    assert rep.prices.currency == "EUR"


def test_blue_green_preview_doubles_the_cost(make_project):
    root = make_project({"apps/a.yaml": """
        kind: App
        name: a
        image: ghcr.io/acme/a:1.0.0
        replicas: 2
        strategy: {blue-green: {preview_image: ghcr.io/acme/a:2.0.0}}
        resources: {cpu: 500m, memory: 1Gi}
    """}, project())
    a = report(root).line("a")
    assert a.pods == 4 and a.total == Decimal("58.40")


# ---------------------------------------------------------------------- the budget gate

def test_budget_gate_fails_build_at_the_budget_line(make_project, cli, tmp_path):
    root = make_project(APPS, project(budget=100))
    r = cli("build", "-o", str(tmp_path / "out"), "--env", "prod")
    assert r.exit_code == 1
    line = line_of(root, "budget:")
    assert f"skyspec.yaml:{line}:" in r.stderr
    assert ('error[SKY320]: environment "prod": the estimated cost of 137.90 USD a month is over the budget of '
            '100.00 USD; the biggest is db at 95.10 USD') in r.stderr
    notes = [ln.strip() for ln in r.stderr.splitlines() if ln.strip().startswith("= note:")]
    assert notes == ["= note: db (StatefulApp): 95.10 USD a month, 69.0%",
                     "= note: api (App): 29.20 USD a month, 21.2%",
                     "= note: report (CronJob): 9.73 USD a month, 7.1%"]
    assert not (tmp_path / "out").exists()


def test_budget_exactly_met_passes(make_project, cli, tmp_path):
    make_project(APPS, project(budget=137.90))
    r = cli("build", "-o", str(tmp_path / "out"), "--env", "prod")
    assert r.exit_code == 0, r.output
    assert "SKY320" not in r.output


def test_budget_of_another_environment_does_not_gate(make_project, cli, tmp_path):
    make_project(APPS, project(budget=100))
    r = cli("build", "-o", str(tmp_path / "out"), "--env", "dev")
    assert r.exit_code == 0, r.output


def test_cost_command_over_budget_prints_the_table_and_exits_1(make_project, cli):
    root = make_project(APPS, project(budget=100))
    r = cli("cost", "--env", "prod")
    assert r.exit_code == 1
    assert "prod: estimated monthly cost (USD)" in r.stdout
    assert "137.90" in r.stdout and "budget: 100.00 USD a month (OVER BUDGET)" in r.stdout
    assert f"skyspec.yaml:{line_of(root, 'budget:')}:" in r.stderr
    assert "error[SKY320]" in r.stderr and "the biggest is db at 95.10 USD" in r.stderr


def test_cost_command_within_budget_exits_0(make_project, cli):
    make_project(APPS, project(budget=4000))
    r = cli("cost")
    assert r.exit_code == 0, r.output
    assert "budget: 4,000.00 USD a month (3.4% used)" in r.stdout
    assert r.stdout.index("dev:") < r.stdout.index("prod:")  # every environment by default


def test_cost_command_spec_errors_exit_1(make_project, cli):
    make_project({"apps/a.yaml": "kind: App\nname: a\nimage: ghcr.io/acme/a:1.0.0\nreplicas: three\n"}, project())
    r = cli("cost")
    assert r.exit_code == 1
    assert "error[SKY104]" in r.stderr and r.stdout == ""


# ---------------------------------------------------------------------- formats

def test_table_format(make_project, cli):
    make_project(APPS, project())
    r = cli("cost", "--env", "prod")
    assert r.exit_code == 0, r.output
    rows = [ln.split() for ln in r.stdout.splitlines()]
    assert ["workload", "kind", "pods", "CPU", "memory", "storage", "monthly"] in rows
    assert ["api", "App", "2", "1", "2Gi", "-", "29.20"] in rows
    assert ["db", "StatefulApp", "3", "3", "6Gi", "75Gi", "95.10"] in rows
    assert ["total", "16", "46", "172Gi", "75Gi", "137.90"] in rows
    assert 'note: report: 730.00 runs a month ("@hourly") x 10m (the default: no active_deadline) x 1 pod' \
        in r.stdout


def test_json_format(make_project, cli):
    make_project(APPS, project(budget=4000))
    r = cli("cost", "--env", "prod", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["prices"] == {"cpu_core_hour": 0.0316, "memory_gib_hour": 0.0042, "storage_gib_month": 0.1,
                             "currency": "USD"}
    assert doc["hours_per_month"] == 730 and doc["default_run_seconds"] == 600
    prod = doc["environments"]["prod"]
    assert (prod["total"], prod["budget"], prod["over_budget"], prod["currency"]) == (137.9, 4000.0, False, "USD")
    db = next(w for w in prod["workloads"] if w["name"] == "db")
    assert db["cost"] == {"cpu": 69.2, "memory": 18.4, "storage": 7.5, "total": 95.1}
    assert (db["pods"], db["cpu"], db["memory"], db["storage"], db["storage_bytes"]) == \
        (3, "3", "6Gi", "75Gi", 75 * 2**30)
    report = next(w for w in prod["workloads"] if w["name"] == "report")
    assert (report["runs_per_month"], report["run_seconds"], report["schedule"]) == (730.0, 600, "@hourly")
    assert r.stdout == cli("cost", "--env", "prod", "--format", "json").stdout  # stable


def test_markdown_format(make_project, cli):
    make_project(APPS, project(budget=100))
    r = cli("cost", "--env", "prod", "--format", "markdown")
    assert r.exit_code == 1  # over budget, whatever the format
    md = r.stdout.splitlines()
    assert "### skyspec cost: `prod` (USD a month)" in md
    assert "| workload | kind | pods | CPU | memory | storage | monthly |" in md
    assert "| db | StatefulApp | 3 | 3 | 6Gi | 75Gi | 95.10 |" in md
    assert "| **total** | | 16 | 46 | 172Gi | 75Gi | **137.90** |" in md
    assert "**budget: 100.00 USD a month (OVER BUDGET)**" in md
    assert any(ln.startswith("- report: 730.00 runs a month (\"@hourly\")") for ln in md)


def test_shop_example_costs_within_its_budget(cli):
    from conftest import EXAMPLES

    r = cli("cost", str(EXAMPLES / "shop"), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {"dev", "qa", "prod", "prod.eu-west"} <= set(doc["environments"])
    assert all(not e["over_budget"] for e in doc["environments"].values())


# ---------------------------------------------------------------------- against a git revision

def git(cwd, *args):
    r = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with the project in `deploy/`: a first commit, then api at 4 replicas,
    `migrate` removed and `cache` added."""
    root = tmp_path / "repo"
    proj = root / "deploy"
    write_tree(proj, {"skyspec.yaml": project(budget=4000), "overlays/prod.yaml": "{}\n", **APPS})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    text = (proj / "apps/a.yaml").read_text()
    text = text.replace("replicas: 2", "replicas: 4")
    text = text[:text.index("---\nkind: Job")] + (
        "---\nkind: App\nname: cache\nimage: redis:7.2\nport: 6379\nresources: {cpu: 100m, memory: 128Mi}\n")
    (proj / "apps/a.yaml").write_text(text)
    git(root, "commit", "-q", "-am", "more api")
    monkeypatch.chdir(root)
    return root


def worktrees(root) -> int:
    return git(root, "worktree", "list", "--porcelain").count("worktree ")


def test_against_a_revision_json(repo, cli):
    r = cli("cost", "deploy", "--env", "prod", "--against", "HEAD~1", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["against"] == "HEAD~1"
    prod = doc["environments"]["prod"]
    rows = {w["name"]: w for w in prod["workloads"]}
    assert rows["api"] == {"name": "api", "kind": "App", "status": "changed", "pods_before": 2, "pods_after": 4,
                           "before": 29.2, "after": 58.4, "change": 29.2}
    assert rows["migrate"]["status"] == "removed" and rows["migrate"]["change"] == -3.87
    # cache: 100m x 730 x 0.0316 = 2.3068 -> 2.31; 0.125 x 730 x 0.0042 = 0.38325 -> 0.38
    assert rows["cache"]["status"] == "added" and rows["cache"]["after"] == 2.69
    assert rows["db"]["status"] == rows["report"]["status"] == "same"
    assert (prod["before"], prod["after"]) == (137.9, 165.92)
    assert prod["change"] == pytest.approx(28.02)
    assert worktrees(repo) == 1  # the temporary worktree is gone


def test_against_a_revision_table_marks_changed_rows(repo, cli):
    r = cli("cost", "deploy", "--env", "prod", "--against", "HEAD~1")
    assert r.exit_code == 0, r.output
    rows = [ln.split() for ln in r.stdout.splitlines()]
    assert ["~", "api", "App", "2", "->", "4", "29.20", "58.40", "+29.20"] in rows
    assert ["-", "migrate", "Job", "10", "->", "-", "3.87", "-", "-3.87"] in rows
    assert ["+", "cache", "App", "-", "->", "1", "-", "2.69", "+2.69"] in rows
    assert ["db", "StatefulApp", "3", "95.10", "95.10", "0.00"] in rows  # unchanged rows shown, unmarked
    assert ["total", "137.90", "165.92", "+28.02"] in rows
    md = cli("cost", "deploy", "--env", "prod", "--against", "HEAD~1", "--format", "markdown").stdout
    assert "| changed | **api** | App | 2 -> 4 | 29.20 | 58.40 | +29.20 |" in md
    assert "| | **total** | | | 137.90 | 165.92 | **+28.02** |" in md
    assert worktrees(repo) == 1


def test_against_an_unknown_revision_is_a_usage_error(repo, cli):
    r = cli("cost", "deploy", "--against", "no-such-rev")
    assert r.exit_code == 2
    assert "no-such-rev" in r.stderr
    assert worktrees(repo) == 1


def test_against_a_revision_without_the_project(repo, cli):
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    # move the project: as of the first commit there is no project at `moved/`
    git(repo, "mv", "deploy", "moved")
    git(repo, "commit", "-q", "-m", "move")
    r = cli("cost", "moved", "--env", "prod", "--against", first, "--format", "json")
    assert r.exit_code == 0, r.output
    prod = json.loads(r.stdout)["environments"]["prod"]
    assert prod["before"] == 0 and {w["status"] for w in prod["workloads"]} == {"added"}
    assert worktrees(repo) == 1


def test_against_cleans_up_when_the_old_specs_fail(repo, cli):
    proj = repo / "deploy"
    (proj / "apps/a.yaml").write_text("kind: App\nname: a\nimage: ghcr.io/acme/a:1.0.0\nreplicas: three\n")
    git(repo, "commit", "-q", "-am", "broken")
    (proj / "apps/a.yaml").write_text("kind: App\nname: a\nimage: ghcr.io/acme/a:1.0.0\nreplicas: 1\n")
    git(repo, "commit", "-q", "-am", "fixed")
    r = cli("cost", "deploy", "--against", "HEAD~1")
    assert r.exit_code == 1
    assert "as of HEAD~1 does not compile" in r.stderr and "SKY104" in r.stderr
    assert worktrees(repo) == 1
