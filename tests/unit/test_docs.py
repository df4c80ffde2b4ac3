"""Docs stay in step with the code."""

import importlib.util
import re
from pathlib import Path

from dermasim.parameters import ParameterSet

ROOT = Path(__file__).parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "docs" / "generate_parameters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parameter_page_is_up_to_date():
    ps = ParameterSet.load("default")
    page = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert page == _generator().render(ps), "run: python docs/generate_parameters.py"
    for name in ps:
        assert f"`{name}`" in page


def test_readme_starts_with_the_two_commands():
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.strip()]
    body = "\n".join(lines[:6])
    assert lines[0].startswith("# dermasim")
    assert body.index("make demo") < body.index("make test")


def test_cli_reference_covers_every_command():
    from dermasim.cli import app

    text = (ROOT / "docs" / "cli.md").read_text()
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert commands == {"simulate", "compare", "protocols", "cite"}
    for name in commands:
        assert re.search(rf"dermasim {name}\b", text), name


def test_docs_links_resolve():
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name}: {target}"
