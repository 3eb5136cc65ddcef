"""A minimal client of the YAML language server (the one VS Code, Neovim and most editors
run for YAML), for the tests of the editor schemas: it starts the real server over stdio,
opens documents and returns the diagnostics the server publishes for them, as an editor
would show them. The server is the npm package `yaml-language-server`, installed pinned
into .tools/yaml-ls by scripts/install-test-tools.sh."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / ".tools" / "yaml-ls" / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"


def available() -> str | None:
    """Why the server cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not SERVER.is_file():
        return "yaml-language-server is not installed: run scripts/install-test-tools.sh"
    return None


class YamlLS:
    """``with YamlLS(root, settings) as ls: ls.diagnostics(path)``. ``settings`` is the
    `yaml` section of the editor's settings (e.g. ``{"schemas": {uri: [glob]}}``)."""

    def __init__(self, root: Path, settings: dict | None = None):
        self.root = root
        self.settings = {"validate": True, "hover": True, "completion": True, **(settings or {})}
        self._id = 0
        self._cond = threading.Condition()
        self._responses: dict[int, dict] = {}
        self._diags: dict[str, list] = {}
        self._versions: dict[str, int] = {}

    def __enter__(self) -> "YamlLS":
        self.proc = subprocess.Popen(["node", str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=self.root, env={**os.environ, "NO_COLOR": "1"})
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": self.root.as_uri(),
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": "project"}],
            "capabilities": {"workspace": {"configuration": True},
                             "textDocument": {"publishDiagnostics": {},
                                              "completion": {"completionItem": {"snippetSupport": False}},
                                              "hover": {"contentFormat": ["plaintext"]}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": self.settings}})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()

    # ---------------------------------------------------------------- JSON-RPC over stdio
    def _send(self, msg: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length or 0))
            if "id" in msg and "method" in msg:  # a request of the server's
                self._answer(msg)
            elif "id" in msg:
                with self._cond:
                    self._responses[msg["id"]] = msg
                    self._cond.notify_all()
            elif msg.get("method") == "textDocument/publishDiagnostics":
                with self._cond:
                    self._diags[msg["params"]["uri"]] = msg["params"]["diagnostics"]
                    self._cond.notify_all()

    def _answer(self, msg: dict) -> None:
        result = None
        if msg["method"] == "workspace/configuration":
            result = [self.settings if item.get("section") == "yaml" else None
                      for item in msg["params"].get("items", [])]
        self._send({"id": msg["id"], "result": result})

    def request(self, method: str, params, timeout: float = 60):
        self._id += 1
        rid = self._id
        self._send({"id": rid, "method": method, "params": params})
        with self._cond:
            if not self._cond.wait_for(lambda: rid in self._responses, timeout):
                raise TimeoutError(f"{method}: no answer in {timeout}s")
            msg = self._responses.pop(rid)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        return msg.get("result")

    def notify(self, method: str, params) -> None:
        self._send({"method": method, "params": params})

    # ---------------------------------------------------------------- what an editor does
    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        text = path.read_text() if text is None else text
        self._versions[uri] = self._versions.get(uri, 0) + 1
        with self._cond:
            self._diags.pop(uri, None)
        if self._versions[uri] == 1:
            self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml",
                                                                   "version": 1, "text": text}})
        else:
            self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": self._versions[uri]},
                                                   "contentChanges": [{"text": text}]})
        return uri

    def diagnostics(self, path: Path, text: str | None = None, timeout: float = 60) -> list[dict]:
        """The diagnostics the server publishes for the file (opened, or changed to ``text``)."""
        uri = self.open(path, text)
        with self._cond:
            if not self._cond.wait_for(lambda: uri in self._diags, timeout):
                raise TimeoutError(f"no diagnostics for {path} in {timeout}s")
            got = self._diags[uri]
        time.sleep(0.05)
        with self._cond:  # a second publication (after the schema loaded) replaces the first
            return self._diags.get(uri, got)

    def diagnostics_all(self, paths: list[Path], timeout: float = 120) -> dict[Path, list[dict]]:
        """The diagnostics of several files, opened together (the server validates each after
        a short delay: one file at a time would wait for each in turn)."""
        uris = {self.open(p): p for p in paths}
        with self._cond:
            if not self._cond.wait_for(lambda: all(u in self._diags for u in uris), timeout):
                raise TimeoutError(f"no diagnostics for some of {len(uris)} files in {timeout}s")
        time.sleep(0.05)
        with self._cond:
            return {p: self._diags[u] for u, p in uris.items()}

    def hover(self, path: Path, line: int, character: int):
        return self.request("textDocument/hover", {"textDocument": {"uri": path.resolve().as_uri()},
                                                   "position": {"line": line, "character": character}})

    def completion(self, path: Path, line: int, character: int):
        return self.request("textDocument/completion", {"textDocument": {"uri": path.resolve().as_uri()},
                                                        "position": {"line": line, "character": character}})
