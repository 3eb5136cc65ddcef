"""The editor property: a fuzz case opened in the language server's workspace, as an editor
holds it while the user types.

Every file of the case is open (its text in the :class:`~skyspec.lsp.state.Workspace`), one
of them, on most cases, cut at a random place (a half-typed line, a document not yet a map).
The project is compiled with those texts, then at random places of every open file the
features are asked as the server asks them (:mod:`skyspec.lsp.server`): completion, hover,
definition, references. The property:

- nothing raises: the server survives a feature's exception (it logs it by type and place),
  but the user loses the answer, and a compile that raises loses every diagnostic;
- no secret's value ("hunter2", the plaintext the generator gives a Secret's `data:` and a raw
  Secret manifest) is in a hover, a completion or a published diagnostic;
- each place a definition or a reference answers is a line of a file that exists;
- every diagnostic of the compilation converts to the protocol's as the server publishes it
  (:meth:`~skyspec.lsp.server.SkyspecServer.diagnostic`, UTF-16 columns), its range on one line,
  from its start to its end.

It calls the features' modules as the server does, without a client; it must not change what
they do.
"""

from __future__ import annotations

import inspect
import os
import random
from pathlib import Path

from .fields import SECRET_VALUE as SECRET
from .project import Case

PLACES = 16   # places asked per open file


def editor_case(case: Case, proj: Path, seed: int, res) -> None:
    """Open ``case`` (written under ``proj``; the working folder is its parent) and ask every
    feature at random places; a feature that raises is ``res``'s crash, any other broken rule
    one of its problems."""
    from skyspec.lsp import complete, hover, locate, navigate
    from skyspec.lsp.state import Workspace, real

    rng = random.Random(seed)
    ws = Workspace()
    texts: dict[str, str] = {}
    rels = sorted(r for r, body in case.files.items() if isinstance(body, str) and (proj / r).is_file())
    cut = rng.choice(rels) if rels and rng.random() < 0.8 else None
    for rel in rels:
        body = case.files[rel]
        assert isinstance(body, str)
        if rel == cut:
            body = body[:rng.randint(0, len(body))]
        path = real(proj / rel)
        texts[path] = body
        ws.set_text(path, Path(path).as_uri(), body)

    def ask(what: str, fn):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - what the property looks for
            from .harness import crash_site

            if res.crash is None:
                import traceback

                res.crash, res.site = exc, f"editor {what}: {crash_site(exc)}"
                res.trace = f"(file {cut!r} cut)\n" + "".join(traceback.format_exception(exc))
            return None

    def lines_of(file: str) -> int | None:
        text = texts.get(file)
        if text is None:
            try:
                text = Path(file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
        return text.count("\n") + 1

    server = _server()
    server.ws = ws
    for path, text in texts.items():
        comp = ask("compile", lambda: ws.for_file(path))
        if comp is None:
            continue
        for d in comp.diagnostics:
            file = real(d.pos.file) if d.pos else comp.project_file
            got = ask("publish", lambda: server.diagnostic(d, comp, file))
            if got is None:
                break
            r = got.range
            if r.start.line != r.end.line or not 0 <= r.start.character <= r.end.character:
                res.problems.append(f"editor: {d.code} is published on the range {r}")
            if SECRET in got.message:
                res.problems.append(f"editor: {d.code} is published with a secret's value")
        if os.path.basename(path) in ("skyspec.yaml", "skyspec.toml") and path == comp.project_file:
            role = "project"
        else:
            role = "overlay" if comp.is_overlay(path) else "spec"
        lines = text.split("\n")
        for _ in range(PLACES):
            line = rng.randrange(len(lines))
            col = rng.randint(0, len(lines[line]))
            if not path.endswith((".toml", ".py")):
                got = ask("completion", lambda: complete.complete(text, line, col, role, comp))
                if got and any(SECRET in f"{i.label} {i.insert} {i.detail} {i.doc}" for i in got[1]):
                    res.problems.append(f"editor: a completion in {os.path.basename(path)} shows a secret's value")
            hit = ask("locate", lambda: locate.hit(ws.parsed(path, comp), line, col))
            if hit is None:
                continue
            if role in ("spec", "overlay"):
                md = ask("hover", lambda: hover.hover(comp, hit, role, lambda f, n: (f"{f}:{n}", None)))
                if md and SECRET in md:
                    res.problems.append(f"editor: a hover in {os.path.basename(path)} shows a secret's value")
            spans = (ask("definition", lambda: navigate.definition(comp, hit, role)) or []) + \
                (ask("references", lambda: navigate.references(comp, hit, role, rng.random() < 0.5)) or [])
            for sp in spans:
                n = lines_of(sp.file)
                if n is None or not 0 <= sp.line < n:
                    res.problems.append(f"editor: {os.path.basename(path)} answered a place that is not in a file: "
                                        f"{os.path.basename(sp.file)}:{sp.line + 1}")
        if res.crash is not None:
            return


_SERVER = None


def _server():
    """The language server, initialized as a client asking for UTF-16 columns (the protocol's
    default) would initialize it, never started: its conversions are what is called."""
    global _SERVER
    if _SERVER is None:
        from lsprotocol import types as t

        from skyspec.lsp.server import build

        _SERVER = build("fuzz")
        steps = _SERVER.protocol.lsp_initialize(t.InitializeParams(capabilities=t.ClientCapabilities(
            general=t.GeneralClientCapabilities(position_encodings=[t.PositionEncodingKind.Utf16]))))
        if inspect.isgenerator(steps):  # (pygls 2 answers `initialize` as a generator)
            for _ in steps:
                pass
    return _SERVER
