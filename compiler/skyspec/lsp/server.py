"""The protocol side of `skyspec lsp`: a pygls server wiring editor requests to the features.

Opening or changing a document records its text in the :class:`~.state.Workspace` and, a
moment after the last keystroke, recompiles its project with the open texts in place and
publishes `check`'s diagnostics for every file of the project (clearing files that became
clean). Completion, hover, definition and references read the latest compilation (redone
first when a text changed since). Positions are converted between the compiler's character
columns and the client's position encoding here, and nowhere else. Nothing is written to
disk; the protocol owns stdout, so anything else printed (a Python spec's `print`) goes to
stderr; an exception in a feature is logged to the client by its type, never its message,
and never stops the server.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path
from typing import Callable

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..diagnostics import Diagnostic
from ..paths import shown_path
from ..project import PROJECT_FILES
from . import complete as completion
from . import hover as hovering
from . import locate, navigate
from .state import Compilation, Workspace, real

DEBOUNCE = 0.25   # seconds after the last change before the project is compiled again
_SEVERITY = {"error": t.DiagnosticSeverity.Error, "warning": t.DiagnosticSeverity.Warning,
             "note": t.DiagnosticSeverity.Information}
_KINDS = {"key": t.CompletionItemKind.Property, "value": t.CompletionItemKind.EnumMember,
          "name": t.CompletionItemKind.Reference}


class SkyspecServer(LanguageServer):
    def __init__(self, version: str, allow_python: bool = False):
        super().__init__("skyspec", version)
        self.ws = Workspace(allow_python)
        self._timers: dict[str, asyncio.TimerHandle] = {}

    # ------------------------------------------------------------------ positions
    def _line(self, path: str, comp: Compilation | None, shown: str | None, line0: int) -> str:
        text = self.ws.texts.get(path)
        if text is not None:
            lines = text.split("\n")
            return lines[line0] if 0 <= line0 < len(lines) else ""
        if comp is not None:
            return comp.session.sources.line(shown or shown_path(Path(path)), line0 + 1) or ""
        return ""

    def _units(self, text: str, col: int) -> int:
        return self.workspace.position_codec.client_num_units(text[:col])

    def _range(self, sp: locate.Span, comp: Compilation | None = None, shown: str | None = None) -> t.Range:
        text = self._line(sp.file, comp, shown, sp.line)
        return t.Range(start=t.Position(line=sp.line, character=self._units(text, sp.start)),
                       end=t.Position(line=sp.line, character=self._units(text, sp.end)))

    def uri(self, path: str) -> str:
        """The URI of a real path: the one the editor opened it by, if it did."""
        return self.ws.uris.get(path) or from_fs_path(path) or path

    def location(self, sp: locate.Span, comp: Compilation | None = None) -> t.Location:
        return t.Location(uri=self.uri(sp.file), range=self._range(sp, comp))

    def cursor(self, params) -> tuple[str, int, int, str]:
        """(real path, 0-based line, character column, text) of a request's document position;
        the path is "" for a document that is not a file (`untitled:`)."""
        doc = self.workspace.get_text_document(params.text_document.uri)
        pos = doc.position_from_client_units(params.position)
        return (real(doc.path) if doc.path else ""), pos.line, pos.character, doc.source

    def role(self, path: str, comp: Compilation) -> str:
        if os.path.basename(path) in PROJECT_FILES and path == comp.project_file:
            return "project"
        return "overlay" if comp.is_overlay(path) else "spec"

    # ------------------------------------------------------------------ diagnostics
    def schedule(self, project_file: str | None, delay: float = DEBOUNCE) -> None:
        if project_file is None:
            return
        old = self._timers.pop(project_file, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._timers[project_file] = loop.call_later(delay, self.publish, project_file)

    def publish(self, project_file: str) -> None:
        self._timers.pop(project_file, None)
        comp = self.guard("compile", lambda: self.ws.compilation(project_file))
        if comp is None:
            return
        by_file: dict[str, list[t.Diagnostic]] = {}
        for d in comp.diagnostics:
            file = real(d.pos.file) if d.pos else project_file
            by_file.setdefault(file, []).append(self.diagnostic(d, comp, file))
        before = self.ws.published.get(project_file, set())
        for file in sorted(before - set(by_file)):
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=self.uri(file), diagnostics=[]))
        for file, items in sorted(by_file.items()):
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=self.uri(file), diagnostics=items))
        self.ws.published[project_file] = set(by_file)

    def diagnostic(self, d: Diagnostic, comp: Compilation, file: str) -> t.Diagnostic:
        d = d.redacted()
        message = d.message
        if d.hint:
            message += f"\nhint: {d.hint}"
        for note in d.notes:
            message += f"\nnote: {note}"
        if d.pos is None:
            rng = t.Range(start=t.Position(line=0, character=0), end=t.Position(line=0, character=0))
        else:
            text = self._line(file, comp, d.pos.file, d.pos.line - 1)
            word = re.match(r"\S*", text[d.pos.col - 1:])
            sp = locate.span(d.pos, len(word.group(0)) if word else 1)
            rng = self._range(locate.Span(file, sp.line, sp.start, sp.end), comp, d.pos.file)
        return t.Diagnostic(range=rng, message=message, severity=_SEVERITY.get(d.severity), code=d.code, source="skyspec")

    def guard(self, what: str, fn: Callable):
        """``fn()``, or None when it raised: logged by the exception's type and place only
        (a message may quote a value of the specs)."""
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - the server outlives a bug in one request
            tb = exc.__traceback__
            where = ""
            while tb is not None:
                where = f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
                tb = tb.tb_next
            self.window_log_message(t.LogMessageParams(
                type=t.MessageType.Error, message=f"skyspec: internal error in {what}: {type(exc).__name__} at {where}"))
            if os.environ.get("SKYSPEC_DEBUG") == "1":
                import traceback

                traceback.print_exc()
            return None


def build(version: str, allow_python: bool = False) -> SkyspecServer:
    server = SkyspecServer(version, allow_python)

    def changed(ls: SkyspecServer, uri: str, delay: float) -> None:
        doc = ls.workspace.get_text_document(uri)
        if doc.path:  # a file: an `untitled:` buffer belongs to no project
            ls.schedule(ls.ws.set_text(doc.path, uri, doc.source), delay)

    @server.feature(t.INITIALIZED)
    def initialized(ls: SkyspecServer, params: t.InitializedParams):
        """Ask to hear of files changed on disk (a checkout, a file saved by another tool),
        when the client can register watchers."""
        caps = ls.client_capabilities.workspace
        watch = caps.did_change_watched_files if caps is not None else None
        if watch is not None and watch.dynamic_registration:
            watchers = [t.FileSystemWatcher(glob_pattern=g) for g in ("**/*.yaml", "**/*.yml", "**/*.toml", "**/*.py")]
            ls.client_register_capability(t.RegistrationParams(registrations=[t.Registration(
                id="skyspec-files", method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=t.DidChangeWatchedFilesRegistrationOptions(watchers=watchers))]))

    @server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: SkyspecServer, params: t.DidChangeWatchedFilesParams):
        ls.ws.touch_all()
        for pf in dict.fromkeys(ls.ws.project_of(real(p)) for c in params.changes if (p := to_fs_path(c.uri))):
            ls.schedule(pf)

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SkyspecServer, params: t.DidOpenTextDocumentParams):
        changed(ls, params.text_document.uri, 0)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SkyspecServer, params: t.DidChangeTextDocumentParams):
        changed(ls, params.text_document.uri, DEBOUNCE)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SkyspecServer, params: t.DidSaveTextDocumentParams):
        ls.ws.touch_all()  # a saved file may be read by other projects' globs or templates
        changed(ls, params.text_document.uri, 0)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SkyspecServer, params: t.DidCloseTextDocumentParams):
        path = to_fs_path(params.text_document.uri)
        if path:
            ls.schedule(ls.ws.set_text(path, params.text_document.uri, None), 0)

    @server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[":", " ", "-", "{", ","]))
    def on_completion(ls: SkyspecServer, params: t.CompletionParams):
        def run():
            path, line, col, text = ls.cursor(params)
            comp = ls.ws.for_file(path)
            if comp is None or path.endswith((".toml", ".py")):
                return None
            cur, items = completion.complete(text, line, col, ls.role(path, comp), comp)
            if cur is None:
                return None
            line_text = text.split("\n")[line]
            rng = t.Range(start=t.Position(line=line, character=ls._units(line_text, cur.start)),
                          end=t.Position(line=line, character=ls._units(line_text, col)))
            return t.CompletionList(is_incomplete=False, items=[
                t.CompletionItem(label=i.label, kind=_KINDS.get(i.kind), detail=i.detail or None,
                                 documentation=t.MarkupContent(kind=t.MarkupKind.Markdown, value=i.doc) if i.doc else None,
                                 text_edit=t.TextEdit(range=rng, new_text=i.insert), sort_text=f"{n:04d}")
                for n, i in enumerate(items)])
        return ls.guard("completion", run)

    @server.feature(t.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: SkyspecServer, params: t.HoverParams):
        def run():
            path, line, col, _ = ls.cursor(params)
            comp = ls.ws.for_file(path)
            if comp is None:
                return None
            hit = locate.hit(ls.ws.parsed(path, comp), line, col)
            role = ls.role(path, comp)
            if hit is None or role not in ("spec", "overlay"):
                return None
            md = hovering.hover(comp, hit, role, lambda file, n: _link(comp, file, n))
            return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=md)) if md else None
        return ls.guard("hover", run)

    @server.feature(t.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: SkyspecServer, params: t.DefinitionParams):
        def run():
            path, line, col, _ = ls.cursor(params)
            comp = ls.ws.for_file(path)
            hit = locate.hit(ls.ws.parsed(path, comp), line, col) if comp is not None else None
            if comp is None or hit is None:
                return None
            return [ls.location(sp, comp) for sp in navigate.definition(comp, hit, ls.role(path, comp))] or None
        return ls.guard("definition", run)

    @server.feature(t.TEXT_DOCUMENT_REFERENCES)
    def on_references(ls: SkyspecServer, params: t.ReferenceParams):
        def run():
            path, line, col, _ = ls.cursor(params)
            comp = ls.ws.for_file(path)
            hit = locate.hit(ls.ws.parsed(path, comp), line, col) if comp is not None else None
            if comp is None or hit is None:
                return None
            spans = navigate.references(comp, hit, ls.role(path, comp), params.context.include_declaration)
            return [ls.location(sp, comp) for sp in spans] or None
        return ls.guard("references", run)

    return server


def _link(comp: Compilation, file: str, line: int) -> tuple[str, str | None]:
    """A shown path's line as a label (relative to the project root when inside it) and
    a link target."""
    path = real(file)
    root = str(comp.root) + os.sep if comp.root is not None else None
    label = path[len(root):] if root and path.startswith(root) else os.path.basename(path)
    uri = from_fs_path(path)
    return f"{label}:{line}", (f"{uri}#L{line}" if uri else None)


def serve(version: str, allow_python: bool = False) -> None:
    """Run the server on stdin and stdout until the client exits."""
    import gc

    gc.enable()  # a long-lived process: the CLI's short-run setting does not apply
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # the protocol owns stdout: nothing else may write to it
    build(version, allow_python).start_io(stdin, stdout)


__all__ = ["build", "serve"]
