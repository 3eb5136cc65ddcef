"""Writing a build's output into the output folder OUT, assuming the specs and everything
already in OUT may come from someone hostile (a pull request built by a CI job that holds
credentials). It checks every path first: a normalised relative POSIX path of safe
components, never reaching through a symlink (SKY903); it reads OUT without following
symlinks and refuses special files in it without opening them; it stages every new file
as a temporary file beside its destination and renames them into place only when all
staging succeeded (a failed build leaves the previous output as it was), then removes the
generated files no longer produced. `OUT/.skyspec-manifest.json` records the SHA-256 of
each file it wrote and the folders it created. It must not write or delete anything outside
OUT; follow, replace or delete a symlink; delete or overwrite a file whose content is not
what the manifest says skyspec wrote (overwriting one is the SKY901 refusal); delete a
folder it did not create, or any non-empty one; change the mode of OUT or of a folder
that exists; or write into the project's own folders (the project root, the folders
holding its spec and overlay files: SKY902).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Callable, Iterable, Mapping

from ..diagnostics import Diagnostics, Pos
from ..paths import shown_path
from ..record import NEW, Record

MANIFEST = ".skyspec-manifest.json"
_STAGED = ".skyspec-tmp-"   # staged files: .skyspec-tmp-<pid>-<n>, renamed into place
_STAGED_NAME = re.compile(r"\.skyspec-tmp-[0-9]+-[0-9]+\Z")
# A path component: ASCII letters, digits, `.`, `_` and `-`, not starting with `.` (so
# no `.`, `..`, hidden or `.skyspec-*` names) nor `-` (an option to a shell tool).
_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,254}\Z")
# hidden names a build may write (a file, never a folder). Never `.env`: Compose reads the
# user's values from it, so no build, manifest or stale file can name it (overwrite or remove it)
_DOTFILES = (".gitignore", ".helmignore", ".env.example")
_MAX_PATH = 1024
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")

_NOFOLLOW, _CLOEXEC = getattr(os, "O_NOFOLLOW", 0), getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
# what the writer relies on: opening, creating, renaming and removing relative to an open
# folder, without following symlinks (POSIX; not Windows)
_SUPPORTED = bool(_NOFOLLOW and getattr(os, "O_DIRECTORY", 0)) and {os.open, os.mkdir, os.rename, os.unlink,
                                                                   os.rmdir, os.stat} <= os.supports_dir_fd


def unsafe_path(rel: object) -> str | None:
    """Why ``rel`` cannot be an output path, or None when it can (the only hidden names
    allowed are the ignore files of git and Helm and Compose's `.env.example`, as a last
    component)."""
    if not isinstance(rel, str) or not rel:
        return "it is empty"
    if len(rel) > _MAX_PATH:
        return f"it is longer than {_MAX_PATH} characters"
    if rel.startswith("/"):
        return "it is absolute"
    if "\\" in rel:
        return "it holds a backslash"
    parts = rel.split("/")
    for i, part in enumerate(parts):
        if not part:
            return "it has an empty component"
        if part in _DOTFILES and i == len(parts) - 1:
            continue
        if part in (".", ".."):
            return f"it has a `{part}` component"
        if not _COMPONENT.match(part):
            return (f"component {json.dumps(part)[:80]} is not a plain file name (ASCII letters, digits, "
                    "`.`, `_` and `-`, not starting with `.` or `-`)")
    return None


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _held() -> int:
    """How many folders :class:`_Tree` keeps open: a quarter of the descriptors the process may have."""
    import resource

    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return 4096 if soft == resource.RLIM_INFINITY else max(8, min(soft // 4, 4096))


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------- OUT, read

class _Manifest(Record):
    def __init__(self, hashes: dict[str, set[str]] = NEW, recorded: dict[str, str] = NEW,
                 folders: set[str] = NEW) -> None:
        self.hashes = {} if hashes is NEW else hashes  # rel -> hashes skyspec wrote there
        self.recorded = {} if recorded is NEW else recorded  # `files`: rel -> the hash of the last build
        self.folders = set() if folders is NEW else folders  # folders skyspec created


def _parse_manifest(raw: bytes) -> _Manifest:
    """The manifest's entries that are well-formed and safe; anything else is ignored (an
    old manifest has `files` only; a garbled or forged one claims nothing it cannot)."""
    m = _Manifest()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return m
    if not isinstance(data, dict):
        return m
    files, pending, folders, staged = (data.get(k) for k in ("files", "pending", "folders", "staged"))
    for rel, h in (files.items() if isinstance(files, dict) else ()):
        if unsafe_path(rel) is None and isinstance(h, str) and _HEX64.match(h):
            m.hashes.setdefault(rel, set()).add(h)
            m.recorded[rel] = h
    # `pending`: the content being replaced by a build that was interrupted while renaming
    for rel, hs in (pending.items() if isinstance(pending, dict) else ()):
        if unsafe_path(rel) is None and isinstance(hs, list):
            m.hashes.setdefault(rel, set()).update(h for h in hs if isinstance(h, str) and _HEX64.match(h))
    # `staged`: files such a build staged and had not renamed yet, removed as stale
    for rel, h in (staged.items() if isinstance(staged, dict) else ()):
        folder, _, name = str(rel).rpartition("/")
        if (not folder or unsafe_path(folder) is None) and _STAGED_NAME.match(name) and isinstance(h, str) \
                and _HEX64.match(h):
            m.hashes.setdefault(rel, set()).add(h)
    if isinstance(folders, list):
        m.folders.update(rel for rel in folders if unsafe_path(rel) is None)
    else:  # written before folders were recorded: that writer rebuilt every folder in OUT
        for rel in m.hashes:
            m.folders.update(_parents(rel))
    return m


class _Tree:
    """OUT, opened once and walked through directory descriptors: every component is opened
    with O_NOFOLLOW, so no operation can pass through a symlink, whatever appears later.
    At most ``held`` folders stay open (the least recently used is closed first, and opened
    again through its parent the same way): one descriptor per folder made a 1,000-app
    build (1,015 folders) fail with EMFILE under the usual `ulimit -n` of 1,024. A
    descriptor :meth:`dir` returns is used at once, before the next call (which may close it);
    the root's is never closed."""

    def __init__(self, root_fd: int):
        self.fds: dict[str, int] = {"": root_fd}
        self.staged = 0
        self.pid = os.getpid()
        self.held = _held()
        self.full = False   # some were closed: keep the order of use from now on

    def dir(self, rel: str) -> int:
        fd = self.fds.get(rel)
        if fd is None:
            parent, _, name = rel.rpartition("/")
            fd = os.open(name, _DIR_FLAGS, dir_fd=self.dir(parent))
            if len(self.fds) > self.held:
                self.full = True
                os.close(self.fds.pop(next(r for r in self.fds if r)))   # the root stays first
            self.fds[rel] = fd
        elif self.full and rel:
            self.fds[rel] = self.fds.pop(rel)
        return fd

    def split(self, rel: str) -> tuple[int, str]:
        parent, _, name = rel.rpartition("/")
        return self.dir(parent), name

    def lstat(self, rel: str) -> os.stat_result | None:
        """None when ``rel`` or a folder above it is missing (a folder above it that is a
        symlink raises OSError: callers look at the folders above first)."""
        try:
            fd, name = self.split(rel)
            return os.stat(name, dir_fd=fd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def forget(self, rel: str) -> None:
        fd = self.fds.pop(rel, None)
        if fd is not None:
            os.close(fd)

    def new_file(self, folder_fd: int, data: bytes) -> str:
        """Write ``data`` to a new staged file in the folder; its name."""
        while True:
            self.staged += 1
            tmp = f"{_STAGED}{self.pid}-{self.staged}"
            try:
                f = os.open(tmp, _NEW_FLAGS, 0o666, dir_fd=folder_fd)
                break
            except FileExistsError:  # left by a process that was killed
                continue
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(f, view):]
        finally:
            os.close(f)
        return tmp

    def read(self, rel: str) -> bytes | None:
        """The content of a regular file; None for anything else (never opened unless
        lstat says it is a regular file, and then without following or blocking)."""
        st = self.lstat(rel)
        if st is None or not stat.S_ISREG(st.st_mode):
            return None
        fd, name = self.split(rel)
        f = os.open(name, _READ_FLAGS, dir_fd=fd)
        try:
            if not stat.S_ISREG(os.fstat(f).st_mode):
                return None
            chunks = []
            while True:
                chunk = os.read(f, 1 << 20)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
        finally:
            os.close(f)

    def walk(self) -> Iterable[tuple[str, str]]:
        """(rel, kind) of everything in OUT that is neither a folder nor a regular file nor
        a symlink; symlinked folders are not entered, unreadable ones are skipped (nothing
        in them is opened either). A folder is opened through its parent's descriptor, which
        is held only while folders in it wait to be opened, and at most ``held`` at once
        (beyond that, a folder is opened from OUT, component by component): a big tree must
        not hold a descriptor per folder, nor open each folder's path again."""
        stack: list[tuple[str, int | None]] = [("", None)]   # (folder, its parent's descriptor when held)
        waiting: dict[int, int] = {}   # a held descriptor -> its folders not opened yet

        def release(fd: int) -> None:
            waiting[fd] -= 1
            if not waiting[fd]:
                del waiting[fd]
                os.close(fd)

        try:
            while stack:
                rel, via = stack.pop()
                try:
                    fd = os.open(rel.rpartition("/")[2], _DIR_FLAGS, dir_fd=via) if via is not None else \
                        self._open_walked(rel)
                except PermissionError:
                    continue
                finally:
                    if via is not None:
                        release(via)
                try:
                    folders, special = [], []
                    with os.scandir(fd) as it:
                        for e in it:
                            if e.is_dir(follow_symlinks=False):
                                folders.append(e.name)
                            elif not (e.is_symlink() or e.is_file(follow_symlinks=False)):
                                special.append((e.name, _kind(e.stat(follow_symlinks=False).st_mode)))
                except BaseException as exc:
                    os.close(fd)
                    if isinstance(exc, PermissionError):
                        continue
                    raise
                if folders and len(waiting) < self.held:
                    waiting[fd] = len(folders)
                else:
                    os.close(fd)
                    fd = None
                prefix = f"{rel}/" if rel else ""
                stack.extend((prefix + name, fd) for name in folders)
                for name, kind in special:
                    yield prefix + name, kind
        finally:
            for fd in waiting:
                os.close(fd)

    def _open_walked(self, rel: str) -> int:
        """A new descriptor of the folder ``rel``, opened from OUT component by component."""
        fd = os.dup(self.fds[""])
        for name in rel.split("/") if rel else ():
            try:
                sub_fd = os.open(name, _DIR_FLAGS, dir_fd=fd)
            finally:
                os.close(fd)
            fd = sub_fd
        return fd

    def close(self) -> None:
        for rel, fd in self.fds.items():
            if rel:
                os.close(fd)
        os.close(self.fds[""])
        self.fds = {}


