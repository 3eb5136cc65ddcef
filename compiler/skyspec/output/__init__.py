"""The output folder: :func:`write_tree` writes a build's files into it safely (staged, never
through a symlink, never over a file skyspec did not write, with a manifest of what it
wrote; :mod:`.write`), and :func:`compare_tree` tells whether it holds what a build would
write (`build --check`; :mod:`.check`). Nothing here renders or compiles: the callers pass
the files in."""

from .check import compare_tree
from .write import MANIFEST, unsafe_path, write_tree

__all__ = ["MANIFEST", "compare_tree", "unsafe_path", "write_tree"]
