"""`skyspec --help` imports no command module (the commands are registered lazily), and the
table it lists them from says what the commands themselves say; every command module is in it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import click
import pytest

from conftest import ROOT


def test_the_lazy_table_lists_every_command_module_with_its_own_help():
    from skyspec import commands
    from skyspec.cli import LAZY, main

    modules = {i.name for i in pkgutil.iter_modules(commands.__path__) if not i.name.startswith("_")}
    assert {m for m, _ in LAZY.values()} == modules
    ctx = click.Context(main)
    for name, (module, text) in LAZY.items():
        cmd = main.get_command(ctx, name)
        assert cmd is not None and cmd.name == name and cmd.callback.__module__ == f"skyspec.commands.{module}"
        for limit in (30, 45, 60, 200):
            assert click.Command(name, help=text).get_short_help_str(limit) == cmd.get_short_help_str(limit), name


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_help_imports_no_command_and_nothing_of_the_pipeline(argv):
    env = {"PYTHONPATH": str(ROOT / "compiler"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "skyspec", *argv], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0
    mods = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "skyspec.cli" in mods
    heavy = {m for m in mods if m.startswith(("skyspec.commands.", "skyspec.pipeline", "skyspec.diagnostics",
                                             "yaml", "jsonschema", "fastjsonschema", "subprocess"))}
    assert heavy <= {"skyspec.commands._common"}, heavy
    if argv == ["--help"]:
        assert "lsp " in r.stdout and "import " in r.stdout
