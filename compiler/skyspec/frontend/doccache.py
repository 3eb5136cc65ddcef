"""The project's incremental cache of parsed documents: `.skyspec-cache/` beside the project
file (ignored by git through the .gitignore written inside it; safe to delete at any time).
An entry holds the positioned documents (:class:`SourceDoc` lists) of one file's text, named
by a hash of everything the parse depends on: the text, the name positions carry, the
limits, and the source of this package and of the modules it uses (a changed parser, of any
version, never reads an older entry). A text whose parse reported anything is not cached.
Entries are packed: a run reads one signed `docs.pack` (one file to open, not a thousand),
each entry pickled on its own in it and unpickled when a run asks for it (a worker compiling
one environment reads no other environment's overlays; they were half the pack's unpickling
at 1,000 apps); the few entries of later runs go in files of their own beside it, until they are
many enough to be packed again with every entry a run used (what no run uses any more goes).
Other stages keep signed entries of their own here too (:meth:`DocCache.write_entry`).

Unpickling is a trust decision, and the cache lives in the project folder, which a pull
request controls. Every entry is therefore signed with an HMAC-SHA256 key kept *outside* the
project (`$XDG_CACHE_HOME/skyspec/key`, 32 random bytes created 0600 on first use): an entry
whose MAC does not verify (damaged, edited, copied from another machine or committed in a PR)
is ignored and replaced, never unpickled. Without a usable key there is no cache. A
`.skyspec-cache` that is a symbolic link, or an entry that is not a regular file, is not
used (a PR cannot point the writes elsewhere). `SKYSPEC_CACHE=0` turns the cache off. This
module must not import anything above the frontend.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path

from ..paths import data_dir

FORMAT = b"skyspec-docs-2\n"
FOLDER = ".skyspec-cache"
PACK = "docs.pack"
MAX_ENTRY = 64 << 20
MAX_PACK = 512 << 20
STATS = {"hit": 0, "miss": 0, "rejected": 0, "stored": 0}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_code: bytes | None = None


def _code_hash() -> bytes:
    """The source of the code that builds the documents: this package and the modules it
    imports (diagnostics: positions; limits), and the Python version (the pickle format)."""
    global _code
    if _code is None:
        here = Path(__file__).parent
        h = hashlib.sha256(FORMAT + sys.version.encode())
        for p in [*sorted(here.glob("*.py")), here.parent / "diagnostics.py", here.parent / "limits.py",
                  here.parent / "redact.py"]:
            h.update(p.name.encode() + b"\0" + p.read_bytes())
        _code = h.digest()
    return _code


# A `.nan` of YAML (PyYAML's SafeConstructor.nan_value, inf/inf: the sign bit set), as pickled:
# BINFLOAT and its 8 bytes, big-endian
_YAML_NAN = b"G\xff\xf8\x00\x00\x00\x00\x00\x00"


def _one_nan(docs: list) -> None:
    """Every `.nan` of the documents made the YAML loader's one NaN object again, as a parse
    gives it (unpickling made one per entry). A NaN equals nothing, itself included, and is
    found in a list by its identity only: `command-: [.nan]` in an overlay removes the spec's
    `.nan` when both are that object (fuzz seed 89, case 1910: a cached build refused what
    the cold one built). A map keyed by one (`.nan: x`) gets it as its key again, in its place."""
    from yaml.constructor import SafeConstructor

    nan = SafeConstructor.nan_value
    todo = [d.data for d in docs]
    while todo:
        v = todo.pop()
        if isinstance(v, dict) and any(isinstance(k, float) and k != k and k is not nan for k in v):
            items = [(nan if isinstance(k, float) and k != k else k, x) for k, x in v.items()]
            v.clear()
            v.update(items)
        if isinstance(v, (dict, list)):
            for k, x in (v.items() if isinstance(v, dict) else enumerate(v)):
                if isinstance(x, float) and x != x and x is not nan:
                    v[k] = nan
                elif isinstance(x, (dict, list)):
                    todo.append(x)


LIBRARIES = ("yaml", "_yaml", "fastjsonschema", "jsonschema", "jsonschema_specifications", "referencing", "click")


@lru_cache(maxsize=None)
def code_identity() -> bytes:
    """A hash of what skyspec is: the source of this package (its version included), its
    schemas, stdlib and profiles (by content: :func:`content_hash`), the files of the
    libraries it uses (by size and time) and the Python version."""
    import importlib.util
    import time

    trees = [("code", Path(__file__).resolve().parent.parent, ".py")]
    for name in ("schemas", "stdlib", "overlays"):
        try:
            trees.append((name, data_dir(name), None))
        except FileNotFoundError:  # pragma: no cover - a broken installation
            trees.append((name, None, None))
    h = hashlib.sha256(f"skyspec-code-2\0{sys.version}\0".encode() + content_hash(trees, time.time_ns()))
    for lib in LIBRARIES:
        try:
            spec = importlib.util.find_spec(lib)
            origin = spec.origin if spec is not None else None
            st = os.stat(origin) if origin else None
            h.update(f"{lib}\0{origin}\0{st.st_size if st else 0}\0{st.st_mtime_ns if st else 0}\0".encode())
        except (ImportError, OSError, ValueError):
            h.update(f"{lib}\0none\0".encode())
    return h.digest()


CODE_STATS = {"hashed": 0, "kept": 0, "memo": 0}  # content hashes computed, kept, taken from a memo


def content_hash(trees: list[tuple[str, Path | None, str | None]], since: int) -> bytes:
    """The SHA-256 of the files of ``trees`` ((label, folder or None when missing, the
    suffix of the files taken or None for all): names and bytes, in a fixed order).

    Hashing skyspec's 3 MB of source and schemas was a third of a run cache hit, so each file
    is stat'ed first and its signature (:func:`..contain.signature`) noted, in order: when every
    file had settled before ``since`` (:func:`..contain.settled`; a `time.time_ns()` taken
    before this call), the hash is kept in the machine-wide cache under a hash of those
    signatures, and a later process whose files show the same signatures takes it from there.
    Any change to a file since (its ctime moves), a file added or removed, gives other
    signatures, and the files are hashed again."""
    from ..contain import settled, signature
    from ..paths import cache_home, read_sealed, write_sealed

    files: list[tuple[bytes, str]] = []  # (name as hashed, path), in the order hashed
    h = hashlib.sha256(b"skyspec-content-1\0")
    for label, top, suffix in trees:
        if top is None:
            h.update(label.encode() + b"\0missing\0")
            continue
        base = os.fspath(top)
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            sub = folder[len(base) + 1:]  # the folder's path under ``top`` ("" for itself)
            shown = f"{label}/{sub}{os.sep}" if sub else f"{label}/"
            for f in sorted(names):
                if suffix is None or f.endswith(suffix):
                    files.append(((shown + f).encode("utf-8", "surrogateescape"), os.path.join(folder, f)))
    sigs = hashlib.sha256(h.digest())
    calm = True
    try:
        for name, p in files:
            st = os.stat(p)
            calm = calm and settled(st, since)
            sigs.update(name + b"\0" + repr(signature(st)).encode() + b"\0")
    except OSError:  # a file gone since the walk: hashed (and failing) below, as before
        calm = False
    memo, head = cache_home() / "code" / f"{sigs.hexdigest()[:40]}.bin", b"skyspec-code-memo-1\n"
    body = read_sealed(memo, head)[1]
    if body is not None and len(body) == 32:
        CODE_STATS["memo"] += 1
        return body
    for name, p in files:
        with open(p, "rb") as fh:
            h.update(name + b"\0" + fh.read() + b"\0")
    CODE_STATS["hashed"] += 1
    if calm:
        try:
            write_sealed(memo, head, h.digest())
            CODE_STATS["kept"] += 1
        except OSError:
            pass
    return h.digest()


def _key_file() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "skyspec" / "key"


def _mac_key() -> bytes | None:
    """The signing key, created (0600) on first use; None when it cannot be had."""
    path = _key_file()
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except FileNotFoundError:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".key.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
            try:
                os.write(fd, os.urandom(32))
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)  # whole, and never over another process's key
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        except OSError:
            return None
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        key = os.read(fd, 33)
    finally:
        os.close(fd)
    if not stat.S_ISREG(st.st_mode) or len(key) != 32 or st.st_mode & 0o077:
        return None  # not ours: another user could read it (and forge entries)
    return key


class DocCache:
    """Parsed documents by content, for one project folder (:func:`open_cache`); and signed
    entries of other kinds for the stages above (:meth:`read_entry`, :meth:`write_entry`:
    bytes, MAC'd with the same key under their kind and name)."""

    def __init__(self, folder: Path, key: bytes):
        self.folder = folder
        self._key = key
        self.create = True
        self._docs: Path | None = None  # the entries' folder, once made
        self.pending: dict[str, list] = {}  # parsed this run, written by :meth:`save`
        self.used: dict[str, bytes] = {}  # read from the cache this run, pickled (kept in the next pack)
        self._pack: dict | None = None

    def _name(self, text: str, shown: str, limits) -> str:
        h = hashlib.sha256(_code_hash())
        h.update(repr(limits).encode() + b"\0" + shown.encode("utf-8", "surrogatepass") + b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()[:40]

    def _packed(self) -> dict:
        """The pack (:meth:`save`): every entry of a run (name -> its documents, pickled), in
        one signed file read once."""
        import hmac
        import pickle

        if self._pack is None:
            self._pack = {}
            blob = _read_file(self.folder / PACK, MAX_PACK)
            if blob is None:
                return self._pack
            mac, body = blob[:32], blob[32:]
            if len(blob) > 32 and hmac.compare_digest(mac, self._mac(PACK, body)):
                try:
                    pack = pickle.loads(body)
                except Exception:  # pragma: no cover - signed by us, so written by us
                    pack = None
                if isinstance(pack, dict):
                    self._pack = pack
                    return pack
            STATS["rejected"] += 1
        return self._pack

    def get(self, text: str, shown: str, limits):
        """The documents cached for this parse, or None."""
        import hmac
        import pickle

        name = self._name(text, shown, limits)
        body = self._packed().get(name)
        if not isinstance(body, bytes):
            blob = _read_file(self.folder / "docs" / f"{name}.pkl", MAX_ENTRY)
            if blob is None:
                STATS["miss"] += 1
                return None, name
            mac, body = blob[:32], blob[32:]
            if not (len(blob) > 32 and hmac.compare_digest(mac, self._mac(name, body))):
                STATS["rejected"] += 1
                return None, name
        try:
            docs = pickle.loads(body)  # a pack entry or a file verified above: written by us
        except Exception:  # pragma: no cover - signed by us, so written by us
            docs = None
        if not isinstance(docs, list):  # pragma: no cover - signed by us, so written by us
            STATS["rejected"] += 1
            return None, name
        if _YAML_NAN in body and not shown.endswith(".toml"):
            _one_nan(docs)
        STATS["hit"] += 1
        self.used[name] = body
        return docs, name

    def _mac(self, name: str, body: bytes) -> bytes:
        import hmac

        return hmac.new(self._key, FORMAT + name.encode() + b"\0" + body, hashlib.sha256).digest()

    def put(self, name: str, docs: list) -> None:
        """Keep ``docs`` to be written by :meth:`save` (only a run free of errors writes)."""
        self.pending[name] = docs

    def save(self) -> None:
        """Write the pending entries (a run free of errors calls this; nothing is written on
        error), creating the folder and its .gitignore when this cache may: each in a file
        of its own while they are few beside the pack, else a new pack of every entry this
        run used (the loose files, and whatever this run did not use, are dropped)."""
        import pickle

        pending, self.pending = self.pending, {}
        if not pending or not self._prepare():
            return
        loose = self.folder / "docs"
        try:
            old = [e for e in os.scandir(loose) if e.name.endswith(".pkl")] if loose.is_dir() and \
                not loose.is_symlink() else []
        except OSError:
            old = []
        if len(old) + len(pending) < max(32, len(self._packed()) // 8):
            for name, docs in pending.items():
                self._write(name, docs)
            return
        try:
            made = {name: pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL) for name, docs in pending.items()}
            body = pickle.dumps({**self.used, **made}, protocol=pickle.HIGHEST_PROTOCOL)
            if len(body) > MAX_PACK - 32:
                return
            self._put(self.folder, PACK, self._mac(PACK, body) + body)
            STATS["stored"] += len(pending)
            for e in old:
                os.unlink(e.path)
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            pass

    def _entry_mac(self, kind: str, name: str, body: bytes) -> bytes:
        import hmac

        return hmac.new(self._key, FORMAT + b"entry:" + kind.encode() + b"\0" + name.encode() + b"\0" + body,
                        hashlib.sha256).digest()

    def entry_name(self, *parts: bytes) -> str:
        """A name for an entry keyed by ``parts``: keyed with the secret key, so a name says
        nothing of what it was made from (a `--set` value, say) to whoever reads the folder."""
        import hmac

        h = hmac.new(self._key, b"name\0", hashlib.sha256)
        for part in parts:
            h.update(len(part).to_bytes(8, "big") + part)
        return h.hexdigest()[:40]

    def read_entry(self, kind: str, name: str) -> bytes | None:
        """The body of entry ``kind/name`` when its MAC verifies; None when absent, not a
        regular file, too large or not signed by this key (``STATS["rejected"]``)."""
        import hmac

        blob = _read_file(self.folder / kind / name, MAX_ENTRY)
        if blob is None:
            return None
        mac, body = blob[:32], blob[32:]
        if len(blob) >= 32 and hmac.compare_digest(mac, self._entry_mac(kind, name, body)):
            return body
        STATS["rejected"] += 1
        return None

    def write_entry(self, kind: str, name: str, body: bytes, keep: int = 0) -> bool:
        """Write entry ``kind/name`` (whole, signed), creating the folder when this cache may;
        ``keep``: then remove the oldest entries of the kind beyond that many."""
        if len(body) > MAX_ENTRY - 32 or not self._prepare():
            return False
        d = self.folder / kind
        try:
            if d.is_symlink():
                return False
            d.mkdir(exist_ok=True)
            self._put(d, name, self._entry_mac(kind, name, body) + body)
            if keep:
                entries = sorted((e for e in os.scandir(d) if e.is_file(follow_symlinks=False)
                                  and not e.name.startswith(".")), key=lambda e: e.stat().st_mtime_ns)
                for e in entries[:-keep]:
                    os.unlink(e.path)
        except OSError:
            return False
        return True

    @staticmethod
    def _put(d: Path, name: str, blob: bytes) -> None:
        tmp = d / f".{name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        try:
            view = memoryview(blob)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, d / name)

    def _prepare(self) -> bool:
        folder = self.folder
        try:
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                return False
            if not folder.exists():
                if not self.create:
                    return False
                folder.mkdir()
            ignore = folder / ".gitignore"
            if ignore.is_symlink():
                return False
            if not ignore.is_file():
                ignore.write_text("# skyspec's cache (safe to delete): never committed\n*\n")
        except OSError:
            return False
        return True

    def _write(self, name: str, docs: list) -> None:
        import pickle

        try:
            d = self._docs
            if d is None:
                d = self.folder / "docs"
                if d.is_symlink():
                    return
                d.mkdir(exist_ok=True)
                self._docs = d
            body = pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL)
            self._put(d, f"{name}.pkl", self._mac(name, body) + body)
            STATS["stored"] += 1
        except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            pass


