"""`skyspec lsp`: a language server for spec, overlay and project files (pygls).

Diagnostics as you type (the ones `skyspec check` gives, every environment, with the
editor's unsaved texts compiled in place of the files), completion of keys and values from
the schemas, hover showing a field's final value in each environment and the layer and line
that set it (what `skyspec explain` answers), go-to-definition for `connect_to`, Secret and
ConfigMap references, `use:` templates and overlay `apps` entries, and find references of a
spec. :mod:`.server` speaks the protocol; :mod:`.state` compiles; :mod:`.yamlpath`,
:mod:`.schemanav`, :mod:`.complete`, :mod:`.locate`, :mod:`.hover` and :mod:`.navigate`
answer. The package sits above the pipeline and explain and below the commands; pygls is
an optional dependency (`pip install 'skyspec[lsp]'`), imported only by :mod:`.server`.
This file holds no code but :func:`serve`.
"""

from __future__ import annotations


def serve(version: str, allow_python: bool = False) -> None:
    """Run the language server on stdin/stdout, naming itself skyspec ``version`` (the
    commands pass it in: the package root imports the API, which sits above this layer).
    Raises ImportError without pygls."""
    from .server import serve as run

    run(version, allow_python)
