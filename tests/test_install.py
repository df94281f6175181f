"""The installed tool: the wheel carries templates, catalog, translations and fonts, and works in
a project folder outside this repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .project import ROOT

pytestmark = pytest.mark.slow


def sh(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                            timeout=900, check=False, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed into a new virtual environment."""
    where = tmp_path_factory.mktemp("install")
    sh(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", where / "dist", ROOT, cwd=where)
    sh(sys.executable, "-m", "venv", where / "venv", cwd=where)
    wheel = next((where / "dist").glob("dsinfo-*.whl"))
    sh(where / "venv" / "bin" / "pip", "install", "-q", wheel, cwd=where)
    return where


def test_the_wheel_carries_what_the_build_reads(installed: Path) -> None:
    names = zipfile.ZipFile(next((installed / "dist").glob("*.whl"))).namelist()
    for name in ("dsinfo/templates/notice.html", "dsinfo/templates/static/print.css",
                 "dsinfo/templates/static/fonts/NotoSans-Regular.woff2",
                 "dsinfo/templates/static/fonts/OFL.txt", "dsinfo/catalog/states/th.yaml",
                 "dsinfo/catalog/platforms/iserv.yaml", "dsinfo/catalog/consents/photos_website.yaml",
                 "dsinfo/locales/messages.pot", "dsinfo/locales/tr/LC_MESSAGES/messages.po"):
        assert name in names, name


def test_init_new_and_build_outside_the_repository(installed: Path) -> None:
    dsinfo = installed / "venv" / "bin" / "dsinfo"
    sh(dsinfo, "init", "schule", cwd=installed)
    project = installed / "schule"
    assert sorted(p.name for p in project.iterdir()) == ["README.md", "catalog", "schools", "templates"]
    made = sh(dsinfo, "new", "--no-input", "--land", "TH", "--name", "Regelschule am Hang",
              "--street", "Hangweg 2", "--postcode", "99084", "--city", "Erfurt",
              "--email", "info@rs-hang.example", "--authority", "Stadt Erfurt",
              "--dpo-email", "dsb@rs-hang.example", "--platform", "moodle:on_premises",
              "--language", "en", cwd=project)
    # no DSINFO_LANG here: an installed tool speaks German
    assert made.stdout.splitlines()[0] == "schools/regelschule-am-hang.yaml geschrieben."
    built = sh(dsinfo, "build", "--format", "html", cwd=project)
    assert built.stdout.splitlines()[-1].startswith("2 Schulen erstellt (3 Sprachen")
    for path in ("index.html", "_static/fonts.css", "regelschule-am-hang/en/notice.html",
                 "grundschule-beispielstadt/de/consent.html"):
        assert (project / "output" / path).is_file(), path
    page = (project / "output" / "regelschule-am-hang" / "en" / "notice.html").read_text("utf-8")
    assert "Regelschule am Hang" in page
    assert "Privacy notice" in page  # the shipped translations are found
    module = sh(installed / "venv" / "bin" / "python", "-m", "dsinfo", "check", cwd=project)
    assert module.stdout.splitlines()[-1].startswith("2 Schulen geprüft:")
