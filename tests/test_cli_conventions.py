"""The command line's conventions: colour (a terminal, NO_COLOR, --color), -q/-v, --strict,
usage errors exit 2 in every command, SARIF helpUri at each code's anchor, the shell
completion script, the progress line of a long build, and the README's exit-code table."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHOP = str(ROOT / "examples" / "shop")
APP = """
kind: App
name: api
image: ghcr.io/acme/api:1.0.0
port: 8080
"""
ESC = "\x1b["


@pytest.fixture
def tty(monkeypatch):
    """stdout and stderr taken for a terminal."""
    from skyspec.commands import _common

    monkeypatch.setattr(_common, "_isatty", lambda name: True)
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_no_colour_when_piped(cli, make_project, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    make_project({"apps/api.yaml": APP + "replicas: x\n"})
    r = cli("check")
    assert r.exit_code == 1 and "error[SKY104]" in r.stderr and ESC not in r.stderr


def test_colour_on_a_terminal(cli, make_project, tty):
    make_project({"apps/api.yaml": APP + "replicas: x\n"})
    r = cli("check")
    assert r.exit_code == 1
    # location and code bold, the severity red
    assert "\x1b[1mapps/api.yaml:5:11:\x1b[0m \x1b[1;31merror\x1b[0m\x1b[1m[SKY104]\x1b[0m: " in r.stderr


def test_warnings_yellow_and_no_colour_setting(cli, tty, monkeypatch):
    r = cli("check", SHOP)
    assert "\x1b[1;33mwarning\x1b[0m\x1b[1m[SKY405]" in r.stderr
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in cli("check", SHOP).stderr
    assert ESC not in cli("check", SHOP, "--color", "never").stderr
    # --color always wins over NO_COLOR; the group's flag works as well as the command's
    assert "\x1b[1;33mwarning" in cli("--color", "always", "check", SHOP).stderr


def test_color_always_when_piped(cli):
    assert "\x1b[1;33mwarning" in cli("check", SHOP, "--color", "always").stderr


def test_colour_never_splits_a_secret(cli, make_project):
    make_project({"apps/api.yaml": APP + "replicas: x\nenv: {PASSWORD: hunter2-very-secret}\n"})
    r = cli("check", "--color", "always")
    assert "hunter2-very-secret" not in r.output


def test_quiet_shows_errors_only(cli, make_project):
    r = cli("check", SHOP, "-q")
    assert r.exit_code == 0 and r.stderr == "" and r.stdout == ""
    assert cli("-q", "check", SHOP).stderr == ""
    make_project({"apps/api.yaml": APP + "replicas: x\n"})
    r = cli("check", "-q")
    assert r.exit_code == 1 and "error[SKY104]" in r.stderr and "skyspec: 1 error" in r.stderr


def test_verbose_lists_the_relaxed_defaults(cli, tmp_path):
    out = tmp_path / "out"
    plain = cli("build", SHOP, "-o", str(out))
    assert plain.exit_code == 0, plain.output
    assert "relaxed defaults:" not in plain.stdout and "3 defaults relaxed (-v lists them)" in plain.stdout
    v = cli("build", SHOP, "-o", str(out), "-v")
    assert "skyspec: relaxed defaults:" in v.stdout
    assert "db runs as a chosen UID (run_as_user: 999," in v.stdout
    assert cli("build", SHOP, "-o", str(out), "-q").stdout == ""


def test_strict_check_fails_on_warnings(cli):
    assert cli("check", SHOP).exit_code == 0
    r = cli("check", SHOP, "--strict")
    assert r.exit_code == 1 and "warning[SKY405]" in r.stderr
    assert "warning[SKY501]" in r.stderr   # the Compose backend's, as `build` reports it
    assert "skyspec: --strict: 2 warnings fail the run" in r.stderr
    assert cli("check", SHOP, "--strict", "--diagnostics-format", "json").exit_code == 1


def test_strict_build_fails_on_warnings_and_writes_nothing(cli, tmp_path):
    out = tmp_path / "out"
    r = cli("build", SHOP, "-o", str(out), "--strict")
    assert r.exit_code == 1 and "--strict: 2 warnings fail the run" in r.stderr
    assert not out.exists()
    assert cli("build", SHOP, "-o", str(out), "--strict", "--format", "kubernetes", "--env", "dev").exit_code == 0


USAGE = [
    ["nonsense"],
    ["build", "--no-such-option"], ["build", "/no/such/path"], ["build", SHOP, "--env", "nope"],
    ["build", SHOP, "--env", "prod.nope"], ["build", SHOP, "--format", "nope"],
    ["check", "/no/such/path"], ["check", SHOP, "--env", "nope"], ["check", SHOP, "--color", "purple"],
    ["explain", "api.replicas", SHOP], ["explain", "api.replicas", SHOP, "--env", "nope"],
    ["explain", "api.replicas", SHOP, "--env", "prod.nope"], ["explain", "api.replicas", SHOP, "--env", "dev.eu-west"],
    ["diff", SHOP, "--env", "prod"], ["diff", SHOP, "--env", "nope", "--env", "prod"],
    ["diff", SHOP, "--env", "prod", "--env", "dev.eu-west"],
    ["cost", SHOP, "--env", "nope"], ["cost", SHOP, "--env", "dev.eu-west"], ["cost", "/no/such/path"],
    ["graph", SHOP, "--env", "nope"], ["graph", SHOP, "--env", "prod.nope"], ["graph", SHOP, "--env", "dev.eu-west"],
    ["graph", "/no/such/path"], ["check", SHOP, "--env", "dev.eu-west"], ["build", SHOP, "--env", "dev.eu-west"],
    ["manifests", SHOP, "--env", "dev.eu-west"],
    ["manifests", SHOP], ["manifests", SHOP, "--env", "nope"], ["manifests", SHOP, "--env", "prod.nope"],
    ["schema", "--no-such-option"], ["init", "--no-such-option"], ["lsp", "--no-such-option"],
    ["fmt", "/no/such/path"],
    ["import"], ["import", "kubernetes"], ["import", "kubernetes", "/no/such/path"],
    ["import", "compose", "/no/such/file.yaml"], ["import", "helm"],
    ["verify", "--no-such-option"], ["verify", "/no/such/path"],
]


@pytest.mark.parametrize("args", USAGE, ids=lambda a: " ".join(a).replace(SHOP, "SHOP"))
def test_usage_errors_exit_2(cli, args):
    r = cli(*args)
    assert r.exit_code == 2, r.output


def test_every_command_is_covered_by_the_usage_test():
    from skyspec.cli import main

    assert set(main.commands) <= {a[0] for a in USAGE}


def test_sarif_rules_carry_help_uri_at_the_code_anchor(cli, make_project):
    from skyspec.codes import REPOSITORY

    make_project({"apps/api.yaml": APP + "replicas: x\n"})
    sarif = json.loads(cli("check", "--diagnostics-format", "sarif").stdout)
    run = sarif["runs"][0]
    res = [x for x in run["results"] if x["ruleId"] == "SKY104"][0]
    rule = run["tool"]["driver"]["rules"][res["ruleIndex"]]
    assert rule["id"] == "SKY104"
    assert rule["helpUri"] == f"{REPOSITORY}/blob/main/docs/diagnostics.md#sky104"
    doc = (ROOT / "docs" / "diagnostics.md").read_text()
    assert '<a id="sky104"></a>`SKY104`' in doc
    assert all(f'<a id="{r["helpUri"].rpartition("#")[2]}"></a>' in doc for r in run["tool"]["driver"]["rules"])


def test_the_repository_url_is_pyprojects():
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    from skyspec.codes import REPOSITORY

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["urls"]["Repository"] == REPOSITORY


@pytest.mark.parametrize("shell,marker", [("bash", "complete -o nosort -F"), ("zsh", "#compdef skyspec"),
                                          ("fish", "complete --no-files --command skyspec")])
def test_shell_completion_script(shell, marker):
    from skyspec.cli import main

    r = CliRunner().invoke(main, [], prog_name="skyspec", env={"_SKYSPEC_COMPLETE": f"{shell}_source"})
    assert r.exit_code == 0
    assert marker in r.output and "_SKYSPEC_COMPLETE" in r.output


def test_shell_completion_completes_commands():
    from skyspec.cli import main

    r = CliRunner().invoke(main, [], prog_name="skyspec",
                           env={"_SKYSPEC_COMPLETE": "bash_complete", "COMP_WORDS": "skyspec bu", "COMP_CWORD": "1"})
    assert "plain,build" in r.output


def test_progress_line_on_a_terminal_for_a_long_build(cli, tmp_path, tty, monkeypatch):
    from skyspec.commands import _common

    monkeypatch.setattr(_common.Progress, "DELAY", 0.0)   # "longer than a second", made immediate
    monkeypatch.setattr(_common.Progress, "EVERY", 0.01)
    r = cli("build", SHOP, "-o", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert re.search(r"\r\x1b\[Kskyspec: (compiling|rendering [a-z, ]+) \(\d+\.\ds\)", r.stderr), r.stderr
    assert r.stderr.endswith("\r\x1b[K") or "\r\x1b[K" in r.stderr  # erased at the end
    assert "skyspec: built shop" in r.stdout  # stdout untouched


def test_no_progress_line_when_quick_piped_or_quiet(cli, tmp_path, tty, monkeypatch):
    from skyspec.commands import _common

    r = cli("build", SHOP, "-o", str(tmp_path / "a"))        # a terminal, but under a second
    assert "skyspec: compiling" not in r.stderr
    monkeypatch.setattr(_common.Progress, "DELAY", 0.0)
    assert "skyspec: compiling" not in cli("build", SHOP, "-o", str(tmp_path / "b"), "-q").stderr
    monkeypatch.setattr(_common, "_isatty", lambda name: False)
    assert "skyspec: compiling" not in cli("build", SHOP, "-o", str(tmp_path / "c")).stderr
    monkeypatch.setenv("SKYSPEC_PROGRESS", "1")              # forced, e.g. in a CI log
    assert "skyspec: compiling" in cli("build", SHOP, "-o", str(tmp_path / "d")).stderr


def test_readme_exit_code_table():
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### Exit codes"):]
    rows = re.findall(r"^\| `(\d)` \| (.+?) \|$", section, re.M)
    assert [code for code, _ in rows[:4]] == ["0", "1", "2", "3"]
    meanings = dict(rows[:4])
    assert "warnings" in meanings["0"] and "--strict" in meanings["1"] and "usage" in meanings["2"]
    assert "internal" in meanings["3"]


# The shop's target eu-west is bound to prod and selects its Apps and StatefulApps only (not the
# CronJob nightly-report); its overlay sets `region: eu-west` on everything.
TARGET_RUNS = [
    (["build", SHOP, "--env", "prod.eu-west", "--format", "kubernetes"], 0, None),
    (["check", SHOP, "--env", "prod.eu-west"], 0, None),
    (["manifests", SHOP, "--env", "prod.eu-west"], 0, "region: eu-west"),
    (["explain", "web.expose.host", SHOP, "--env", "prod.eu-west"], 0, 'web.expose.host = "eu.shop.example.com"'),
    (["diff", SHOP, "--env", "prod", "--env", "prod.eu-west"], 1, "prod.eu-west"),
    (["cost", SHOP, "--env", "prod.eu-west", "--format", "json"], 0, "prod.eu-west"),
    (["graph", SHOP, "--env", "prod.eu-west"], 0, 'web["web (App)"]'),
]


@pytest.mark.parametrize("args,code,shows", TARGET_RUNS, ids=lambda a: a[0] if isinstance(a, list) else None)
def test_every_env_option_takes_a_target(cli, tmp_path, args, code, shows):
    """The README: "wherever `--env` takes an environment it also takes one of its targets"."""
    if args[0] == "build":
        args = [*args, "-o", str(tmp_path / "out")]
    r = cli(*args)
    assert r.exit_code == code, r.output
    if shows:
        assert shows in r.stdout, r.stdout
    if args[0] == "graph":  # the target's workloads, not the environment's
        assert "nightly" not in r.stdout and "nightly" in cli("graph", SHOP, "--env", "prod").stdout
    if args[0] == "build":
        assert (tmp_path / "out" / "prod.eu-west" / "kubernetes").is_dir()


@pytest.mark.parametrize("args", [a for a, _, _ in TARGET_RUNS], ids=lambda a: a[0])
def test_a_target_of_another_environment_is_a_usage_error(cli, tmp_path, args):
    """`dev.eu-west`: eu-west is prod's target, not dev's (exit 2, SKY013, for every command)."""
    args = [("dev.eu-west" if a == "prod.eu-west" else a) for a in args]
    if args[0] == "build":
        args = [*args, "-o", str(tmp_path / "out")]
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert 'error[SKY013]: environment "dev" has no target "eu-west"' in r.stderr
    assert not (tmp_path / "out").exists()


# every command that compiles a project, on one with a type error: 1, "problems in the input"
# (diff: 2, since its 1 means "they differ")
PROBLEMS = [
    (["build", "-o", "OUT"], 1), (["build", "--check", "-o", "OUT"], 1), (["check"], 1), (["manifests", "--env", "dev"], 1),
    (["explain", "api.port", "--env", "dev"], 1), (["diff", "--env", "dev", "--env", "prod"], 2),
    (["diff", "--env", "dev", "--env", "prod", "--objects"], 2), (["cost"], 1), (["graph"], 1),
]


@pytest.mark.parametrize("args,code", PROBLEMS, ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_exit_codes_follow_the_readme_table(cli, make_project, tmp_path, args, code):
    """0 on a valid project, 1 (or the command's documented code) on one with an error; the
    README's command table says the same for each."""
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    root = make_project({"apps/api.yaml": APP + "health: /healthz\n"})
    # `build --check` with nothing built yet: not current; diff: dev and prod differ (profiles)
    ok = 1 if args[:2] == ["build", "--check"] or args[0] == "diff" else 0
    assert cli(*args).exit_code == ok
    (root / "apps/api.yaml").write_text(APP.lstrip() + "replicas: x\n")
    r = cli(*args)
    assert r.exit_code == code, r.output
    assert "apps/api.yaml:5:11: error[SKY104]" in r.stderr
    table = (ROOT / "README.md").read_text().split("## Commands", 1)[1].split("### Exit codes", 1)[0]
    row = next(ln for ln in table.splitlines() if ln.startswith(f"| `skyspec {args[0]} "))
    assert f"{code} " in row.rpartition("|")[0].rpartition("|")[2] or (code == 1 and "/ 1" in row), row


def test_a_target_named_alone_is_shown_with_its_environment(cli):
    r = cli("check", SHOP, "--env", "eu-west")
    assert r.exit_code == 2
    assert 'error[SKY013]: unknown environment "eu-west"' in r.stderr
    assert "help: a target is named with its environment: prod.eu-west" in r.stderr
