"""init, graph, schema and --version: the smaller commands."""

from conftest import EXAMPLES
from validators import assert_valid_k8s, load_docs


def test_init_creates_a_project_that_builds(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("init", "myproj")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "myproj" / "skyspec.yaml").is_file()
    r = cli("build", "myproj", "-o", str(tmp_path / "out"), "--format", "kubernetes")
    assert r.exit_code == 0, r.output
    docs = load_docs(tmp_path / "out" / "prod" / "kubernetes")
    assert_valid_k8s(docs)
    assert cli("init", "myproj").exit_code == 1  # never overwrites
    # the sample would serve: an image that listens where the spec says, as a non-root user
    # on a read-only root (stock nginx listens on 80 and writes /var/cache/nginx)
    assert "SKY410" not in r.output
    web = next(d for d in docs if d["kind"] == "Deployment")
    c = web["spec"]["template"]["spec"]["containers"][0]
    assert c["image"].startswith("nginxinc/nginx-unprivileged:") and c["ports"][0]["containerPort"] == 8080


def test_graph(cli):
    r = cli("graph", str(EXAMPLES / "shop"), "--env", "prod")
    assert r.exit_code == 0
    assert "  web --> api" in r.stdout and "  api --> cache" in r.stdout
    r = cli("graph", str(EXAMPLES / "shop"), "--format", "dot")
    assert '"api" -> "db";' in r.stdout


def test_version_and_schema(cli, tmp_path):
    r = cli("--version")
    assert r.exit_code == 0 and "skyspec" in r.stdout
    r = cli("schema", "-o", str(tmp_path / "s"))
    assert r.exit_code == 0 and (tmp_path / "s" / "app.json").is_file()
