"""The bad-input corpus: every broken school file in tests/bad_inputs/ through the real CLI.

Each case is `<name>.yaml` (the school file, copied to `schools/<name>.yaml` of an empty
project, so a case's name can itself be the broken part) and `<name>.expected` (the exact
stderr). Every case must exit 1 with positioned one-line messages, no traceback and no output;
the last line (stdout) counts the problems and says that nothing was built.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

from dsinfo.load import MAX_FILE_BYTES

from .project import Ran, make_project, run

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
    result: Ran
    output_exists: bool


def run_case(root: Path, name: str) -> Outcome:
    """The case's school file alone in an empty project, built as a user would."""
    project = make_project(root)
    school = project / "schools" / f"{name}.yaml"
    if name in GENERATED:
        school.write_bytes(GENERATED[name]())
    else:
        shutil.copyfile(CORPUS / f"{name}.yaml", school)
    result = run(project)
    return Outcome(result, (project / "output").exists())


@pytest.mark.parametrize("name", CASES)
def test_bad_input(tmp_path: Path, name: str, update_golden: bool) -> None:
    result, output_exists = run_case(tmp_path, name)
    if update_golden:  # pytest --update-golden: review the diff of tests/bad_inputs/ afterwards
        (CORPUS / f"{name}.expected").write_text(result.stderr, encoding="utf-8")
    expected = (CORPUS / f"{name}.expected").read_text(encoding="utf-8")
    assert result.stderr == expected
    assert result.returncode == 1
    problems = expected.splitlines()
    more = (re.search(r": (\d+) more problems are not shown", line) for line in problems)
    hidden = sum(int(m[1]) - 1 for m in more if m)
    total = len(problems) + hidden  # a "N more" line stands for N problems
    count = f"{total} problem{'s' if total != 1 else ''}"
    assert re.fullmatch(rf"Nothing to build; 0 languages unchanged, 0 failed, {count} in school "
                        r"files; output/ in \d+\.\d s\.\n", result.stdout)
    assert not output_exists
    if name == "unknown-keys-20000":
        assert "20000 problems in school files" in result.stdout
    for line in problems:
        assert re.fullmatch(rf"schools/{re.escape(name)}\.yaml:[1-9]\d*:[1-9]\d*: error: \S.*", line)


@pytest.mark.parametrize("value", ["..", ".", "../gs-park", "gs-park/../gs-park", "a/b",
                                   "/etc/passwd", "gs-park.yaml", "GS-Park", ""])
def test_school_option_is_an_id(tmp_path: Path, value: str) -> None:
    project = make_project(tmp_path)
    shutil.copyfile(CORPUS / "gs..park.yaml", project / "schools" / "gs-park.yaml")
    result = run(project, "--school", value)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--school': '{value}' is not a school id (lowercase letters, "
        "digits, '-')")
    assert not (project / "output").exists()
