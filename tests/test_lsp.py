"""`skyspec lsp`, driven by an LSP client (pytest-lsp) over stdio, the server in a subprocess.

A small project is written to a temporary folder; each test opens a file of it the way an
editor does and checks what comes back: diagnostics for an unsaved type error at the right
range (and nothing written to disk), completion of keys and enum values from the schemas,
hover with each environment's value and the overlay line that set it, definitions for
`connect_to`, Secret references, `use:` templates and overlay entries, and references to a
workload from an overlay.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types as t  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from conftest import ROOT  # noqa: E402

FILES = {
    "skyspec.yaml": """
        project: demo
        namespace: demo
        specs: ["apps/*"]
        environments:
          dev: {overlays: []}
          prod: {overlays: [overlays/prod.yaml]}
    """,
    "apps/api.yaml": """
        kind: App
        name: api
        image: ghcr.io/acme/api:1.0
        port: 8080
        replicas: 2
        connect_to:
          - cache
        secrets:
          DB_PASSWORD: {secret: db-pass, key: password}
    """,
    "apps/cache.yaml": """
        # the cache
        kind: App
        name: cache
        image: redis:7.2
        port: 6379
    """,
    "apps/db.yaml": """
        kind: StatefulApp
        name: db
        use: postgres
        credentials: db-pass
    """,
    "apps/secret.yaml": """
        kind: Secret
        name: db-pass
        keys: [password]
    """,
    "overlays/prod.yaml": """
        apps:
          api:
            replicas: 5
          cache:
            env: {MODE: "${apps.api.replicas}"}
    """,
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=[sys.executable, "-m", "skyspec", "lsp"],
    server_env={**os.environ, "PYTHONPATH": str(ROOT / "compiler")}))
async def client(lsp_client: LanguageClient, project: Path):
    lsp_client.registrations = []

    @lsp_client.feature(t.CLIENT_REGISTER_CAPABILITY)
    def register(ls, params: t.RegistrationParams):
        lsp_client.registrations.extend(r.method for r in params.registrations)

    await lsp_client.initialize_session(t.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=from_fs_path(str(project))))
    yield
    await lsp_client.shutdown_session()


def uri(project: Path, rel: str) -> str:
    return from_fs_path(str((project / rel).resolve()))


def text(project: Path, rel: str) -> str:
    return (project / rel).read_text()


async def open_doc(client: LanguageClient, project: Path, rel: str, body: str | None = None) -> str:
    u = uri(project, rel)
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=u, language_id="yaml", version=1,
                            text=body if body is not None else text(project, rel))))
    return u


async def diagnostics_for(client: LanguageClient, u: str, timeout: float = 30) -> list[t.Diagnostic]:
    async def wait():
        while u not in client.diagnostics:
            await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[u]
    return await asyncio.wait_for(wait(), timeout)


def where(body: str, needle: str, offset: int = 0) -> t.Position:
    """The position of ``needle`` (plus ``offset`` characters) in ``body``."""
    before = body[:body.index(needle) + offset]
    return t.Position(line=before.count("\n"), character=len(before) - before.rfind("\n") - 1)


@pytest.mark.asyncio
async def test_unsaved_type_error_is_diagnosed_at_its_range_and_nothing_is_written(client: LanguageClient,
                                                                                   project: Path):
    on_disk = text(project, "apps/api.yaml")
    body = on_disk.replace("replicas: 2", 'replicas: "many"')
    u = await open_doc(client, project, "apps/api.yaml", body)
    diags = [d for d in await diagnostics_for(client, u) if d.severity == t.DiagnosticSeverity.Error]
    assert [d.code for d in diags] == ["SKY104"], [(d.code, d.message) for d in diags]
    d = diags[0]
    assert d.severity == t.DiagnosticSeverity.Error and d.source == "skyspec"
    assert "replicas" in d.message
    start = where(body, '"many"')
    assert d.range == t.Range(start=start, end=t.Position(line=start.line, character=start.character + len('"many"')))
    # the file on disk is untouched, and no output was written
    assert text(project, "apps/api.yaml") == on_disk
    assert not (project / "out").exists()

    # fixing it in the editor clears the file's diagnostics
    client.diagnostics.pop(u)
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=u, version=2),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=on_disk)]))
    assert [d.code for d in await diagnostics_for(client, u)] == ["SKY402"]  # the probe warning alone


def check_json(project: Path) -> set[tuple]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "compiler")}
    r = subprocess.run([sys.executable, "-m", "skyspec", "check", "--format", "json"], cwd=project, env=env,
                       capture_output=True, text=True, timeout=120)
    return {(uri(project, d["file"]), d["line"] - 1, d["column"] - 1, d["code"], d["severity"])
            for d in json.loads(r.stdout)}


@pytest.mark.asyncio
async def test_the_same_diagnostics_as_check_in_every_environment(client: LanguageClient, project: Path):
    # an overlay's type error only prod sees: reported in the overlay, although a spec is edited
    (project / "overlays/prod.yaml").write_text("apps:\n  api:\n    replicas: lots\n    env: {A: [1]}\n")
    expected = check_json(project)
    assert {(e[3], e[4]) for e in expected} >= {("SKY104", "error"), ("SKY402", "warning")}
    await open_doc(client, project, "apps/api.yaml")
    files = {e[0] for e in expected}

    async def all_files():
        while not files <= set(client.diagnostics):
            await client.wait_for_notification(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    await asyncio.wait_for(all_files(), 30)
    severity = {t.DiagnosticSeverity.Error: "error", t.DiagnosticSeverity.Warning: "warning"}
    got = {(u, d.range.start.line, d.range.start.character, d.code, severity[d.severity])
           for u, ds in client.diagnostics.items() for d in ds}
    assert got == expected

    # fixed on disk by another tool: the watched-files notification clears the overlay's
    assert client.registrations == [t.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    (project / "overlays/prod.yaml").write_text(textwrap.dedent(FILES["overlays/prod.yaml"]).lstrip("\n"))
    client.diagnostics.pop(ov := uri(project, "overlays/prod.yaml"))
    client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(
        changes=[t.FileEvent(uri=ov, type=t.FileChangeType.Changed)]))
    assert list(await diagnostics_for(client, ov)) == []


@pytest.mark.asyncio
async def test_completion_offers_keys_and_enum_values_at_the_cursor_path(client: LanguageClient, project: Path):
    body = text(project, "apps/api.yaml") + "rep\nexpose:\n  type: \nstrategy: \n"
    u = await open_doc(client, project, "apps/api.yaml", body)

    async def labels(pos: t.Position) -> list[str]:
        res = await client.text_document_completion_async(t.CompletionParams(text_document=t.TextDocumentIdentifier(uri=u), position=pos))
        items = res.items if isinstance(res, t.CompletionList) else res or []
        return [i.label for i in items]

    keys = await labels(where(body, "rep\n", 3))
    assert "replicas" in keys and "image" in keys and "autoscale" in keys
    assert "partition" not in keys  # a field of other kinds' maps, not of an App
    assert await labels(where(body, "  type: ", 8)) == ["ClusterIP", "NodePort", "LoadBalancer"]
    strategies = await labels(where(body, "strategy: ", 10))
    assert strategies[:5] == ["rolling", "recreate", "blue-green", "canary", "on-delete"]
    # a connect_to item: the project's workloads
    body2 = body.replace("  - cache\n", "  - cache\n  - \n")
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=u, version=2),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=body2)]))
    names = await labels(where(body2, "  - \n", 4))
    assert {"cache", "db"} <= set(names) and "db-pass" not in names


@pytest.mark.asyncio
async def test_hover_shows_each_environment_value_and_the_overlay_line_that_set_it(client: LanguageClient,
                                                                                   project: Path):
    body = text(project, "apps/api.yaml")
    u = await open_doc(client, project, "apps/api.yaml")
    res = await client.text_document_hover_async(t.HoverParams(text_document=t.TextDocumentIdentifier(uri=u),
                                                                position=where(body, "replicas", 2)))
    assert res is not None and res.contents.kind == t.MarkupKind.Markdown
    md = res.contents.value
    assert "**api.replicas**" in md
    # dev: the dev profile's 1 over the spec's 2; prod: the prod overlay's 5
    assert "| dev | `1` | profile:dev [dev.yaml:" in md
    overlay = uri(project, "overlays/prod.yaml")
    assert f"| prod | `5` | overlay:overlays/prod.yaml [overlays/prod.yaml:3]({overlay}#L3) |" in md
    # the same from the overlay's own line
    ov_body = text(project, "overlays/prod.yaml")
    ou = await open_doc(client, project, "overlays/prod.yaml")
    res = await client.text_document_hover_async(t.HoverParams(text_document=t.TextDocumentIdentifier(uri=ou),
                                                                position=where(ov_body, "5")))
    assert res is not None and "| prod | `5` |" in res.contents.value


@pytest.mark.asyncio
async def test_definitions(client: LanguageClient, project: Path):
    body = text(project, "apps/api.yaml")
    u = await open_doc(client, project, "apps/api.yaml")

    async def define(doc: str, pos: t.Position) -> list[t.Location]:
        res = await client.text_document_definition_async(t.DefinitionParams(text_document=t.TextDocumentIdentifier(uri=doc), position=pos))
        return res if isinstance(res, list) else [res] if res else []

    # connect_to: the target's document, at its name
    [loc] = await define(u, where(body, "- cache", 3))
    assert loc.uri == uri(project, "apps/cache.yaml")
    assert loc.range.start == t.Position(line=2, character=6)  # `name: cache`, after the comment line
    # a Secret reference
    [loc] = await define(u, where(body, "db-pass", 1))
    assert loc.uri == uri(project, "apps/secret.yaml") and loc.range.start == t.Position(line=1, character=6)
    # use: a stdlib template
    db = await open_doc(client, project, "apps/db.yaml")
    [loc] = await define(db, where(text(project, "apps/db.yaml"), "postgres"))
    assert loc.uri == from_fs_path(str((ROOT / "stdlib" / "postgres.yaml").resolve()))
    # an overlay's apps entry: the spec
    ov = await open_doc(client, project, "overlays/prod.yaml")
    [loc] = await define(ov, where(text(project, "overlays/prod.yaml"), "api:"))
    assert loc.uri == u and loc.range.start == t.Position(line=1, character=6)


@pytest.mark.asyncio
async def test_references_to_a_workload_include_the_overlay_entry(client: LanguageClient, project: Path):
    body = text(project, "apps/cache.yaml")
    u = await open_doc(client, project, "apps/cache.yaml")
    res = await client.text_document_references_async(t.ReferenceParams(
        text_document=t.TextDocumentIdentifier(uri=u), position=where(body, "name: cache", 7),
        context=t.ReferenceContext(include_declaration=True)))
    found = sorted((Path(r.uri).name, r.range.start.line, r.range.start.character) for r in res)
    assert found == [("api.yaml", 6, 4), ("cache.yaml", 2, 6), ("prod.yaml", 3, 2)]
    # from the api spec: its overlay entry and the expression naming it
    api = await open_doc(client, project, "apps/api.yaml")
    res = await client.text_document_references_async(t.ReferenceParams(
        text_document=t.TextDocumentIdentifier(uri=api), position=where(text(project, "apps/api.yaml"), "name: api", 7),
        context=t.ReferenceContext(include_declaration=False)))
    found = sorted((Path(r.uri).name, r.range.start.line) for r in res)
    assert found == [("prod.yaml", 1), ("prod.yaml", 4)]
