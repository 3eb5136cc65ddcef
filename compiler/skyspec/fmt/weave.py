"""Writing a formatted file: each document dumped by ruamel, then its comments woven back in.

ruamel dumps the document without comments; composing that text again gives the line and
column of every entry, by the same paths the source's entries have (:mod:`.source`), so each
comment goes back beside what it described, wherever the new order put it:

- a comment before an entry goes on the lines above it, at its indentation;
- an end-of-line comment goes at the end of the entry's first line, at its old column when
  the line is shorter than that, else two spaces after it;
- a comment that closed an entry goes after the entry's last line, at its indentation;
- a document's head and tail comments stay at its top and bottom.

Blank lines are kept where the author put one (a run of them becomes one), never at the top
of a document or collection. Documents are joined by `---` lines; a leading `---` (and any
comment before it or on it) is kept. Nothing here decides the key order or styles, reads
files, or checks the result.
"""

from __future__ import annotations

from collections import defaultdict

from .layout import Built, build, layout
from .order import Shape
from .source import Doc, Note, Slot, Unsupported, dash_of
from .yamlio import CommentedSeq, compose_all, dump


def _last_line(node, lines: list[str]) -> int:
    """The last line of ``node``'s text (-1 for an empty value, which adds none)."""
    if node.id == "scalar" and not node.style and node.value == "":
        return -1  # `key:` with no value: placed by ruamel at the next token, it adds no line
    if node.id == "scalar":
        e = node.end_mark
        if node.style in ("|", ">") and e.column == 0 and e.line > node.start_mark.line:
            return e.line - 1
        return e.line
    if node.flow_style or not node.value:
        return node.end_mark.line
    if node.id == "mapping":
        k, v = node.value[-1]
        return max(_last_line(k, lines), _last_line(v, lines))
    last = node.value[-1]
    return max(dash_of(lines, last.start_mark.line, last.start_mark.column)[0], _last_line(last, lines))


def _positions(root, lines: list[str]) -> dict[tuple, tuple[int, int, int]]:
    """path -> (line, column, last line) of every entry of a block collection in ``root``."""
    out: dict[tuple, tuple[int, int, int]] = {}
    stack = [((), root)]
    while stack:
        path, node = stack.pop()
        if getattr(node, "flow_style", False):
            continue
        if node.id == "mapping":
            for k, v in node.value:
                p = path + (k.value,)
                out[p] = (k.start_mark.line, k.start_mark.column, max(_last_line(k, lines), _last_line(v, lines)))
                stack.append((p, v))
        elif node.id == "sequence":
            for i, v in enumerate(node.value):
                p = path + (i,)
                line, col = dash_of(lines, v.start_mark.line, v.start_mark.column)
                out[p] = (line, col, max(line, _last_line(v, lines)))
                stack.append((p, v))
    return out


def _keep_ends(root, lines: list[str]) -> set[int]:
    """The last lines of block scalars that keep their final line breaks (`|+`, `>+`): a blank
    line added after one would be part of its text."""
    out: set[int] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n.id == "mapping":
            stack.extend(x for kv in n.value for x in kv)
        elif n.id == "sequence":
            stack.extend(n.value)
        elif n.style in ("|", ">"):
            header = lines[n.start_mark.line][n.start_mark.column:].split(" ", 1)[0]
            if "+" in header:
                out.add(_last_line(n, lines))
    return out


def _note_line(note: Note, col: int) -> str:
    return " " * col + note.text


