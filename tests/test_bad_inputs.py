"""The bad-input corpus: every broken school file in tests/bad_inputs/ through the real CLI.

Each case is `<name>.yaml` (the school file, copied to `schools/<name>.yaml` of an empty
project, so a case's name can itself be the broken part) and `<name>.expected` (the exact
stderr). Every case must exit 1 with positioned one-line messages, no traceback and no output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pytest

from dsinfo.load import MAX_FILE_BYTES

from .conftest import make_project, run_in

CORPUS = Path(__file__).parent / "bad_inputs"
# Cases too big to keep in git: made here, their expected message is in the corpus
GENERATED = {
    "too-big": lambda: ("# " + "x" * 77 + "\n").encode() * (300 * 1024 // 80),
    # 20,000 unknown keys: 50 messages and a count of the rest, not 20,000 lines
    "unknown-keys-20000": lambda: (CORPUS / "GS-Park.yaml").read_bytes() + b"".join(
        b"k%d: 1\n" % n for n in range(20_000)),
}
CASES = sorted(p.name.removesuffix(".expected") for p in CORPUS.glob("*.expected"))


def test_corpus_is_complete() -> None:
    inputs = {p.name.removesuffix(".yaml") for p in CORPUS.glob("*.yaml")}
    assert inputs | set(GENERATED) == set(CASES)
    assert len(CASES) >= 40
    assert len(GENERATED["too-big"]()) > MAX_FILE_BYTES


class Outcome(NamedTuple):
    result: subprocess.CompletedProcess[str]
    output_exists: bool


def run_case(root: Path, name: str) -> Outcome:
    """The case's school file alone in an empty project, built as a user would."""
    project = make_project(root)
    school = project / "schools" / f"{name}.yaml"
    if name in GENERATED:
        school.write_bytes(GENERATED[name]())
    else:
        shutil.copyfile(CORPUS / f"{name}.yaml", school)
    result = run_in(project)
    return Outcome(result, (project / "output").exists())


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, Outcome]:
    """The selected cases, run a few at a time: each is a process that mostly waits on imports."""
    wanted = [item.callspec.params["name"] for item in request.session.items
              if getattr(item, "originalname", "") == "test_bad_input"]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        futures = {name: pool.submit(run_case, tmp_path_factory.mktemp("case"), name)
                   for name in wanted}
    return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", CASES)
def test_bad_input(outcomes: dict[str, Outcome], name: str) -> None:
    result, output_exists = outcomes[name]
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8")
    assert result.stderr == expected
    assert result.returncode == 1
    assert result.stdout == ""
    assert not output_exists
    *problems, summary = expected.splitlines()
    assert summary.endswith("found; no files were written.")
    for line in problems:
        assert re.fullmatch(rf"schools/{re.escape(name)}\.yaml:[1-9]\d*:[1-9]\d*: error: \S.*", line)


@pytest.mark.parametrize("value", ["..", ".", "../gs-park", "gs-park/../gs-park", "a/b",
                                   "/etc/passwd", "gs-park.yaml", "GS-Park", ""])
def test_school_option_is_an_id(tmp_path: Path, value: str) -> None:
    project = make_project(tmp_path)
    shutil.copyfile(CORPUS / "gs..park.yaml", project / "schools" / "gs-park.yaml")
    result = run_in(project, "--school", value)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--school': '{value}' is not a school id (lowercase letters, "
        "digits, '-')")
    assert not (project / "output").exists()
