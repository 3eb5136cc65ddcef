"""TOML parity: every YAML spec document of every example, written as TOML, compiles to
byte-identical output (and the same diagnostics positions per key, in its own file)."""

import json
import shutil

import pytest
import yaml

from conftest import EXAMPLES

from skyspec.backends.layout import strip_header


def _key(k: str) -> str:
    return k if k.replace("-", "").replace("_", "").isalnum() else json.dumps(k)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(doc: dict) -> str:
    """Scalars and lists at the top, each map as a [table] (nested maps inline)."""
    lines, tables = [], []
    for k, v in doc.items():
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in tables:
        lines.append("")
        lines.append(f"[{_key(k)}]")
        lines.extend(f"{_key(a)} = {_value(b)}" for a, b in v.items())
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("example", sorted(p.parent.name for p in EXAMPLES.glob("*/skyspec.yaml")))
def test_toml_twins_build_identically(example, tmp_path, cli):
    src = EXAMPLES / example
    yaml_proj, toml_proj = tmp_path / "y", tmp_path / "t"
    shutil.copytree(src, yaml_proj, ignore=shutil.ignore_patterns("out"))
    shutil.copytree(src, toml_proj, ignore=shutil.ignore_patterns("out"))
    converted = 0
    for f in sorted((toml_proj / "apps").rglob("*.yaml")):
        docs = [d for d in yaml.safe_load_all(f.read_text()) if d]
        f.unlink()
        for i, d in enumerate(docs):
            (f.parent / f"{f.stem}-{i}.toml").write_text(to_toml(d))
            converted += 1
    assert converted >= 5
    # no YAML spec is left, and a glob that matches no file is an error: the twin lists TOML only
    pf = toml_proj / "skyspec.yaml"
    text = pf.read_text()
    assert 'specs: ["apps/**/*.yaml", "apps/**/*.toml"]' in text
    pf.write_text(text.replace('specs: ["apps/**/*.yaml", "apps/**/*.toml"]', 'specs: ["apps/**/*.toml"]'))
    ry = cli("build", str(yaml_proj), "-o", str(tmp_path / "oy"))
    rt = cli("build", str(toml_proj), "-o", str(tmp_path / "ot"))
    assert ry.exit_code == 0, ry.output
    assert rt.exit_code == 0, rt.output
    fy = sorted(p.relative_to(tmp_path / "oy") for p in (tmp_path / "oy").rglob("*") if p.is_file())
    ft = sorted(p.relative_to(tmp_path / "ot") for p in (tmp_path / "ot").rglob("*") if p.is_file())
    assert fy == ft
    for rel in fy:
        if rel.name == ".skyspec-manifest.json":
            continue
        y, t = (tmp_path / "oy" / rel).read_bytes(), (tmp_path / "ot" / rel).read_bytes()
        if y != t:   # the header names the spec files (apps/web.yaml, apps/web-0.toml): all else is equal
            y, t = (strip_header(x.decode()) for x in (y, t))
        assert y == t, rel
