"""No German prose in a translated document: German function words stay under 3 % of its words,
names of the school, its authorities and German laws (with their citations) aside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from dsinfo.german import FUNCTION_WORDS, document_text, german_share

from .conftest import LANGUAGES, ROOT
from .project import SHIPPED

SCHOOLS = list(SHIPPED)
LIMIT = 0.03
NAME_KEYS = {"name", "organisation", "full_name", "short", "short_name", "abbr", "street", "postcode", "city",
             "postal_address", "website", "email", "phone", "head"}


def _names(data: object) -> Iterator[str]:
    """Every value under a key that holds a name or an address, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in NAME_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _names(value)
    elif isinstance(data, list):
        for value in data:
            yield from _names(value)


def names_of(school: str) -> list[str]:
    """The names a translation keeps in German: the school file's, its Land's (laws, supervisory
    authority) and its platforms' (vendors, processors)."""
    data = yaml.safe_load((ROOT / "schools" / f"{school}.yaml").read_text(encoding="utf-8"))
    files = [ROOT / "catalog" / "states" / f"{data['state'].lower()}.yaml"]
    files += [ROOT / "catalog" / "platforms" / f"{p}.yaml" for p in data.get("platforms", {})]
    found = list(_names(data))
    for path in files:
        found += _names(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_function_words_find_german_and_skip_names_and_citations() -> None:
    german = german_share("Die Daten werden nach Art. 6 Abs. 1 lit. e DSGVO i.V.m. § 57 ThürSchulG "
                          "für die Nutzung der Plattform verarbeitet.")
    assert german.words == 10  # the citation is not counted
    assert dict(german.german) == {"die": 2, "werden": 1, "nach": 1, "für": 1, "der": 1}
    name = "Thüringer Landesbeauftragter für den Datenschutz und die Informationsfreiheit"
    english = german_share(f"You can complain to the {name} (TLfDI).", [name])
    assert (english.words, english.share) == (6, 0.0)
    assert not FUNCTION_WORDS & {"in", "an", "am", "was", "also", "im", "wie", "dem", "hat"}


def test_document_text_leaves_out_what_is_german_on_purpose() -> None:
    page = ('<html lang="en"><body><p>Only the <a lang="de" href="x">deutsche Fassung</a> binds.'
            '</p><p>Phone <mark class="todo">TODO: Telefon der Schule</mark></p></body></html>')
    assert document_text(page) == "Only the binds. Phone"


def test_the_german_documents_are_german(web_built: Path) -> None:
    for school in SCHOOLS:
        text = document_text((web_built / school / "de" / "notice.html").read_text(encoding="utf-8"))
        assert german_share(text, names_of(school)).share > 0.25


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "de"])
def test_translated_documents_have_no_german_prose(web_built: Path, lang: str) -> None:
    shares = {}
    for school in SCHOOLS:
        names = names_of(school)
        for page in sorted((web_built / school / lang).glob("*.html")):  # every document
            shares[f"{school}/{lang}/{page.name}"] = german_share(
                document_text(page.read_text(encoding="utf-8")), names)
    assert shares, f"no example publishes {lang}"
    too_german = {doc: (f"{share.share:.1%}", dict(share.german.most_common(10)))
                  for doc, share in shares.items() if share.share >= LIMIT}
    assert too_german == {}, "German function words above 3 %"
    print(" ".join(f"{doc}={share.share:.2%}" for doc, share in shares.items()))