def _body(doc: Doc, shape: Shape | None) -> list[str]:
    """The document's lines, comments included (head and tail apart)."""
    built = Built()
    obj = build(doc.root, shape, doc.commented, built)
    if isinstance(obj, (dict, list)):
        if obj:
            layout(obj, (), 2 if isinstance(obj, CommentedSeq) else 0, doc.commented)
        else:
            obj.fa.set_flow_style()
    text = dump(obj)
    if text.endswith("\n...\n"):  # a scalar document: the end marker is not needed
        text = text[:-4]
    lines = text.split("\n")[:-1]
    (out_root,) = compose_all(text, folds=False)
    pos = _positions(out_root, lines)
    before: dict[int, list] = defaultdict(list)   # line -> [(blank, text or None)]
    eol: dict[int, list[Note]] = defaultdict(list)
    after: dict[int, list] = defaultdict(list)
    margin: dict[int, int] = {}  # line -> the column of the outermost entry starting on it
    for line, col, _ in pos.values():
        margin[line] = min(col, margin.get(line, col))
    for s in doc.slots:
        at = _place_of(s, pos)
        if at is None:
            continue
        line, own_col, last = pos[at]
        col = margin[line]  # comments above a line go at its outermost entry's indentation
        own = at == s.path
        first = s.path in built.first
        notes = s.before if own else s.before + s.eol + s.after
        items = []
        for n in notes:
            items.append([n.blank_before, _note_line(n, col)])
        if own:
            items.append([s.blank_before, None])
        if first and items and not (s.parent is None and doc.head):
            items[0][0] = False
        before[line].extend(items)
        if own:
            eol[line].extend(s.eol)
            after[last].extend((-len(s.path), n.blank_before, _note_line(n, own_col)) for n in s.after)
    keep = _keep_ends(out_root, lines)
    end = len(lines) - 1
    for table in (before, after):  # nothing may fall past the last line
        for i in [i for i in table if i > end]:
            table[end].extend(table.pop(i))
    out: list[str] = []

    def blank_ok(after_line: int) -> bool:
        """A blank line may follow what ``out`` ends with (not another blank, not the start
        of the document unless a head comment is above, not a block scalar's kept ending)."""
        if not out:
            return bool(doc.head)
        return out[-1] != "" and not (after_line in keep and out[-1] == lines[after_line])

    for i, line in enumerate(lines):
        for blank, text in before.get(i, ()):
            if blank and blank_ok(i - 1):
                out.append("")
            if text is not None:
                out.append(text)
        notes = eol.get(i, [])
        for n in notes[1:]:  # two end-of-line comments for one line: the others go above it
            out.append(_note_line(n, len(line) - len(line.lstrip(" "))))
        if notes:
            n = notes[0]
            line = line + " " * (max(n.col, len(line) + 2) - len(line)) + n.text
        out.append(line)
        # entries ending on the same line close innermost first: a deeper entry's closing
        # comments go above a shallower one's (read again, they keep their owners)
        for _, blank, text in sorted(after.get(i, ()), key=lambda a: a[0]):
            if blank and blank_ok(i):
                out.append("")
            out.append(text)
    return out


def _place_of(s: Slot, pos: dict) -> tuple | None:
    """Where ``s``'s comments go: its own path, or (inside a flow collection, which holds no
    comment but may hold blank lines) the nearest enclosing entry with a line of its own."""
    p: Slot | None = s
    while p is not None:
        if p.path in pos:
            return p.path
        p = p.parent
    return None


def _notes(notes: list[Note], out: list[str], drop_first_blank: bool) -> None:
    for i, n in enumerate(notes):
        if n.blank_before and not (i == 0 and drop_first_blank) and out and out[-1] != "":
            out.append("")
        out.append(n.text)


def write(docs: list[Doc], shapes: list[Shape | None]) -> str:
    """The formatted text of ``docs`` (``shapes[i]`` orders document i)."""
    out: list[str] = []
    for i, (doc, shape) in enumerate(zip(docs, shapes)):
        if doc.prelude:
            _notes(doc.prelude, out, True)
        if doc.explicit or i > 0:
            out.append("---" + (f" {doc.marker_note}" if doc.marker_note else ""))
        start = len(out)
        _notes(doc.head, out, True)
        if doc.root is not None:
            body = _body(doc, shape)
            out.extend(body)
        _notes(doc.tail, out, len(out) == start)
    if not out:
        raise Unsupported("nothing to write")
    return "\n".join(out) + "\n"
