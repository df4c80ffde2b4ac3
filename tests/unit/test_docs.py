"""The documentation stays in step with the code."""

import importlib.util
import re
from pathlib import Path

from dermasim.contraindications import CONTRAINDICATIONS
from dermasim.parameters import ParameterSet
from dermasim.protocol import bundled_protocols

ROOT = Path(__file__).parents[2]
DOCS = ROOT / "docs"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _generator(name: str = "generate_parameters"):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parameter_page_is_up_to_date():
    expected = _generator().render(ParameterSet.load("default"))
    assert _read(DOCS / "parameters.md") == expected, "run: python docs/generate_parameters.py"


def test_api_reference_is_up_to_date():
    from dermasim.web import ENDPOINTS, create_app

    schema = create_app().openapi()
    expected = _generator("generate_api_reference").render(schema)
    page = _read(DOCS / "api-reference.md")
    assert page == expected, "run: python docs/generate_api_reference.py"
    for path in ENDPOINTS:
        assert f" {path}`" in page, path


def test_parameter_page_names_every_parameter():
    page = _read(DOCS / "parameters.md")
    for name in ParameterSet.load("default"):
        assert f"| `{name}` |" in page, name


def test_readme_starts_with_the_two_commands():
    lines = _read(ROOT / "README.md").splitlines()
    assert lines[0] == "# dermasim"
    body = [line for line in lines[1:] if line.strip() and not line.startswith("```")]
    assert body[0].startswith("make demo   # creates .venv"), body[0]
    assert body[1].startswith("make test   # creates .venv"), body[1]


def test_readme_has_the_demo_placeholder_and_disclaimer():
    text = _read(ROOT / "README.md")
    assert "## Demo output" in text
    assert "not medical advice" in text


def test_assumed_counts_quoted_in_the_docs_match_the_parameter_set():
    ps = ParameterSet.load("default")
    claim = f"{len(ps.assumed())} of the {len(ps)} parameters"
    for page in (ROOT / "README.md", DOCS / "uncertainty.md", DOCS / "model.md"):
        text = _read(page)
        quoted = re.findall(r"\b(\d+) of the (\d+) parameters", text)
        assert quoted, page.name
        assert all(f"{a} of the {b} parameters" == claim for a, b in quoted), page.name


def test_cli_reference_covers_every_command():
    from dermasim.cli import app

    text = _read(DOCS / "cli.md")
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert commands == {
        "simulate",
        "compare",
        "protocols",
        "cite",
        "validate",
        "calibrate",
        "permeability",
        "permeability-validate",
        "cohort",
        "trial",
        "sensitivity",
        "plan",
        "screen",
        "report",
        "serve",
    }
    for name in commands:
        assert re.search(rf"^## dermasim {name}\b", text, re.MULTILINE), name


def test_cli_reference_names_only_existing_commands():
    from dermasim.cli import app

    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    text = _read(DOCS / "cli.md")
    mentioned = set(re.findall(r"\bdermasim ([a-z]+)\b", text))
    groups = {g.name for g in app.registered_groups}
    assert mentioned <= commands | groups | {"is", "error", "internal"}, mentioned - commands


def test_bundled_protocol_table_matches_the_bundled_files():
    text = _read(DOCS / "protocols.md")
    for name, protocol in bundled_protocols().items():
        assert f"| `{name}` | `{protocol}` |" in text, name


def test_contraindication_table_matches_the_code():
    text = _read(DOCS / "patients.md")
    for treatment, flags in CONTRAINDICATIONS.items():
        assert f"| {treatment} | {', '.join(flags)} |" in text, treatment


def test_docs_links_resolve():
    for page in [ROOT / "README.md", ROOT / "CHANGELOG.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", _read(page)):
            assert (page.parent / target).exists(), f"{page.name}: {target}"


def _anchors(page):
    """GitHub's heading anchors of a Markdown page (lower case, punctuation dropped, spaces
    to hyphens), outside code blocks."""
    anchors, fenced = set(), False
    for line in _read(page).splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def test_docs_anchors_resolve():
    for page in [ROOT / "README.md", ROOT / "CHANGELOG.md", *DOCS.glob("*.md")]:
        for target, anchor in re.findall(r"\]\(([^)#:]*)#([^)]+)\)", _read(page)):
            linked = page if not target else page.parent / target
            assert anchor in _anchors(linked), f"{page.name}: {target}#{anchor}"
