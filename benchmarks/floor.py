"""The floor a compiler of this corpus cannot beat: start Python, load every input file of
the project with libyaml (the C loader), and write as many files, of the same total size, as
skyspec's build wrote. benchmarks/run.py times it beside skyspec in the same run; it
computes nothing and must not import skyspec.

    python benchmarks/floor.py CORPUS OUT FILES BYTES
"""

import os
import sys
from pathlib import Path

import yaml


def main() -> None:
    corpus, out, files, size = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    loaded = 0
    for path in sorted(corpus.rglob("*.yaml")):
        if "out" in path.relative_to(corpus).parts[:1]:
            continue
        with open(path, "rb") as fh:
            loaded += len(list(yaml.load_all(fh, Loader=yaml.CSafeLoader)))
    out.mkdir(parents=True, exist_ok=True)
    each = max(size // max(files, 1), 1)
    body = b"x" * each
    for i in range(files):
        with open(os.path.join(out, f"f{i}.yaml"), "wb") as fh:
            fh.write(body)
    print(loaded)


if __name__ == "__main__":
    main()