# ------------------------------------------------------------------------------- the entry point

def write_tree(out: Path, files: Mapping[str, str], diags: Diagnostics, guard: Path | None = None,
               protected: Iterable[Path] = (), where: Callable[[str], Pos | None] | None = None,
               scope: Callable[[str], bool] | None = None) -> bool:
    """Make ``out`` hold ``files`` (relative path -> text) as generated output; False, with
    the problems in ``diags``, when it cannot (then nothing was written, unless renaming
    itself failed: the manifest then knows both versions). ``guard`` is the
    project root: an output folder that is it, or holds it, is refused, and so is one reached
    through a symlink inside the project that leads out of it. ``protected`` are the folders
    of the project's spec and overlay files: the output can be neither one of them, nor
    inside one (unless it holds the project root), nor hold one. ``where`` locates an output
    path in the user's files (default: ``files.where`` when the mapping has one). ``scope``
    (default: ``files.scope``; None: everything) tells which paths this build replaces: the
    generated files outside it (other environments' of a partial build) are left as they
    are and stay in the manifest."""
    if not _SUPPORTED:
        diags.error("SKY902", "this platform cannot write output without following symlinks (it lacks openat and "
                              "O_NOFOLLOW)", hint="build on Linux or macOS")
        return False
    where = where or getattr(files, "where", None)
    scope = scope or getattr(files, "scope", None)
    if not _check_paths(files, diags, where):
        return False
    real = _check_place(Path(out), diags, guard, protected)
    if real is None:
        return False
    created_out: list[Path] = []
    try:
        if not os.path.lexists(real):
            missing = [p for p in [real, *real.parents] if not os.path.lexists(p)]
            os.makedirs(real)
            created_out = missing  # deepest first
        root_fd = os.open(real, _DIR_FLAGS)
    except OSError as exc:
        diags.error("SKY902", f"cannot write {real}: {exc.strerror or exc}", hint="check the path and permissions")
        return False
    tree = _Tree(root_fd)
    try:
        plan = _survey(tree, real, files, diags, scope)
        ok = plan is not None and _commit(tree, real, files, plan, diags)
    except OSError as exc:
        diags.error("SKY902", f"cannot write {real}: {exc.strerror or exc}", hint="check the path and permissions")
        ok = False
    finally:
        tree.close()
    if not ok:
        for p in created_out:  # an output folder this call created holds nothing now
            try:
                os.rmdir(p)
            except OSError:
                break
    return ok


