"""The variables a Compose file reads from the shell, which no `.env` sets, in what a service
runs: its command, entrypoint, healthcheck and hooks.

Found by a sweep of public Compose files: DocuSeal's caddy runs `caddy reverse-proxy --from
$HOST --to app:3000`, HOST set by the shell at `up` time. The import kept `$HOST` as text in
the command (Kubernetes ran caddy with the domain `$HOST`, the built Compose file wrote
`$$HOST`), where its env values already read such a variable as `${vars.HOST}`, set by the
project file's `vars:`.
"""

from __future__ import annotations

import re

import yaml
from click.testing import CliRunner

from skyspec.cli import main
from skyspec.importer import import_compose

COMPOSE = """\
services:
  proxy:
    image: ghcr.io/acme/proxy:1.0
    command: proxy reverse-proxy --from $HOST --to app:3000
    environment:
      - HOST=${HOST}
  worker:
    image: ghcr.io/acme/worker:1.0
    entrypoint: ["sh", "-c", "echo $$HOST; exec worker --port $${PORT} --name ${NAME:?set it}"]
    healthcheck:
      test: [CMD, wget, -q, "http://localhost:${PORT}/health"]
    post_start:
      - command: notify ${NAME} started
"""
SHELL_VAR = "a variable the shell sets at run time: `${vars.NAME}`, empty until skyspec.yaml's `vars:` sets it " \
            "(Compose runs it empty where the shell has none)"


def _built(tmp_path, files: dict, values: str) -> tuple[dict, dict]:
    """(the built Compose file's services, {Deployment: its container}) of the imported
    project with ``values`` as its `vars:`."""
    for rel, text in files.items():
        (tmp_path / "p" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "p" / rel).write_text(text)
    p = tmp_path / "p" / "skyspec.yaml"
    p.write_text(re.sub(r"^vars: .*$", values, p.read_text(), flags=re.M))
    res = CliRunner().invoke(main, ["build", str(tmp_path / "p"), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    services = yaml.safe_load((tmp_path / "out" / "dev" / "compose.yaml").read_text())["services"]
    pods = {}
    for f in (tmp_path / "out" / "dev" / "kubernetes").glob("*.yaml"):
        for o in yaml.safe_load_all(f.read_text()):
            if o and o["kind"] == "Deployment":
                pods[o["metadata"]["name"]] = o["spec"]["template"]["spec"]["containers"][0]
    return services, pods


def test_a_variable_the_shell_sets_in_a_command_is_the_projects_var(tmp_path):
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    r = import_compose(tmp_path / "compose.yaml", "t")
    assert r is not None and r.unexplained == [], r.unexplained
    proxy, worker = yaml.safe_load(r.files["apps/proxy.yaml"]), yaml.safe_load(r.files["apps/worker.yaml"])
    assert proxy["args"] == ["proxy", "reverse-proxy", "--from", "${vars.HOST}", "--to", "app:3000"]
    # the file's `$$HOST` is the shell's own (text, as written); `$${PORT}` is text in a spec's value
    assert worker["command"] == ["sh", "-c", "echo $HOST; exec worker --port $${PORT} --name ${vars.NAME}"]
    assert worker["health"]["exec"] == ["wget", "-q", "http://localhost:${vars.PORT}/health"]
    assert worker["lifecycle"]["post_start"] == ["notify", "${vars.NAME}", "started"]
    assert yaml.safe_load(r.files["skyspec.yaml"])["vars"] == {"HOST": "", "NAME": "", "PORT": ""}
    assert r.figures["categories"][SHELL_VAR] == 4   # (proxy's command and HOST; worker's entrypoint, healthcheck)
    services, pods = _built(tmp_path, r.files, "vars: {HOST: docs.example.com, NAME: w1, PORT: '8080'}")
    for got in (services["proxy"]["command"], pods["proxy"]["args"]):
        assert got == ["proxy", "reverse-proxy", "--from", "docs.example.com", "--to", "app:3000"]
    assert pods["worker"]["command"][2] == "echo $HOST; exec worker --port ${PORT} --name w1"
    assert services["worker"]["entrypoint"][2] == "echo $$HOST; exec worker --port $${PORT} --name w1"
    assert pods["worker"]["livenessProbe"]["exec"]["command"] == ["wget", "-q", "http://localhost:8080/health"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "wget", "-q", "http://localhost:8080/health"]


def test_a_word_that_looks_like_the_imports_mark_stays_its_text(tmp_path):
    """The import marks a shell variable in a word with a nonce of the run: a Compose file
    writing the control characters of a mark itself (`"\\x01HOST\\x01"`) gets no `${vars.HOST}`
    and no declared variable."""
    (tmp_path / "compose.yaml").write_text('services:\n  a:\n    image: ghcr.io/acme/a:1.0.0\n'
                                           '    command: ["echo", "\\x01HOST\\x01"]\n')
    r = import_compose(tmp_path / "compose.yaml", "p")
    assert r is not None and r.unexplained == []
    assert yaml.safe_load(r.files["apps/a.yaml"])["args"] == ["echo", "\x01HOST\x01"]
    assert "vars" not in yaml.safe_load(r.files["skyspec.yaml"])