def _read_file(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` (never through a symbolic link); None when it cannot be opened,
    and b"" when it is not a regular file, is over ``limit`` bytes or cannot be read (the
    caller's signature check then rejects it)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        return _read_all(fd, st.st_size) if stat.S_ISREG(st.st_mode) and st.st_size <= limit else b""
    except OSError:
        return b""
    finally:
        os.close(fd)


def _read_all(fd: int, size: int) -> bytes:
    chunks, total = [], 0
    while total <= size:
        chunk = os.read(fd, min(size + 1 - total, 1 << 24))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def open_cache(project_dir: Path, create: bool = True) -> DocCache | None:
    """The cache of the project in ``project_dir``, created with its .gitignore unless not
    ``create`` or in a CI job (`$CI` set): filling a cache costs a cold run about a quarter
    more, which a fresh checkout would pay every time and never get back. None when off
    (`SKYSPEC_CACHE=0`), without a key, or when the folder is not a real folder of its own."""
    if os.environ.get("SKYSPEC_CACHE") == "0":
        return None
    if os.environ.get("CI") and os.environ.get("SKYSPEC_CACHE") != "1":
        create = False
    folder = project_dir / FOLDER
    try:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()) or (not create and not folder.exists()):
            return None
    except OSError:
        return None
    key = _mac_key()
    if key is None:
        return None
    cache = DocCache(folder, key)
    cache.create = create
    return cache
