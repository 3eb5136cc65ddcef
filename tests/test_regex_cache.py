"""The on-disk cache of PyYAML's costly pattern (skyspec.frontend.recache) is used, observably:
a second process takes the pattern from it and compiles nothing, and what it takes is the very
pattern `re` compiles (same flags, pattern and code); a damaged entry is rejected and
replaced, and an unwritable cache only costs the compilation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT
from skyspec.frontend.recache import YAML_NON_PRINTABLE

# run in a fresh process: import the YAML frontend (which seeds the pattern, then imports yaml)
# and report whether yaml's reader holds a pattern equal to the one `re` compiles itself
PROBE = """
import re
import skyspec.frontend.yamlsrc
import yaml.reader
from skyspec.frontend.recache import YAML_NON_PRINTABLE
p = yaml.reader.Reader.NON_PRINTABLE
fresh = re._compiler.compile(YAML_NON_PRINTABLE, 0)
texts = ["plain", "tab\\there", "nul\\x00", "bell\\x07", "\\ufeff", "\\ud800", "\\U0001F600", "\\x85\\xa0"]
same = p == fresh and all(bool(p.search(t)) == bool(fresh.search(t)) for t in texts)
print("same" if same else "DIFFERENT")
"""


def _run(cache: Path) -> tuple[list[str], str]:
    env = {"PYTHONPATH": str(ROOT / "compiler"), "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(cache),
           "SKYSPEC_DEBUG_CACHE": "1"}
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    events = [line.split()[2] for line in r.stderr.splitlines() if line.startswith("regex cache:")]
    return events, r.stdout.strip()


def test_the_seeded_pattern_is_pyyamls():
    # a PyYAML that changed its pattern makes the seed useless (never wrong): this says so
    assert yaml.reader.Reader.NON_PRINTABLE.pattern == YAML_NON_PRINTABLE


def test_a_second_process_takes_the_compiled_pattern_from_the_cache(tmp_path):
    assert _run(tmp_path) == (["miss", "stored"], "same")
    assert _run(tmp_path) == (["hit"], "same")
    assert len(list((tmp_path / "skyspec" / "regex").iterdir())) == 1


def test_a_damaged_entry_is_rejected_and_replaced(tmp_path):
    _run(tmp_path)
    entry, = (tmp_path / "skyspec" / "regex").iterdir()
    blob = bytearray(entry.read_bytes())
    blob[-5] ^= 0x01  # one bit of the code
    entry.write_bytes(bytes(blob))
    assert _run(tmp_path) == (["rejected", "stored"], "same")
    assert _run(tmp_path) == (["hit"], "same")
    entry.write_bytes(entry.read_bytes()[:40])  # truncated
    assert _run(tmp_path) == (["rejected", "stored"], "same")


def test_an_unwritable_cache_only_costs_the_compilation(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert _run(blocker) == (["miss"], "same")
    assert _run(blocker) == (["miss"], "same")
