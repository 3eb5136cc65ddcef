"""What users read links where it says: every page of docs/ is linked from the README, every
relative link of the README and the docs names a file of the repository (and an anchor of a
generated page exists), and nothing points outside the repository (a `../shared` folder of
the machine it was written on, an absolute path)."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_every_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in readme, page.name


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_links_resolve_inside_the_repository(page):
    text = page.read_text()
    assert "../shared" not in text and "/work/" not in text, page.name
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):   # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        assert dest.is_file() or dest.is_dir(), (page.name, target)
        assert ROOT.resolve() in dest.parents or dest == ROOT.resolve(), (page.name, target)
        if anchor and dest.suffix == ".md" and dest.name in ("language.md", "diagnostics.md"):
            assert _has_anchor(dest.read_text(), anchor), (page.name, target)


def _has_anchor(text: str, anchor: str) -> bool:
    if f'id="{anchor}"' in text:
        return True
    for heading in re.findall(r"^#+ (.*)$", text, flags=re.M):
        slug = "".join(c for c in heading.lower().replace(" ", "-") if c.isalnum() or c in "-_")
        if slug == anchor:
            return True
    return False
