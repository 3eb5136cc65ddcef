"""Diagnostics: located, coded problems, collected (never raised) and rendered like rustc.

Every stage appends to a :class:`Diagnostics` collector instead of stopping at the first
problem, so one run reports everything. A diagnostic always points into a *user's* file
(spec, overlay, project file or Python builder), never into generated output, except the
output checks, which are about an output file itself (SKY904 a hand edit, SKY905 `build --check`).

The collector owns a :class:`~skyspec.redact.Redactor`: stages that meet a secret register
it there, and every diagnostic added carries that redactor, so each renderer (text, JSON,
SARIF) scrubs messages, hints, notes and code frames without the caller passing anything.
This module must not decide what is secret (the stages do) nor print anything itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

from .redact import Redactor, mask_syntax_line


class Pos(NamedTuple):
    """A position in a source file: 1-based line and column; ``end`` is the exclusive end
    column on the same line (0 when unknown). A tuple: there are ~100 per spec file, and a
    tuple is several times cheaper to make than a frozen dataclass."""

    file: str
    line: int
    col: int
    end: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def __reduce__(self):
        """Pickled (the document cache, the workers' results) as a call of tuple's own
        constructor: a NamedTuple's ``__new__`` is Python, and unpickling the ~100,000
        positions of a 1,000-app project through it was 14% of a warm check's parent."""
        return tuple.__new__, (Pos, tuple(self))


@dataclass(slots=True)
class Diagnostic:
    code: str
    message: str
    pos: Pos | None = None
    severity: str = "error"  # error | warning | note
    hint: str | None = None
    notes: list[str] = field(default_factory=list)
    redactor: Any = field(default=None, repr=False, compare=False)  # set by the collector that holds it

    def sort_key(self) -> tuple:
        p = self.pos
        return (p.file if p else "", p.line if p else 0, p.col if p else 0, self.code, self.message)

    def as_dict(self) -> dict:
        d: dict = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.pos:
            d.update(file=self.pos.file, line=self.pos.line, column=self.pos.col)
            if self.pos.end:
                d["end_column"] = self.pos.end
        if self.hint:
            d["hint"] = self.hint
        if self.notes:
            d["notes"] = list(self.notes)
        return d

    def redacted(self) -> "Diagnostic":
        """A copy with secrets scrubbed from message, hint and notes (for callers that
        hand diagnostics on, such as the Python API's SpecError)."""
        r = self.redactor or Redactor()
        return Diagnostic(self.code, r.scrub(self.message), self.pos, self.severity,
                          r.scrub(self.hint) if self.hint else self.hint, [r.scrub(n) for n in self.notes], r)


class Diagnostics:
    """A collector. Stages call :meth:`error` / :meth:`warning`; callers check
    :attr:`has_errors` between stages and stop before writing anything. :attr:`redactor`
    holds the secrets met so far; every diagnostic added is rendered through it."""

    def __init__(self) -> None:
        self.redactor = Redactor()
        self.items: list[Diagnostic] = []
        self._seen: set[tuple] = set()
        self.error_count = 0  # every error reported, including repeats folded into one item

    def add(self, d: Diagnostic) -> Diagnostic:
        if d.severity == "error":
            self.error_count += 1
        if d.redactor is not None and d.redactor is not self.redactor:
            self.redactor.merge(d.redactor)
        d.redactor = self.redactor
        key = (d.code, d.message, d.pos, d.severity)
        if key not in self._seen:  # the same problem seen from several environments
            self._seen.add(key)
            self.items.append(d)
        return d

    def error(self, code: str, message: str, pos: Pos | None = None, hint: str | None = None,
              notes: Iterable[str] = ()) -> Diagnostic:
        return self.add(Diagnostic(code, message, pos, "error", hint, list(notes)))

    def warning(self, code: str, message: str, pos: Pos | None = None, hint: str | None = None,
                notes: Iterable[str] = ()) -> Diagnostic:
        return self.add(Diagnostic(code, message, pos, "warning", hint, list(notes)))

    def extend(self, other: "Diagnostics") -> None:
        self.redactor.merge(other.redactor)
        for d in other.items:
            self.add(d)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        """What is shown, in order. A warning whose error twin is here too (the same code and
        words at the same place: a policy rule that is an error in a protected environment,
        whose note says so) is one problem, shown as the error."""
        errors = {(d.code, d.message, d.pos) for d in self.items if d.severity == "error"}
        return sorted((d for d in self.items if d.severity != "warning" or (d.code, d.message, d.pos) not in errors),
                      key=Diagnostic.sort_key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint, or None when nothing is close."""
    import difflib  # for a problem's hint only: a run without one never loads it

    cands = [c for c in candidates if isinstance(c, str)]
    best = difflib.get_close_matches(word, cands, n=1, cutoff=0.6)
    if best:
        return f'did you mean "{best[0]}"?'
    return None


def name_hint(word: str, candidates: Iterable[str], what: str) -> str:
    """A hint for a name that names nothing: 'did you mean' the closest of ``candidates``,
    or else the candidates themselves (``what``: "workloads: a, b, c"), or else that there
    are no ``what``."""
    cands = sorted({c for c in candidates if isinstance(c, str)})
    close = did_you_mean(word, cands)
    if close:
        return close
    if not cands:
        return f"there are no {what} here"
    shown = ", ".join(cands[:10]) + (f" and {len(cands) - 10} more" if len(cands) > 10 else "")
    return f"{what}: {shown}"


def in_python(pos: Pos | None) -> bool:
    """Whether ``pos`` is in a Python file (a builder's line): a fix is then a builder call."""
    return pos is not None and str(pos.file).endswith(".py")


def spelled(pos: Pos | None, yaml: str, python: str) -> str:
    """A hint in the language of the file it points into: ``python`` (a builder call such as
    ``.use("postgres")``) at a Python line, ``yaml`` (the spec field) anywhere else."""
    return python if in_python(pos) else yaml


# --------------------------------------------------------------------------- rendering

class Sources:
    """Caches source file lines for code frames. A registered text is split into lines only
    when a frame needs one of them (most files never do, and a large one would cost a
    string per line). ``overrides`` are texts held in memory in place of files on disk (a
    language server's unsaved editor buffers), by path: :func:`skyspec.frontend.load_file`
    parses such a text instead of reading the file, and nothing else changes."""

    def __init__(self, overrides: "Mapping[Any, str] | None" = None) -> None:
        self._lines: dict[str, list[str]] = {}
        self._texts: dict[str, str] = {}
        self.overrides: dict[str, str] = {}
        self.doc_cache = None  # the project's parsed documents (skyspec.frontend.doccache), when on
        if overrides:
            self.set_overrides(overrides)

    def set_overrides(self, overrides: "Mapping[Any, str]") -> None:
        import os

        self.overrides = {os.path.realpath(p): text for p, text in overrides.items()}

    def override(self, path: Any) -> str | None:
        """The in-memory text standing for the file at ``path``, or None (read the file)."""
        if not self.overrides:
            return None
        import os

        return self.overrides.get(os.path.realpath(path))

    def register(self, file: str, text: str) -> None:
        self._texts[file] = text
        self._lines.pop(file, None)

    def line(self, file: str, n: int) -> str | None:
        lines = self._lines.get(file)
        if lines is None:
            text = self._texts.pop(file, None)
            lines = self._lines[file] = editor_lines(text) if text is not None else _read_lines(file)
        if 1 <= n <= len(lines):
            return lines[n - 1]
        return None


_FRAME_MAX_BYTES = 16 * 1024 * 1024


def _read_lines(file: str) -> list[str]:
    """The lines of ``file`` for code frames: a regular file of at most 16 MiB, decoded with
    replacement characters for bytes that are not UTF-8; otherwise none (a frame never opens
    a FIFO or a device, nor reads a huge file, nor follows a symbolic link: a position on a
    link is the refusal of one that leads out of the project, chart or folder, and its frame
    would print what it leads to, `~/.aws/credentials`)."""
    import os
    import stat

    try:
        st = os.lstat(file)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _FRAME_MAX_BYTES:
            return []
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as fh:
            text = fh.read(_FRAME_MAX_BYTES).decode("utf-8", "replace")
    except (OSError, ValueError):
        return []
    return editor_lines(text[1:] if text[:1] == "\ufeff" else text)


def editor_lines(text: str) -> list[str]:
    """``text``'s lines as editors, grep and GitHub count them (ended by \\n, \\r\\n or \\r; not
    by the form feed, NEL or LS that ``str.splitlines`` also breaks at), which are the lines
    that positions count."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


_unsafe = None


def printable(text: str) -> str:
    """``text`` safe to print as (part of) one line of a terminal or a CI log: control
    characters (a line break or an escape sequence in a file name or a key, which would start
    a line of its own, such as a CI's `::error::` workflow command, or drive the terminal),
    Unicode's line and paragraph separators and its bidirectional controls (which reorder
    what is shown) are written as escapes (`\\n`, `\\x1b`, `\\u202e`); a tab stays."""
    if text.isprintable():  # (the C-speed test: nearly every text)
        return text
    global _unsafe
    if _unsafe is None:
        import re

        _unsafe = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                             "\u2066-\u2069]")
    return _unsafe.sub(_escaped, text)


def _escaped(m) -> str:
    c = m.group()
    o = ord(c)
    return "\\n" if c == "\n" else "\\r" if c == "\r" else f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def _printable_frame(text: str, col: int, end: int) -> tuple[str, int, int]:
    """A frame's line made :func:`printable`, with its columns moved past the escapes."""
    shown = printable(text)
    if shown is text:
        return text, col, end

    def moved(c: int) -> int:
        return len(printable(text[:c - 1])) + 1 if c > 0 else c

    return shown, moved(col), moved(end) if end else 0


_FRAME_WIDTH = 160


def _clip(text: str, col: int) -> tuple[str, int]:
    """A code frame's line, cut to a window of ``_FRAME_WIDTH`` characters around ``col``
    when longer (a minified or hostile line may be megabytes), and the column within it."""
    if len(text) <= _FRAME_WIDTH:
        return text, col
    start = max(0, min(col - 1 - _FRAME_WIDTH // 4, len(text) - _FRAME_WIDTH))
    head = "..." if start else ""
    tail = "..." if start + _FRAME_WIDTH < len(text) else ""
    return head + text[start:start + _FRAME_WIDTH] + tail, col - start + len(head)


SYNTAX_CODES = {"SKY001": ":", "SKY002": "="}  # a file that did not parse: YAML, TOML


def redactor_of(diags: Iterable[Diagnostic], lines: Iterable[tuple[str, int]] | None = None) -> Redactor:
    """The redactor that renders ``diags``: theirs (the union, if they came from several
    collectors), with ``lines`` hidden too."""
    return Redactor.union((d.redactor for d in diags), lines or ())


def _frame(d: Diagnostic, sources: Sources, red: Redactor) -> list[str]:
    """The code frame of ``d``: none where the line holds a secret; a line of a file that
    did not parse with its values masked (its kind, hence what is secret, is unknown)."""
    p = d.pos
    if not (p and p.line) or red.hides(p.file, p.line):
        return []
    text = sources.line(p.file, p.line)
    if text is None:
        return []
    text = text.rstrip()
    col, end = p.col, p.end
    sep = SYNTAX_CODES.get(d.code)
    if sep is not None:
        text, cols = mask_syntax_line(text, sep)
        col = cols[min(max(col - 1, 0), len(cols) - 1)] + 1
        end = cols[min(end - 1, len(cols) - 1)] + 1 if end > p.col else 0
    if red.scrub(text) != text:
        return []
    text, col, end = _printable_frame(text, col, end)
    shown, at = _clip(text, col)
    num = str(p.line)
    pad = " " * len(num)
    width = max(1, (end - col) if end > col else 1)
    return [f" {num} | {shown}", f" {pad} | {' ' * (at - 1)}{'^' * min(width, _FRAME_WIDTH)}"]


_SGR = {"bold": "1", "red": "31", "yellow": "33", "cyan": "36"}
_SEVERITY_COLOR = {"error": "red", "warning": "yellow"}


def paint(text: str, *styles: str, on: bool = True) -> str:
    """``text`` in ANSI ``styles`` (bold, red, yellow, cyan) when ``on``; as is otherwise."""
    if not on or not text:
        return text
    return f"\x1b[{';'.join(_SGR[s] for s in styles)}m{text}\x1b[0m"


def render_text(diags: Iterable[Diagnostic], sources: Sources | None = None,
                redact_lines: set[tuple[str, int]] | None = None, color: bool = False) -> str:
    """rustc-style text: ``file:line:col: error[SKY104]: message`` + code frame + help,
    scrubbed by the diagnostics' redactor (``redact_lines``: more lines to hide). With
    ``color`` (the caller decides: a terminal, no NO_COLOR), the severity is red or yellow,
    the location and code bold, the caret in the severity's colour."""
    sources = sources or Sources()
    diags = list(diags)
    red = redactor_of(diags, redact_lines)
    out: list[str] = []
    for d in diags:
        # scrubbed piece by piece, before painting: an escape sequence never splits a secret
        hue = _SEVERITY_COLOR.get(d.severity, "cyan")
        where = paint(printable(red.scrub(f"{d.pos}:")), "bold", on=color) + " " if d.pos else ""
        block = [f"{where}{paint(d.severity, 'bold', hue, on=color)}{paint(f'[{d.code}]', 'bold', on=color)}: "
                 f"{printable(red.scrub(d.message))}"]
        frame = [red.scrub(line) for line in _frame(d, sources, red)]
        if frame and color:
            bar, _, carets = frame[1].partition("| ")
            frame[1] = f"{bar}| {paint(carets, 'bold', hue)}"
        block += frame
        for n in d.notes:
            block.append(f"   = {paint('note', 'bold', on=color)}: {printable(red.scrub(n))}")
        if d.hint:
            block.append(f"   {paint('help', 'bold', on=color)}: {printable(red.scrub(d.hint))}")
        out.append("\n".join(block))
    return "\n".join(out) + ("\n" if out else "")


def render_json(diags: Iterable[Diagnostic]) -> str:
    """The diagnostics as a JSON list. Only the text that can hold user data (message, hint,
    notes, file) is scrubbed of secrets: the keys and the codes are skyspec's, and a secret
    that happens to read `file` or `error` must not break the format consumers parse."""
    diags = list(diags)
    red = redactor_of(diags)
    out = []
    for d in diags:
        item = d.as_dict()
        for k in ("message", "hint", "file"):
            if k in item:
                item[k] = red.scrub(str(item[k]))
        if "notes" in item:
            item["notes"] = [red.scrub(n) for n in item["notes"]]
        out.append(item)
    return json.dumps(out, indent=2, sort_keys=True) + "\n"


def render_sarif(diags: Iterable[Diagnostic], version: str, titles: dict[str, str] | None = None,
                 help_uri=None) -> str:
    """SARIF 2.1.0; ``titles`` maps a code to its one-line title (the registry sits above
    this module, so the caller passes it in); ``help_uri(code)``, the address of the code's
    documentation, goes in each rule's `helpUri` (where SARIF puts it: a result names its
    rule by `ruleId` and `ruleIndex`, and viewers link the result to the rule's help)."""
    titles = titles or {}
    diags = list(diags)
    red = redactor_of(diags)
    rules = sorted({d.code for d in diags})
    index = {c: i for i, c in enumerate(rules)}
    results = []
    for d in diags:
        r: dict = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": {"error": "error", "warning": "warning"}.get(d.severity, "note"),
            # only user text is scrubbed (see render_json)
            "message": {"text": red.scrub(d.message + (f" ({d.hint})" if d.hint else ""))},
        }
        if d.pos:
            region = {"startLine": d.pos.line, "startColumn": d.pos.col}
            if d.pos.end:
                region["endColumn"] = d.pos.end
            r["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": red.scrub(str(d.pos.file))}, "region": region}}]
        results.append(r)
    doc = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "skyspec", "version": version,
                "rules": [{"id": c, "shortDescription": {"text": titles.get(c, c)},
                           **({"helpUri": help_uri(c)} if help_uri else {})}
                          for c in rules],
            }},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
