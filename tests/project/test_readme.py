"""The README a newcomer reads in one sitting: two commands first, short, and every pointer leads somewhere."""

from __future__ import annotations

import re
from pathlib import Path

from tests.harness import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 220
LINK = re.compile(r"\]\(([^)#\s]*)(#[^)\s]*)?\)")


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors of a Markdown page (outside code blocks)."""
    found, in_code = set(), False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (heading := re.match(r"^#{1,6} (.*)$", line)):
            found.add("#" + re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-"))
    return found


def local_links(page: Path) -> list[tuple[Path, str | None]]:
    """Every relative link of a page: the file it names and the anchor, if any."""
    links = []
    for target, anchor in LINK.findall(page.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        links.append(((page.parent / target).resolve() if target else page, anchor or None))
    return links


def test_the_first_lines_give_the_deploy_and_the_test_command() -> None:
    paragraphs = README.read_text().split("\n\n")
    assert paragraphs[1].startswith("Deploy on a fresh machine")
    assert "`scripts/up.sh sandbox`" in paragraphs[1]
    assert paragraphs[2].startswith("Run the tests")
    assert paragraphs[2].endswith("`scripts/test.sh`")


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "scripts/test.sh" in ci
    assert ci[-1] == "scripts/e2e.sh"


def test_the_readme_is_short() -> None:
    assert len(README.read_text().splitlines()) <= MAX_README_LINES


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {path for path, _ in local_links(README)}
    assert sorted(p.name for p in DOCS.glob("*.md") if p.resolve() not in linked) == []


def test_every_relative_link_names_a_file_and_heading_that_exist() -> None:
    broken = [
        f"{page.relative_to(ROOT)} -> {target.relative_to(ROOT)}{anchor or ''}"
        for page in [README, *DOCS.glob("*.md")]
        for target, anchor in local_links(page)
        if not target.exists() or (anchor is not None and target.suffix == ".md" and anchor not in anchors(target))
    ]
    assert broken == []
