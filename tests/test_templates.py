"""`use:` templates: beneath the spec, late-bound parameters, chains and cycles."""

import json

from validators import assert_valid_k8s, load_docs

TEMPLATE = """
description: a Python web service
kind: App
params:
  python: {type: string, description: the Python version of the base image}
  module: {type: string}
spec:
  python: "3.12"
  image: "ghcr.io/acme/python-${self.python}:1.0.0"
  command: [python, -m, "${self.module}"]
  port: 8080
  health: /healthz
  resources: {cpu: 100m, memory: 128Mi}
"""


def test_project_template_with_late_bound_parameters(make_project, cli, tmp_path):
    make_project({
        "templates/python-service.yaml": TEMPLATE,
        "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/python-service.yaml\nmodule: api.main\nreplicas: 2\n",
        "overlays/prod.yaml": "apps:\n  api: {python: '3.13'}\n",
    })
    r = cli("build", "-o", str(tmp_path / "o"), "--env", "prod")
    assert r.exit_code == 0, r.output
    d = [x for x in load_docs(tmp_path / "o" / "prod" / "kubernetes") if x["kind"] == "Deployment"][0]
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert c["image"] == "ghcr.io/acme/python-3.13:1.0.0"   # the overlay's parameter, read late
    assert c["command"] == ["python", "-m", "api.main"] and d["spec"]["replicas"] == 2
    assert_valid_k8s([d])
    r = cli("explain", "api.port", ".", "--env", "prod", "--format", "json")
    chain = json.loads(r.stdout)["chain"]
    assert chain[0]["layer"] == "template:./templates/python-service.yaml" and chain[0]["line"] == 10


def test_unknown_parameter_and_template(make_project, cli):
    make_project({
        "templates/python-service.yaml": TEMPLATE,
        "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/python-service.yaml\nmodul: x\n"
                         "---\nkind: App\nname: b\nimage: x:1\nuse: postgress\n",
    })
    r = cli("check", "--diagnostics-format", "json")
    codes = {(d["code"], d["line"]) for d in json.loads(r.stdout)}
    assert ("SKY102", 4) in codes and ("SKY120", 9) in codes


def test_template_cycle(make_project, cli):
    make_project({
        "templates/a.yaml": "kind: App\nuse: ./templates/b.yaml\nspec: {image: 'x:1'}\n",
        "templates/b.yaml": "kind: App\nuse: ./templates/a.yaml\nspec: {}\n",
        "apps/api.yaml": "kind: App\nname: api\nuse: ./templates/a.yaml\n",
    })
    r = cli("check")
    assert r.exit_code == 1 and "error[SKY122]" in r.stderr and "cycle" in r.stderr


def test_template_outside_the_project(make_project, cli):
    make_project({"apps/api.yaml": "kind: App\nname: api\nuse: ../../etc/x.yaml\n"})
    r = cli("check")
    assert r.exit_code == 1 and "error[SKY017]" in r.stderr and "apps/api.yaml:3:" in r.stderr


def test_findings_on_a_spec_built_on_a_project_template_point_at_the_spec(make_project, cli):
    """Regression (found porting Online Boutique): a spec whose every value comes from its
    template or is merged by a profile has no line of its own, and the finding was printed
    without any position (the profile's line being skyspec's); or, with an overlay entry for
    it, at that overlay line. It is reported at the spec document."""
    make_project({
        "templates/svc.yaml": "kind: App\nspec:\n  image: x/svc:1\n  port: 8080\n",
        "apps/a.yaml": "# the services\nkind: App\nname: a\nuse: ./templates/svc.yaml\n---\n"
                       "kind: App\nname: b\nuse: ./templates/svc.yaml\n",
        "overlays/prod.yaml": "apps:\n  b: {env: {X: '1'}}\n",
    })
    r = cli("check", "--env", "prod", "--diagnostics-format", "json")
    found = {(d["code"], d["message"].split('"')[1]): (d.get("file"), d.get("line"))
             for d in json.loads(r.stdout) if d["code"] in ("SKY402", "SKY405")}
    assert found == {("SKY402", "a"): ("apps/a.yaml", 2), ("SKY405", "a"): ("apps/a.yaml", 2),
                     ("SKY402", "b"): ("apps/a.yaml", 6), ("SKY405", "b"): ("apps/a.yaml", 6)}, found