def _check_paths(files: Mapping[str, str], diags: Diagnostics, where) -> bool:
    ok = True
    safe = []
    for rel in files:
        why = unsafe_path(rel)
        if why is not None:
            ok = False
            diags.error("SKY903", f"refusing to write output path {json.dumps(str(rel))[:200]}: {why}",
                        where(rel) if where else None,
                        hint="output file names are made of names; check the name or kind it was made from")
        else:
            safe.append(rel)
    for rel in sorted(_all_parents(safe) & set(files)):
        ok = False
        diags.error("SKY903", f'output path "{rel}" would be both a file and a folder', where(rel) if where else None,
                    hint="two output files are named so that one would have to be the other's folder")
    return ok


def _check_place(out: Path, diags: Diagnostics, guard: Path | None, protected: Iterable[Path]) -> Path | None:
    """The real output folder, or None when it may not be written."""
    lexical = Path(os.path.abspath(out))
    real = Path(os.path.realpath(lexical))
    if guard is not None:
        g = Path(os.path.realpath(guard))
        if real == g or g.is_relative_to(real):
            diags.error("SKY902", f"the output folder {real} holds the project itself",
                        hint="write into a folder of its own, e.g. `-o out/`")
            return None
        if lexical.is_relative_to(os.path.abspath(guard)) and not real.is_relative_to(g):
            diags.error("SKY903", f"the output folder {out} is inside the project, but a symlink in the project "
                                  f"leads it out of it, to {real}",
                        hint="remove the symlink, or name the real folder with -o")
            return None
    root = Path(os.path.realpath(guard)) if guard is not None else None
    for p in sorted({Path(os.path.realpath(p)) for p in protected}):
        holds_root = root is not None and root.is_relative_to(p)
        if real == p or p.is_relative_to(real) or (real.is_relative_to(p) and not holds_root):
            rel = "is" if real == p else ("holds" if p.is_relative_to(real) else "is inside")
            diags.error("SKY902", f"the output folder {real} {rel} {p}, a folder of the project's specs or overlays",
                        hint="write into a folder of its own, e.g. `-o out/`")
            return None
    if os.path.lexists(real) and not real.is_dir():
        diags.error("SKY902", f"the output path {real} is not a folder", hint="choose a folder for -o")
        return None
    return real


