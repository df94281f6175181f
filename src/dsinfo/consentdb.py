"""The consent register: one SQLite file per school, who was asked what and what they answered.

It holds the pupils as the roster gave them, each consent text version, which sheet (and so
which layout) each pupil was given, every answer with its date, the document version it was
given on and where it came from (a scan page, a review, a manual entry, a withdrawal), the
scanned pages, and the review list with a crop of each unclear box. It is personal data: it
lives outside output/ (default `private/<school>/consents.sqlite` in the project, which git
ignores), the file and its folder are readable by their owner only, and no message of this
module names a pupil.

Every change is one transaction (a scanned page with all its answers and reviews, a roster
with all its pupils), in WAL mode with full sync: a process killed in the middle loses at most
the page it was working on, never an answer recorded before. The schema carries its version
(`PRAGMA user_version`) and is brought up to date by the migrations below when opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import DsinfoError, display_path
from .messages import Msg, Text, from_json, to_json
from .roster import Pupil
from .sheets import Layout, Printed

Answer = Literal["yes", "no", "unclear", "withdrawn"]
Source = Literal["scan", "review", "manual", "withdrawal"]
State = Literal["yes", "no", "unclear", "withdrawn", "not returned", "renewal"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "unclear", "withdrawn")
ACKNOWLEDGEMENT = "acknowledgement"  # the sheet's "I have received the notice" box

MIGRATIONS: tuple[str, ...] = (
    # 1: the register
    """
    CREATE TABLE pupils (
        number INTEGER PRIMARY KEY,
        last_name TEXT NOT NULL, first_name TEXT NOT NULL, school_class TEXT NOT NULL,
        birth_date TEXT NOT NULL, language TEXT NOT NULL, signers TEXT NOT NULL,
        added TEXT NOT NULL, seen TEXT NOT NULL,
        UNIQUE (last_name, first_name, birth_date)
    );
    CREATE TABLE consents (
        id TEXT NOT NULL, version TEXT NOT NULL, title TEXT NOT NULL, since TEXT NOT NULL,
        PRIMARY KEY (id, version)
    );
    CREATE TABLE layouts (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE sheets (
        pupil INTEGER NOT NULL REFERENCES pupils, version TEXT NOT NULL,
        layout TEXT NOT NULL REFERENCES layouts, consents TEXT NOT NULL, printed TEXT NOT NULL,
        PRIMARY KEY (pupil, version)
    );
    CREATE TABLE pages (
        id INTEGER PRIMARY KEY, file_hash TEXT NOT NULL, file_name TEXT NOT NULL,
        page INTEGER NOT NULL, token TEXT, status TEXT NOT NULL, recorded TEXT NOT NULL,
        UNIQUE (file_hash, page)
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY, pupil INTEGER NOT NULL REFERENCES pupils, consent TEXT NOT NULL,
        consent_version TEXT NOT NULL,
        answer TEXT NOT NULL CHECK (answer IN ('yes', 'no', 'unclear', 'withdrawn')),
        document_version TEXT, day TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('scan', 'review', 'manual', 'withdrawal')),
        page INTEGER REFERENCES pages, recorded TEXT NOT NULL
    );
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY, page INTEGER NOT NULL REFERENCES pages,
        pupil INTEGER REFERENCES pupils, consent TEXT, document_version TEXT,
        reason TEXT NOT NULL, crop BLOB NOT NULL, created TEXT NOT NULL,
        settled TEXT, settled_answer TEXT
    );
    """,
    # 2: what the teachers' lists and the scan look up
    """
    CREATE INDEX answers_by_pupil ON answers (pupil, consent, id);
    CREATE INDEX pages_by_token ON pages (token, status);
    CREATE INDEX open_reviews ON reviews (settled, id);
    """,
)


class RegisterError(DsinfoError):
    """The register cannot be opened or changed (never carries a pupil's data)."""


def default_path(root: Path, school_id: str) -> Path:
    """private/<school>/consents.sqlite in the project: outside output/, ignored by git."""
    return root / "private" / school_id / "consents.sqlite"


def consent_version(*texts: object) -> str:
    """A consent's version: a hash of what the signer agrees to (its text, data, recipients,
    retention, in German), not of its title, so a corrected title does not ask for renewal."""
    german = [
        t if isinstance(t, str) or t is None else (t.get("de") if isinstance(t, Mapping) else t)
        for t in texts
    ]
    return hashlib.sha256(json.dumps(german, ensure_ascii=False, default=str).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Review:
    """An open question: a box (pupil and consent known) or a whole page (neither)."""

    id: int
    page: int
    place: Text  # "scan.pdf, page 3"
    pupil: int | None
    name: str | None  # "Müller, Anna · 5a": shown to the person settling it, never logged
    consent: str | None
    reason: Text  # a message (kept in the register as data: see `stored`)
    crop: bytes  # PNG


@dataclass(frozen=True)
class Status:
    """A pupil's current state for one consent, as a teacher's list shows it."""

    number: int
    last_name: str
    first_name: str
    school_class: str
    consent: str
    state: State
    day: str | None
    document_version: str | None


class Register:
    """One school's consent register. Use as a context manager, or call close()."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.db = connection

    @classmethod
    def open(cls, path: Path) -> Register:
        """Open (or create) the register at `path` and bring its schema up to date."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):
            os.chmod(path.parent, 0o700)
        try:  # created readable by the owner only; SQLite gives its -wal file the same mode
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))
        except OSError as exc:
            raise RegisterError(Msg("cannot open the consent register {path}: {reason}",
                                    path=display_path(path), reason=exc.strerror or "")) from None
        os.chmod(path, 0o600)
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            register = cls(path, db)
            register._migrate()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(Msg("{path} is not a consent register ({error}): give another file "
                                    "with --register", path=display_path(path), error=str(exc))) from None
        return register

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise RegisterError(Msg("{path} was written by a newer dsinfo (schema {schema}, this one "
                                    "knows {known}): update dsinfo", path=display_path(self.path),
                                    schema=current, known=len(MIGRATIONS)))
        for number in range(current, len(MIGRATIONS)):
            with self.transaction():
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: committed at the end, rolled back on any error (or a kill)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- the roster -------------------------------------------------------------------------

    def record_roster(self, pupils: Sequence[Pupil], day: dt.date) -> dict[Pupil, int]:
        """The roster's pupils (a pupil seen before keeps their number: same names and birth
        date); returns each pupil's number."""
        numbers: dict[Pupil, int] = {}
        today = day.isoformat()
        with self.transaction() as db:
            for p in pupils:
                row = db.execute(
                    "SELECT number FROM pupils WHERE last_name = ? AND first_name = ? AND birth_date = ?",
                    (p.last_name, p.first_name, p.birth_date.isoformat()),
                ).fetchone()
                values = (p.school_class, p.language, p.signers, today)
                if row:
                    db.execute(
                        "UPDATE pupils SET school_class = ?, language = ?, signers = ?, seen = ? "
                        "WHERE number = ?",
                        (*values, row[0]),
                    )
                    numbers[p] = row[0]
                else:
                    cursor = db.execute(
                        "INSERT INTO pupils (last_name, first_name, birth_date, school_class, language, "
                        "signers, seen, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (p.last_name, p.first_name, p.birth_date.isoformat(), *values, today),
                    )
                    assert cursor.lastrowid is not None
                    numbers[p] = cursor.lastrowid
        return numbers

    def record_sheets(
        self, printed: Iterable[Printed], consents: Iterable[tuple[str, str, str]], day: dt.date
    ) -> None:
        """Which sheet (layout, version) each pupil was given, and the consents it asked
        (id, version, title): a new version of a consent makes earlier answers 'renewal'."""
        consents = list(consents)
        asked = json.dumps({cid: version for cid, version, _ in consents}, sort_keys=True)
        with self.transaction() as db:
            for cid, version, title in consents:
                db.execute(
                    "INSERT OR IGNORE INTO consents VALUES (?, ?, ?, ?)",
                    (cid, version, title, day.isoformat()),
                )
            for p in printed:
                db.execute("INSERT OR IGNORE INTO layouts VALUES (?, ?)", (p.layout.id, p.layout.to_json()))
                db.execute(
                    "INSERT OR REPLACE INTO sheets VALUES (?, ?, ?, ?, ?)",
                    (p.number, p.version, p.layout.id, asked, day.isoformat()),
                )

    def sheet(self, pupil: int, version: str) -> tuple[Layout, dict[str, str]] | None:
        """The layout and the consent versions of the sheet `pupil` was given on `version`."""
        row = self.db.execute(
            "SELECT l.data, s.consents FROM sheets s JOIN layouts l ON l.id = s.layout "
            "WHERE s.pupil = ? AND s.version = ?",
            (pupil, version),
        ).fetchone()
        return (Layout.from_json(row[0]), json.loads(row[1])) if row else None

    def latest_version(self, pupil: int) -> str | None:
        row = self.db.execute(
            "SELECT version FROM sheets WHERE pupil = ? ORDER BY printed DESC, rowid DESC LIMIT 1", (pupil,)
        ).fetchone()
        return str(row[0]) if row else None

    # --- scanned pages ------------------------------------------------------------------------

    def file_seen(self, file_hash: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM pages WHERE file_hash = ? LIMIT 1", (file_hash,)).fetchone()
            is not None
        )

    def page_seen(self, file_hash: str, page: int) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM pages WHERE file_hash = ? AND page = ?", (file_hash, page)
            ).fetchone()
            is not None
        )

    def token_recorded(self, token: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM pages WHERE token = ? AND status = 'recorded' LIMIT 1", (token,)
            ).fetchone()
            is not None
        )

    def record_page(
        self,
        *,
        file_hash: str,
        file_name: str,
        page: int,
        token: str | None,
        status: str,
        pupil: int | None = None,
        document_version: str | None = None,
        answers: Mapping[str, Answer] | None = None,
        consent_versions: Mapping[str, str] | None = None,
        reviews: Iterable[tuple[str | None, Text, bytes]] = (),
        day: dt.date,
    ) -> int:
        """One scanned page with its answers and its open questions, in one transaction. A
        'yes' for a consent whose latest answer is a withdrawal is refused (and nothing of the
        page recorded): a sheet signed before the withdrawal may be scanned late, so the scan
        sends it to review, and a person decides."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO pages (file_hash, file_name, page, token, status, recorded) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (file_hash, file_name, page, token, status, now),
            )
            page_id = cursor.lastrowid
            assert page_id is not None
            for consent, answer in (answers or {}).items():
                withdrawn = self._withdrawn_on(db, pupil, consent) if answer == "yes" else None
                if withdrawn is not None:  # (scan.read_page already sends these to review)
                    raise RegisterError(Msg("pupil {pupil} withdrew '{consent}' on {day}: a scanned "
                                            "'yes' goes to review, not into the register",
                                            pupil=pupil, consent=consent, day=withdrawn))
                db.execute(
                    "INSERT INTO answers (pupil, consent, consent_version, answer, document_version, day, "
                    "source, page, recorded) VALUES (?, ?, ?, ?, ?, ?, 'scan', ?, ?)",
                    (
                        pupil,
                        consent,
                        (consent_versions or {}).get(consent, ""),
                        answer,
                        document_version,
                        day.isoformat(),
                        page_id,
                        now,
                    ),
                )
            for about, reason, crop in reviews:
                db.execute(
                    "INSERT INTO reviews (page, pupil, consent, document_version, reason, crop, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (page_id, pupil, about, document_version, to_json(reason), crop, now),
                )
        return page_id

    # --- review and answers -------------------------------------------------------------------

    def open_reviews(self) -> list[Review]:
        """The review list, oldest first: what the scan was not sure about, with its crop."""
        rows = self.db.execute(
            "SELECT r.id, r.page, g.file_name, g.page, r.pupil, p.last_name, p.first_name, p.school_class, "
            "r.consent, r.reason, r.crop FROM reviews r JOIN pages g ON g.id = r.page "
            "LEFT JOIN pupils p ON p.number = r.pupil WHERE r.settled IS NULL ORDER BY r.id"
        ).fetchall()
        return [
            Review(
                id=r[0],
                page=r[1],
                place=Msg("{file}, page {page}", file=r[2], page=r[3]),
                pupil=r[4],
                name=f"{r[5]}, {r[6]} · {r[7]}" if r[4] is not None else None,
                consent=r[8],
                reason=from_json(r[9]),
                crop=bytes(r[10]),
            )
            for r in rows
        ]

    def settle(self, review_id: int, answer: Answer | None, day: dt.date) -> None:
        """Settle a review: the answer a person read on the crop (recorded as source 'review'),
        or None to close a page-level review without an answer."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            row = db.execute(
                "SELECT pupil, consent, document_version, page, settled FROM reviews WHERE id = ?",
                (review_id,),
            ).fetchone()
            if row is None or row[4] is not None:
                raise RegisterError(Msg("review {review} is not open", review=review_id))
            pupil, consent, version, page, _ = row
            if answer is not None:
                if pupil is None or consent is None:
                    raise RegisterError(Msg("review {review} is about a whole page: it has no box to "
                                            "answer", review=review_id))
                db.execute(
                    "INSERT INTO answers (pupil, consent, consent_version, answer, document_version, day, "
                    "source, page, recorded) VALUES (?, ?, ?, ?, ?, ?, 'review', ?, ?)",
                    (
                        pupil,
                        consent,
                        self._asked_version(pupil, version, consent),
                        answer,
                        version,
                        day.isoformat(),
                        page,
                        now,
                    ),
                )
            db.execute(
                "UPDATE reviews SET settled = ?, settled_answer = ? WHERE id = ?", (now, answer, review_id)
            )

    @staticmethod
    def _withdrawn_on(db: sqlite3.Connection, pupil: int | None, consent: str) -> str | None:
        """The day of the withdrawal that is the latest answer of a pupil to a consent, if so."""
        row = db.execute("SELECT answer, day FROM answers WHERE pupil = ? AND consent = ? "
                         "ORDER BY id DESC LIMIT 1", (pupil, consent)).fetchone()
        return str(row[1]) if row is not None and row[0] == "withdrawn" else None

    def _asked_version(self, pupil: int, version: str | None, consent: str) -> str:
        sheet = self.sheet(pupil, version) if version else None
        return sheet[1].get(consent, "") if sheet else ""

    def record_answer(
        self, pupil: int, consent: str, answer: Answer, day: dt.date, *, source: Source = "manual"
    ) -> None:
        """An answer given on paper outside a scan, or a withdrawal (answer 'withdrawn') on
        the day it was declared."""
        if self.db.execute("SELECT 1 FROM pupils WHERE number = ?", (pupil,)).fetchone() is None:
            raise RegisterError(Msg("there is no pupil number {pupil} in the register", pupil=pupil))
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            db.execute(
                "INSERT INTO answers (pupil, consent, consent_version, answer, document_version, day, "
                "source, "
                "recorded) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
                (
                    pupil,
                    consent,
                    self.current_versions().get(consent, ""),
                    answer,
                    day.isoformat(),
                    source,
                    now,
                ),
            )

    def current_versions(self) -> dict[str, str]:
        """Each consent's version as the latest roster asked it."""
        rows = self.db.execute("SELECT id, version FROM consents ORDER BY since, rowid").fetchall()
        return {cid: version for cid, version in rows}

    def consent_titles(self) -> dict[str, str]:
        rows = self.db.execute("SELECT id, title FROM consents ORDER BY since, rowid").fetchall()
        return {cid: title for cid, title in rows}

    def statuses(self, *, school_class: str | None = None, consent: str | None = None) -> list[Status]:
        """Every pupil (of a class) x every consent (or one): the latest answer, 'renewal'
        when it was given on an earlier text of the consent, 'not returned' without one."""
        current = self.current_versions()
        wanted = [consent] if consent else list(current)
        where, params = ("WHERE school_class = ?", [school_class]) if school_class else ("", [])
        pupils = self.db.execute(
            f"SELECT number, last_name, first_name, school_class FROM pupils {where}", params
        ).fetchall()
        latest = {
            (r[0], r[1]): r[2:]
            for r in self.db.execute(
                "SELECT pupil, consent, answer, day, document_version, consent_version FROM answers a "
                "WHERE id = "
                "(SELECT MAX(id) FROM answers b WHERE b.pupil = a.pupil AND b.consent = a.consent)"
            )
        }
        result = []
        for number, last, first, cls in sorted(
            pupils, key=lambda r: (_natural(r[3]), r[1].casefold(), r[2].casefold())
        ):
            for cid in wanted:
                answer = latest.get((number, cid))
                state: State = "not returned" if answer is None else answer[0]
                if answer is not None and answer[0] in ("yes", "no") and answer[3] != current.get(cid):
                    state = "renewal"
                result.append(
                    Status(
                        number=number,
                        last_name=last,
                        first_name=first,
                        school_class=cls,
                        consent=cid,
                        state=state,
                        day=answer[1] if answer else None,
                        document_version=answer[2] if answer else None,
                    )
                )
        return result


def _natural(text: str) -> list[object]:
    import re

    return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", text)]
