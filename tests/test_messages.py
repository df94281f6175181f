"""The tool's own messages: German by default, English on request, and a German catalog that
has every message of the code and of the help, with the same placeholders."""

from __future__ import annotations

import inspect
import io
import pickle
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dsinfo import clicatalog
from dsinfo.cli import cli
from dsinfo.clihelp import Command
from dsinfo.messages import ENGLISH, Msg, Msgs, Seq, catalog_path, chosen, voice

from .project import ROOT, VALID, make_project, run

GERMAN = voice("de")


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def shipped_catalog() -> dict[object, object]:
    path = catalog_path(ROOT / "locales")
    return {m.id: m for m in read_po(io.BytesIO(path.read_bytes()), locale="de") if m.id}


def test_the_german_catalog_has_every_message_of_the_code_and_the_help(
        shipped_catalog: dict[object, object]) -> None:
    current = {m.id for m in clicatalog.current(ROOT) if m.id}
    missing = sorted(str(i) for i in current - shipped_catalog.keys())
    gone = sorted(str(i) for i in shipped_catalog.keys() - current)
    assert not missing, f"not in cli.po (run python -m dsinfo.clicatalog): {missing[:5]}"
    assert not gone, f"in cli.po but no longer in the code: {gone[:5]}"


def test_every_german_message_is_translated_with_the_same_placeholders(
        shipped_catalog: dict[object, object]) -> None:
    for message in shipped_catalog.values():
        sources = list(message.id) if isinstance(message.id, tuple) else [message.id]  # type: ignore[attr-defined]
        forms = list(message.string) if isinstance(message.string, tuple) else [message.string]  # type: ignore[attr-defined]
        assert not message.fuzzy, sources[0]  # type: ignore[attr-defined]
        assert all(forms), f"untranslated: {sources[0]!r}"
        for form in forms:
            assert _names(form) == _names(sources[-1]) | (_names(sources[0]) - {"n"}) | (
                _names(form) & {"n"}), f"{sources[0]!r} -> {form!r}"


def test_messages_are_put_into_words_in_the_readers_language() -> None:
    message = Msgs("Checked {n} school: {counts}.", "Checked {n} schools: {counts}.", 2,
                   counts=Seq([Msgs("{n} error", "{n} errors", 1), Msgs("{n} warning", "{n} warnings", 3)]))
    assert str(message) == "Checked 2 schools: 1 error, 3 warnings."
    assert GERMAN.say(message) == "2 Schulen geprüft: 1 Fehler, 3 Warnungen."
    assert GERMAN.say(Msg("{built}; {rest}; {folder}/ in {seconds} s.", built="x", rest="y",
                          folder="output", seconds=12.345)) == "x; y; output/ in 12,3 s."
    listed = Msg("'{item}' is not FIELD=NAME with FIELD one of {fields}", item="a", fields=["b", "c", "d"])
    assert str(listed) == "'a' is not FIELD=NAME with FIELD one of b, c and d"
    assert GERMAN.say(listed) == "'a' hat nicht die Form FELD=NAME mit FELD aus b, c und d"
    assert pickle.loads(pickle.dumps(message)) == message  # from a worker process, as it is
    assert GERMAN.say("as it is") == "as it is"


def test_a_message_is_never_glued_to_text_unseen() -> None:
    with pytest.raises(TypeError):
        _ = "error: " + Msg("error")  # type: ignore[operator]