# ------------------------------------------------------------------------------- the plan

class _Plan(Record):
    def __init__(self, write: list[str], replaced: dict[str, str], stale: dict[str, str], mkdirs: list[str],
                 kept_folders: set[str], hashes: dict[str, str], data: dict[str, bytes], kept: dict[str, str],
                 manifest: bytes | None = None) -> None:
        self.write = write  # new or changed files
        self.replaced = replaced  # rel -> hash of the generated content being replaced
        self.stale = stale  # rel -> hash: generated before, not now; removed
        self.mkdirs = mkdirs  # folders to create, parents first
        self.kept_folders = kept_folders  # folders skyspec created before, that still exist
        self.hashes = hashes  # rel -> hash of the new content
        self.data = data
        self.kept = kept  # rel -> hash: generated files outside the scope, left as they are
        self.manifest = manifest  # the manifest as it was found (None: none, or not a file)


def _survey(tree: _Tree, real: Path, files: Mapping[str, str], diags: Diagnostics,
            scope: Callable[[str], bool] | None = None) -> _Plan | None:
    """What the build will do in OUT, found without changing anything; None (and the
    problems reported) when it must not go ahead."""
    ok = True

    def refuse(code: str, rel: str, what: str, hint: str) -> None:
        nonlocal ok
        ok = False
        diags.error(code, f"{real / rel} {what}", hint=hint)

    for rel, kind in sorted(tree.walk()):
        refuse("SKY902", rel, f"is a {kind}: skyspec does not write into a folder that holds special files",
               "remove it, or choose another output folder with -o")
    st = tree.lstat(MANIFEST)
    manifest, found = _Manifest(), None
    if st is not None and not stat.S_ISREG(st.st_mode):
        refuse("SKY901", MANIFEST, f"is a {_kind(st.st_mode)}, not skyspec's manifest; refusing to replace it",
               "move it away, or choose another output folder with -o")
    elif st is not None:
        found = tree.read(MANIFEST)
        manifest = _parse_manifest(found or b"")
    if not ok:
        return None

    types: dict[str, os.stat_result | None] = {}

    def lstat(rel: str) -> os.stat_result | None:
        if rel not in types:
            types[rel] = tree.lstat(rel)
        return types[rel]

    def reachable(rel: str) -> str | None:
        """None when every folder above ``rel`` is a real folder or missing; else the first
        one that is not."""
        for parent in _parents(rel):
            pst = lstat(parent)
            if pst is None:
                return None
            if not stat.S_ISDIR(pst.st_mode):
                return parent
        return None

    def generated(rel: str) -> tuple[str | None, bytes | None]:
        """(hash, content) when ``rel`` is a regular file whose content skyspec wrote."""
        content = tree.read(rel)
        if content is None:
            return None, None
        h = hashes[rel] if rel in data and content == data[rel] else _sha256(content)  # the same bytes: hashed once
        return (h if h in manifest.hashes.get(rel, ()) else None), content

    hashes = {}
    data = {}
    write, replaced, mkdirs = [], {}, []
    for rel, text in files.items():
        data[rel] = b = text.encode("utf-8")
        hashes[rel] = _sha256(b)
    want_folders = _all_parents(files)
    created: set[str] = set()   # folders this build creates: what they would hold is known missing, not looked up
    for rel in sorted(want_folders):  # parents first
        pst = None if rel.rpartition("/")[0] in created else lstat(rel)
        if pst is None:
            if reachable(rel) is None:
                mkdirs.append(rel)
                created.add(rel)
        elif stat.S_ISLNK(pst.st_mode):
            refuse("SKY903", rel, "is a symlink: skyspec does not write through symlinks",
                   "remove the symlink, or choose another output folder with -o")
        elif not stat.S_ISDIR(pst.st_mode):
            refuse("SKY901", rel, f"is a {_kind(pst.st_mode)} where the output needs a folder; refusing to replace it",
                   "move it away, or choose another output folder with -o")
    if not ok:
        return None
    for rel in sorted(files):
        pst = None if rel.rpartition("/")[0] in created else lstat(rel)
        if pst is None:
            write.append(rel)
            continue
        if stat.S_ISLNK(pst.st_mode) or not stat.S_ISREG(pst.st_mode):
            refuse("SKY901", rel, f"is a {_kind(pst.st_mode)} skyspec did not create; refusing to replace it",
                   "move it away, or choose another output folder with -o")
            continue
        h, content = generated(rel)
        if h is None and content == data[rel]:
            continue  # already what this build writes (a manifest lost, or not committed): nothing to lose
        if h is None and rel in manifest.hashes:
            ok = False
            diags.error("SKY904", "this generated file was edited by hand since skyspec wrote it; refusing to "
                                  "overwrite the edit", Pos(shown_path(real / rel), 1, 1),
                        hint="move your change into the spec (or an overlay), or delete the file to have it "
                             "generated again")
        elif h is None:
            refuse("SKY901", rel, "exists and was not generated by skyspec; refusing to overwrite it",
                   "move the file away (or delete it, to have it generated again), or choose another output "
                   "folder with -o")
        elif content != data[rel]:
            write.append(rel)
            replaced[rel] = h
    if not ok:
        return None
    stale, kept = {}, {}
    for rel in sorted(set(manifest.hashes) - set(files)):
        if reachable(rel) is not None or lstat(rel) is None:
            continue  # under something that is not a folder now: not ours to look into
        h, content = generated(rel)
        if scope is not None and not scope(rel) and not _STAGED_NAME.match(rel.rpartition("/")[2]):
            # another build's (a partial build leaves the other environments' files alone):
            # still skyspec's, even when edited since (the build that owns it says so)
            if content is not None and rel in manifest.recorded:
                kept[rel] = h or manifest.recorded[rel]
        elif h is not None:
            stale[rel] = h   # a file edited since, or anything else there, is the user's now
    kept_folders = set()
    for rel in manifest.folders:
        fst = lstat(rel) if reachable(rel) is None else None
        if fst is not None and stat.S_ISDIR(fst.st_mode):
            kept_folders.add(rel)
    return _Plan(write, replaced, stale, mkdirs, kept_folders, hashes, data, kept, found)


