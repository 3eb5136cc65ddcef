"""The built wheel, installed in a fresh virtual environment, finds its schemas, profiles
and stdlib and compiles the example (editable installs are what the rest of the suite uses)."""

import subprocess
import sys
import zipfile

from conftest import EXAMPLES, ROOT


def test_wheel_in_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    wheel = next(dist.glob("skyspec-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "skyspec/_data/schemas/app.json" in names
    assert "skyspec/_data/overlays/prod.yaml" in names
    assert "skyspec/cli.py" in names
    assert "skyspec/ir/k8s-fields.json" in names  # the fields `k8s:` patches are checked against
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = venv / "bin" / "pip"
    r = subprocess.run([str(pip), "install", "-q", "--disable-pip-version-check", str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    r = subprocess.run([str(venv / "bin" / "skyspec"), "build", str(EXAMPLES / "shop"), "--env", "prod", "-o", str(out)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (out / "prod" / "kubernetes" / "api.yaml").is_file()
    # a project with `k8s:` patches: checked against the packaged field table
    r = subprocess.run([str(venv / "bin" / "skyspec"), "check", str(EXAMPLES / "ported" / "podinfo")],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "skyspec", "--version"], capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode == 0 and "skyspec" in r.stdout
    r = subprocess.run([str(venv / "bin" / "python"), "-c", "import skyspec.paths as p; print(p.data_dir('schemas'))"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert "_data" in r.stdout, r.stdout + r.stderr
