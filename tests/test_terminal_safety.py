"""What skyspec prints is safe to print and points where an editor points.

A pull request chooses file names, map keys and values, and `check` prints them into a CI
log: a line break in one would start a line of its own (GitHub Actions runs a log line that
starts with `::` as a workflow command: `::error file=...::` makes an annotation anywhere),
an escape sequence would drive the terminal, a bidirectional control would reorder what a
reviewer reads. Every text output writes them as escapes. And positions count lines as
editors, grep and GitHub do: YAML 1.1 also ends lines at NEL, LS and PS (U+0085, U+2028,
U+2029), so a reader's marks are moved onto the editor's lines, and a syntax error at the end
of a text without a final line break points at its last line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skyspec.diagnostics import Diagnostic, Pos, Sources, editor_lines, printable, render_text

APP = "kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 8080\nhealth: /healthz\n"
INJECTED = "x\n::error file=README.md,line=1::pwned\u202e\x1b[2J"


@pytest.mark.parametrize("raw, shown", [
    ("plain text: kept", "plain text: kept"),
    ("tab\tstays", "tab\tstays"),
    ("a\nb\rc", "a\\nb\\rc"),
    ("\x1b[31mred\x07", "\\x1b[31mred\\x07"),
    ("\x9b2J \x85", "\\x9b2J \\x85"),
    ("right\u202eleft \u2066x\u2069 \u2028", "right\\u202eleft \\u2066x\\u2069 \\u2028"),
    ("caf\u00e9 \u6587 \U0001f600 \u00a0", "caf\u00e9 \u6587 \U0001f600 \u00a0"),
])
def test_printable(raw, shown):
    assert printable(raw) == shown


def test_a_key_with_a_line_break_cannot_start_a_line_of_the_log(make_project, cli):
    make_project({"apps/api.yaml": APP,
                  "overlays/prod.yaml": f"apps:\n  {json.dumps(INJECTED)}: {{replicas: 2}}\n"})
    r = cli("check")
    assert r.exit_code == 1
    assert 'overlay targets app "x\\n::error file=README.md,line=1::pwned\\u202e\\x1b[2J"' in r.stderr
    assert not any(line.lstrip().startswith("::") for line in r.stderr.splitlines())
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr


def test_a_file_name_with_a_line_break_is_shown_escaped(make_project, cli):
    root = make_project({"apps/api.yaml": APP})
    (root / "apps" / "x\n::error::y.yaml").write_text(APP.replace("api", "web").replace("port: 8080", "port: x"))
    r = cli("check")
    assert "apps/x\\n::error::y.yaml:4:7: error[SKY104]: port must be" in r.stderr
    assert not any(line.lstrip().startswith("::") for line in r.stderr.splitlines())


def test_explain_and_diff_print_file_names_escaped(make_project, cli):
    root = make_project({"apps/api.yaml": APP})
    (root / "overlays" / "prod.yaml").unlink()
    (root / "overlays" / "p\n::warning::z.yaml").write_text("apps:\n  api: {replicas: 4}\n")
    text = (root / "skyspec.yaml").read_text().replace("overlays/prod.yaml", "'overlays/p\\n::warning::z.yaml'")
    (root / "skyspec.yaml").write_text(text.replace("'overlays/p\\n", '"overlays/p\\n').replace("z.yaml'", 'z.yaml"'))
    for args in (("explain", "api.replicas", "--env", "prod"), ("diff", "--env", "dev", "--env", "prod")):
        r = cli(*args)
        assert r.exit_code in (0, 1) and not r.stderr.strip(), r.stderr  # (diff: 1 when they differ)
        assert "overlays/p\\n::warning::z.yaml:2:19" in r.stdout, r.stdout
        assert not any(line.lstrip().startswith("::") for line in r.stdout.splitlines())


def test_the_code_frame_escapes_its_line_and_moves_the_caret_past_the_escapes(tmp_path):
    f = tmp_path / "a.py"
    line = 'x = "\x1b[2J"; replicas("three")'
    f.write_text(line + "\n", encoding="utf-8")
    col = line.index('"three"') + 1
    d = Diagnostic("SKY104", "replicas must be an integer", Pos(str(f), 1, col, col + 7))
    out = render_text([d], Sources())
    frame = out.splitlines()[1:3]
    assert frame[0] == ' 1 | x = "\\x1b[2J"; replicas("three")'
    assert frame[1].index("^") == frame[0].index('"three"')


def test_positions_count_the_lines_an_editor_shows(make_project, cli):
    # text pasted from a web page with a line separator (U+2028) in it: one line to an editor,
    # two to YAML 1.1
    make_project({"apps/api.yaml": 'kind: App\nname: api\nannotations: {note: "sized\u2028by hand"}\n'
                                   "image: ghcr.io/acme/api:1.0.0\nreplicas: three\nport: 8080\n"})
    r = cli("check", "--diagnostics-format", "json")
    (d,) = [d for d in json.loads(r.stdout) if d["code"] == "SKY104"]
    assert (d["line"], d["column"]) == (5, 11)
    r = cli("check")
    assert "apps/api.yaml:5:11: error[SKY104]" in r.stderr and " 5 | replicas: three" in r.stderr


def test_a_break_only_yaml_counts_inside_a_value_moves_its_column(make_project, cli):
    make_project({"apps/api.yaml": 'kind: App\nname: api\nimage: ghcr.io/acme/api:1.0.0\nport: 8080\n'
                                   'env: {A: "x\u2028y", B: 1, C: [1]}\n'})
    r = cli("check", "--diagnostics-format", "json")
    (d,) = [d for d in json.loads(r.stdout) if d["code"] == "SKY104"]
    line = editor_lines(Path("apps/api.yaml").read_text(encoding="utf-8"))[d["line"] - 1]
    assert d["line"] == 5 and line[d["column"] - 1:].startswith("[1]")


def test_a_syntax_error_at_the_end_of_a_text_points_at_its_last_line(make_project, cli):
    make_project({"apps/api.yaml": APP + "command: [a, b\n  t"})
    r = cli("check", "--diagnostics-format", "json")
    (d,) = json.loads(r.stdout)
    lines = editor_lines(Path("apps/api.yaml").read_text(encoding="utf-8"))
    assert d["code"] == "SKY001" and d["line"] == len(lines) and d["column"] <= len(lines[-1]) + 1


def test_editor_lines():
    assert editor_lines("a\r\nb\rc\nd\x0ce\u2028f\x85g") == ["a", "b", "c", "d\x0ce\u2028f\x85g"]