# ------------------------------------------------------------------------------- the writes

def _manifest_bytes(hashes: dict[str, str], folders: set[str], pending: dict[str, list[str]] | None = None,
                    staged: dict[str, str] | None = None) -> bytes:
    doc: dict = {"generator": "skyspec", "files": hashes, "folders": sorted(folders)}
    if pending:
        doc["pending"] = pending
    if staged:
        doc["staged"] = staged
    return (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _commit(tree: _Tree, real: Path, files: Mapping[str, str], plan: _Plan, diags: Diagnostics) -> bool:
    """Stage, then rename into place, then remove what is stale. A staging failure undoes
    the staging and leaves OUT as it was. A build that changes no file writes no manifest
    either when the one there says what it would (nothing at all is written then)."""
    staged: list[tuple[str, str]] = []   # (rel, staged name in the same folder)
    created: list[str] = []
    changes = bool(plan.mkdirs or plan.write or plan.stale)
    manifest = None
    try:
        for rel in plan.mkdirs:
            fd, name = tree.split(rel)
            os.mkdir(name, 0o777, dir_fd=fd)
            created.append(rel)
        for rel in plan.write:
            staged.append((rel, tree.new_file(tree.split(rel)[0], plan.data[rel])))
        # the manifest goes in first, naming the old content too: were the renames
        # interrupted, the next build still recognises every file as its own
        pending = {rel: [h] for rel, h in {**plan.replaced, **plan.stale}.items()}
        tmps = {"/".join(filter(None, (rel.rpartition("/")[0], tmp))): plan.hashes[rel] for rel, tmp in staged}
        if changes:  # else there is nothing to rename or remove
            manifest = tree.new_file(tree.dir(""), _manifest_bytes({**plan.kept, **plan.hashes},
                                                                   plan.kept_folders | set(created), pending, tmps))
    except OSError as exc:
        for rel, tmp in staged:
            try:
                os.unlink(tmp, dir_fd=tree.split(rel)[0])
            except OSError:
                pass
        for rel in reversed(created):
            tree.forget(rel)
            try:
                fd, name = tree.split(rel)
                os.rmdir(name, dir_fd=fd)
            except OSError:
                pass
        diags.error("SKY902", f"cannot write into {real}: {exc.strerror or exc}; the previous output is unchanged",
                    hint="check free space and permissions")
        return False
    # from here on nothing needs undoing: each rename replaces one name atomically
    root = tree.dir("")
    if manifest is not None:
        os.replace(manifest, MANIFEST, src_dir_fd=root, dst_dir_fd=root)
    for rel, tmp in staged:
        fd, name = tree.split(rel)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    emptied: set[str] = set()
    for rel in plan.stale:
        fd, name = tree.split(rel)
        try:
            os.unlink(name, dir_fd=fd)
        except FileNotFoundError:
            continue
        emptied.update(_parents(rel))
    # a folder skyspec created that a stale file was removed from goes too, when empty and
    # no longer needed; deepest first, so that its parent can follow. The manifest records
    # the folders of this output that skyspec created; one it no longer needs but cannot
    # remove (the user put something in it) is the user's from now on.
    needed = _all_parents([*files, *plan.kept])
    for rel in sorted((emptied & plan.kept_folders) - needed, key=lambda r: -r.count("/")):
        tree.forget(rel)
        fd, name = tree.split(rel)
        try:
            os.rmdir(name, dir_fd=fd)  # a real folder (kept_folders), never a symlink; empty only
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.ENOENT):
                raise
    folders = (plan.kept_folders & needed) | set(created)
    final = _manifest_bytes({**plan.kept, **plan.hashes}, folders)
    if changes or final != plan.manifest:
        os.replace(tree.new_file(root, final), MANIFEST, src_dir_fd=root, dst_dir_fd=root)
    return True


def _all_parents(files: Iterable[str]) -> set[str]:
    """The folders above the (safe) paths: each folder's own parents looked at once, not
    once per file in it (done three times per file, that was 12% of the writer's instructions)."""
    out: set[str] = set()
    for folder in {rel.rpartition("/")[0] for rel in files}:
        while folder and folder not in out:
            out.add(folder)
            folder = folder.rpartition("/")[0]
    return out

