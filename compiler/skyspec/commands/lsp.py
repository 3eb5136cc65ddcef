"""`skyspec lsp`: run the language server on stdin and stdout, for an editor to start.

The server (:mod:`skyspec.lsp`) needs pygls, an optional dependency: without it the command
says how to install it and exits 1. This module only starts the server."""

from __future__ import annotations

import sys

import click

from ._common import allow_python_option


@click.command()
@click.option("--stdio", is_flag=True, help="Talk the protocol on stdin/stdout (the default and only transport).")
@allow_python_option
def lsp(stdio: bool, allow_python: bool) -> None:
    """Run the skyspec language server (diagnostics, completion, hover, definitions)."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        click.echo("skyspec: the language server needs pygls: pip install 'skyspec[lsp]'", err=True)
        sys.exit(1)
    from .. import __version__
    from ..lsp import serve

    serve(__version__, allow_python)
