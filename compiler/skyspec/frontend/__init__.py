"""Frontend: source files (YAML, TOML) into positioned documents.

Files are untrusted (they come from pull requests): :func:`load_file` refuses anything but a
regular file without opening it, checks the size before reading, reads bytes and decodes
them itself (a UTF-8 BOM is dropped; bytes that are not UTF-8 are a located error, never an
exception), and the parsers enforce the nesting and alias limits of
:class:`~skyspec.limits.Limits`. A ``.py`` spec file is run by the Python builders' front end
(:func:`skyspec.builders.load.load_python`), which sits above this package: a caller that
accepts Python files passes it to :func:`load_file` as ``python=``. Nothing here may block on
a special file, read more than the size limit, let a malformed file raise out of the loader,
or import the builders, the API or the pipeline.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

from ..contain import note_read
from ..diagnostics import Diagnostics, Pos, Sources
from ..limits import DEFAULT, Limits, hint
from .loc import Loc, SourceDoc, uniform_loc

__all__ = ["Loc", "PythonLoader", "SourceDoc", "load_file", "load_text", "uniform_loc"]

# (path, shown, diags) -> the documents of a `.py` file
PythonLoader = Callable[[Path, str, Diagnostics], list[SourceDoc]]

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_READ_HINT = "check that the file exists and that this user may read it"
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def load_text(text: str, file: str, diags: Diagnostics, limits: Limits = DEFAULT,
              core: bool = False) -> list[SourceDoc]:
    """Parse by file extension: .toml is TOML, everything else YAML (``core``: YAML 1.1's
    `yes`/`no`/`on`/`off` are text, as YAML 1.2 reads them)."""
    text = _no_bom(text)
    n = len(text)  # a character is 1 to 4 bytes in UTF-8: encode only when it matters
    if n * 4 > limits.file_bytes and (
            _too_large(n, file, diags, limits, "at least ") if n > limits.file_bytes
            else _too_large(len(text.encode("utf-8", "replace")), file, diags, limits)):
        return []
    if file.endswith(".toml"):
        from .tomlsrc import load_toml

        return load_toml(text, file, diags, limits)
    from .yamlsrc import load_yaml

    return load_yaml(text, file, diags, limits, core)


def _no_bom(text: str) -> str:
    """``text`` without a leading UTF-8 byte order mark (positions then count from the text)."""
    return text[1:] if text[:1] == "\ufeff" else text


def _too_large(size: int, shown: str, diags: Diagnostics, limits: Limits, at_least: str = "") -> bool:
    if size <= limits.file_bytes:
        return False
    diags.error("SKY008", f"{shown} is {at_least}{size:,} bytes, more than the {limits.file_bytes:,} a file may have",
                Pos(shown, 1, 1), hint=hint("file_bytes", limits.file_bytes))
    return True


def _read(path: Path, shown: str, diags: Diagnostics, limits: Limits) -> bytes | None:
    """The bytes of a regular file of at most ``limits.file_bytes``, or None (reported)."""
    try:
        st = os.stat(path)  # never open() first: opening a FIFO or a tty blocks
    except (OSError, ValueError) as exc:
        diags.error("SKY003", f"cannot read {shown}: {exc.__class__.__name__}: {exc}", Pos(shown, 1, 1),
                    hint=_READ_HINT)
        return None
    if not stat.S_ISREG(st.st_mode):
        what = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        diags.error("SKY007", f"{shown} is {what}, not a regular file", Pos(shown, 1, 1),
                    hint="spec, overlay and template files must be regular files; remove it or rename it "
                         "so that no glob of the project matches it")
        return None
    if _too_large(st.st_size, shown, diags, limits):
        return None
    cap = limits.file_bytes + 1
    chunks: list[bytes] = []
    try:  # O_NONBLOCK: were the path swapped for a FIFO since the stat, neither open nor read would wait
        fd = os.open(path, _OPEN_FLAGS)
        try:
            size, total = min(st.st_size + 1, cap), 0  # one read to the end, one to see the end
            while total < cap:
                chunk = os.read(fd, size)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                size = min(cap - total, 1 << 20)
        finally:
            os.close(fd)
    except OSError as exc:
        diags.error("SKY003", f"cannot read {shown}: {exc.__class__.__name__}: {exc}", Pos(shown, 1, 1),
                    hint=_READ_HINT)
        return None
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if _too_large(len(data), shown, diags, limits):  # it grew since the stat
        return None
    return data


def _decode(data: bytes, shown: str, diags: Diagnostics) -> str | None:
    """UTF-8 text without a leading byte order mark, or None: bytes that are not UTF-8 are
    reported at the line and column of the first bad one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start
        start = data.rfind(b"\n", 0, at) + 1
        head = data[start:at].decode("utf-8")
        if start == 0 and head[:1] == "\ufeff":
            head = head[1:]
        line, col = data.count(b"\n", 0, at) + 1, len(head) + 1
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        diags.error("SKY006", f"{shown} is not UTF-8 text: byte 0x{data[at]:02x} here is not part of a UTF-8 character",
                    Pos(shown, line, col, col + 1),
                    hint="the file looks like UTF-16: save it as UTF-8" if utf16 else "save the file as UTF-8")
        return None
    if "\r" in text:  # line ends as text mode reads them (what the parsers have always been given)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _no_bom(text)


def load_file(path: Path, shown: str, diags: Diagnostics, sources: Sources | None = None,
              limits: Limits = DEFAULT, python: PythonLoader | None = None, core: bool = False) -> list[SourceDoc]:
    """Read and parse one file; ``shown`` is the name used in diagnostics. Special files,
    files over ``limits.file_bytes`` and bytes that are not UTF-8 are reported, never read
    (or never raised). A ``.py`` file is run by ``python`` when given
    (:func:`skyspec.builders.load.load_python`), else parsed like any file that is not TOML.
    When ``sources`` holds an override for ``path`` (:meth:`Sources.override`), that text is
    parsed instead of the file's (a `.py` file still runs from disk). ``core``: as
    :func:`load_text` (a file so read is not cached: the cache holds spec files' readings)."""
    override = sources.override(path) if sources is not None else None
    if override is not None:  # an editor's unsaved text (the file itself passed the caller's checks)
        data, text = b"", override.replace("\r\n", "\n").replace("\r", "\n")
    else:
        data = _read(path, shown, diags, limits)
        note_read(path, data)  # for the run cache, while a run is watched (:func:`..contain.watching`)
        text = None if data is None else _decode(data, shown, diags)
    if text is None:
        if sources is not None:  # a code frame shows what can be shown, and never reads the file again
            sources.register(shown, "" if data is None else _no_bom(data.decode("utf-8", "replace")))
        return []
    if sources is not None:
        sources.register(shown, text)
    if python is not None and path.suffix == ".py":
        return python(path, shown, diags)
    cache = getattr(sources, "doc_cache", None) if override is None and not core else None
    if cache is None:
        return load_text(text, shown, diags, limits, core)
    docs, name = cache.get(text, shown, limits)  # :mod:`.doccache`: signed entries only
    if docs is None:
        fresh = Diagnostics()  # what this parse reports, even a problem `diags` holds already
        docs = load_text(text, shown, fresh, limits)
        if not fresh.items:
            cache.put(name, docs)
        diags.extend(fresh)
    return docs