@pytest.mark.parametrize(("given", "environment", "lang"), [
    (None, {}, "de"),
    (None, {"LANG": "C.UTF-8"}, "de"),
    (None, {"LANG": "de_DE.UTF-8"}, "de"),
    (None, {"LANG": "en_GB.UTF-8"}, "en"),
    (None, {"LC_ALL": "de_AT.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
    (None, {"LC_MESSAGES": "en_US.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
    (None, {"DSINFO_LANG": "en", "LANG": "de_DE.UTF-8"}, "en"),
    ("de", {"DSINFO_LANG": "en"}, "de"),
    (None, {"DSINFO_LANG": "fr", "LANG": "de_DE.UTF-8"}, "de"),
])
def test_the_language_of_the_messages(given: str | None, environment: dict[str, str], lang: str) -> None:
    assert chosen(given, environment) == lang


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path, {"gs-park": VALID})


def test_german_is_the_default(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DSINFO_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert run(project, "check").stdout.splitlines()[-1] == "1 Schule geprüft: 2 Warnungen."
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert run(project, "check").stdout.splitlines()[-1] == "Checked 1 school: 2 warnings."


@pytest.mark.parametrize("args", [["--lang", "en", "check"], ["check", "--lang", "en"],
                                  ["check", "--lang=en"]])
def test_lang_en_may_stand_anywhere(project: Path, args: list[str]) -> None:
    result = run(project, "--lang", "de", "check")
    assert result.stdout.splitlines()[-1] == "1 Schule geprüft: 2 Warnungen."
    assert run(project, *args).stdout.splitlines()[-1] == "Checked 1 school: 2 warnings."


def test_findings_and_problems_in_german(project: Path) -> None:
    school = project / "schools" / "gs-park.yaml"
    school.write_text(VALID.replace("dpo:\n  email: dsb@gs-park.example\n", ""), encoding="utf-8")
    result = run(project, "--lang", "de", "check")
    assert result.code == 1
    assert ("schools/gs-park.yaml:1:1: Fehler: Die Datenschutzhinweise sagen nicht, wie die oder der "
            "Datenschutzbeauftragte zu erreichen ist. [art13.dpo_contact]") in result.stdout
    assert "    Was tun: " in result.stdout
    school.write_text("school: [", encoding="utf-8")
    result = run(project, "--lang", "de", "check")
    assert result.stderr.splitlines()[-1] == "1 Problem gefunden; es wurden keine Dateien geschrieben."
    assert ": Fehler: " in result.stderr.splitlines()[0]


def test_usage_errors_in_german(project: Path) -> None:
    result = run(project, "--lang", "de", "chekc")
    assert result.code == 2
    assert result.stderr.splitlines() == [
        "Aufruf: python build.py [OPTIONEN] BEFEHL [ARGUMENTE]...", "Hilfe: 'python build.py -h'.", "",
        "Fehler: unbekannter Befehl 'chekc' (meinten Sie 'check'?); die Befehle: build, check, "
        "consents, diff, init, new, next-year, register, roster, serve, translations"]
    result = run(project, "--lang", "de", "build", "--format", "x")
    assert result.stderr.splitlines()[-1] == ("Fehler: Ungültiger Wert für '--format': 'x' ist keiner "
                                              "der Werte 'all', 'html', 'pdf'.")
    result = run(project, "--lang", "de", "check", "--schoool", "gs-park")
    assert result.stderr.splitlines()[-1] == ("Fehler: Die Option '--schoool' gibt es nicht. "
                                              "Meinten Sie '--school'?")
    result = run(project, "--lang", "de", "roster")
    assert result.stderr.splitlines()[-1] == "Fehler: Die Option '--school' fehlt."


def _commands(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _commands(sub, (*path, name))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=lambda p: " ".join(p) or "dsinfo")
def test_every_help_page_is_german(project: Path, path: tuple[str, ...]) -> None:
    result = run(project, "--lang", "de", *path, "--help")
    assert result.code == 0
    text = " ".join(result.stdout.split())
    assert text.startswith("Aufruf: python build.py")
    assert "Optionen:" in text
    assert "Options:" not in text
    assert "Diese Hilfe zeigen und beenden." in text
    command = cli
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert isinstance(command, Command)
    for param in command.params:
        if getattr(param, "help", None):
            german = " ".join(GERMAN.plain(param.help).split())  # type: ignore[attr-defined]
            assert german != " ".join(param.help.split()), param.help  # type: ignore[attr-defined]
            assert german in text
    first = " ".join(GERMAN.plain(inspect.cleandoc(command.help or "")).split())
    assert first[:60] in text


def test_english_is_the_source() -> None:
    assert ENGLISH.say(Msg("Wrote {path}.", path="x")) == "Wrote x."
    assert GERMAN.say(Msg("Wrote {path}.", path="x")) == "x geschrieben."


def test_the_previews_error_page_is_german_and_styled_like_the_documents(project: Path) -> None:
    from dsinfo.project import Project
    from dsinfo.serve import Preview

    (project / "schools" / "gs-park.yaml").write_text(VALID.replace("2025-08-01", "gestern"),
                                                      encoding="utf-8")
    preview = Preview(Project(project), (), voice=GERMAN)
    preview.rebuild()
    page = preview.error_page(preview.errors)
    assert '<html lang="de"' in page
    assert "<h1>Die Schuldateien enthalten Fehler</h1>" in page
    assert "screen.css" in page or "<style" in page  # the documents' stylesheet
    assert "stand: &#39;gestern&#39; ist kein Datum" in page
