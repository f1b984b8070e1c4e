"""`copro-bot translations review LANG`: a bilingual person checks strings one by one.

For each string it shows the English and the current translation, and asks:
approve, correct (type a new translation), skip or quit. It reads plain lines
from stdin, so a script can drive it, and end of input means quit.

Each approval or correction is one `TranslationReview` row, committed at
once, and each correction is written straight back into the `.po` file, so
quitting (or a crash) keeps all work so far. A correction that changes a
`{placeholder}`, a `/command` or markup is refused with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.i18n_text import commands, placeholders, translation_problems
from bot.storage.db import transaction
from bot.storage.models import Identity
from bot.storage.translation_models import TranslationReview
from bot.translations.catalogs import (
    Entry,
    entries,
    find,
    forms_of,
    plural_examples,
    po_path,
    read_catalog,
    set_translation,
    write_catalog,
)
from bot.translations.status import english_name

ONLY = ("unreviewed", "untranslated", "all")


def parse_reviewer(who: str) -> tuple[str, str]:
    platform, sep, user_id = who.partition(":")
    if not sep or not platform or not user_id:
        raise ValueError("give the reviewer as PLATFORM:USER_ID, for example telegram:12345")
    return platform, user_id


def member_for(session: Session, who: str) -> int | None:
    platform, user_id = parse_reviewer(who)
    identity = session.exec(
        select(Identity).where(Identity.platform == platform, Identity.user_id == user_id)
    ).first()
    return identity.member_id if identity else None


def explain(english: tuple[str, ...], problems: list[str]) -> str:
    """Why a correction was refused, in words a reviewer can act on."""
    wanted = sorted(set().union(*(placeholders(e) for e in english)))
    reasons = []
    if "placeholders differ" in problems and wanted:
        names = ", ".join("{" + p + "}" for p in wanted)
        reasons.append(f"keep the parts in curly brackets exactly as in English: {names}")
    elif "placeholders differ" in problems:
        reasons.append("leave out curly brackets: the English has none")
    if "commands differ" in problems:
        reasons.append("keep these commands exactly as they are: "
                       + ", ".join(commands(english[0])))
    if {"markup differs", "markup unbalanced"} & set(problems):
        reasons.append("keep the same <tags> as the English, each one closed")
    return "Not saved. Please " + "; and ".join(reasons) + "."


@dataclass
class Summary:
    approved: int = 0
    corrected: int = 0
    skipped: int = 0
    refused: int = 0
    shown: int = 0

    @property
    def reviewed(self) -> int:
        return self.approved + self.corrected


@dataclass
class ReviewSession:
    """One sitting: a reviewer, a language, and the strings still to look at."""

    engine: Engine
    locales_dir: Path
    lang: str
    reviewer: str
    stdin: TextIO
    stdout: TextIO
    only: str = "unreviewed"
    limit: int | None = None
    sitting: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    summary: Summary = field(default_factory=Summary)
    path: Path = field(init=False)
    member_id: int | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        parse_reviewer(self.reviewer)
        if self.only not in ONLY:
            raise ValueError(f"--only must be one of {', '.join(ONLY)}")
        self.path = po_path(self.locales_dir, self.lang)
        if self.lang == "en" or not self.path.is_file():
            raise LookupError(f"there is no catalog for {self.lang!r} in {self.locales_dir}")
        with transaction(self.engine) as session:
            self.member_id = member_for(session, self.reviewer)

    # --- what to show ---------------------------------------------------------------

    def _reviewed(self) -> set[tuple[str, str | None, tuple[str, ...]]]:
        with transaction(self.engine) as session:
            rows = session.exec(select(TranslationReview)
                                .where(col(TranslationReview.lang) == self.lang)).all()
            return {(r.msgid, r.msgctxt, tuple(r.new_forms)) for r in rows}

    def queue(self) -> list[Entry]:
        done = self._reviewed()
        todo = []
        for entry in entries(read_catalog(self.path, self.lang)):
            if self.only == "untranslated" and entry.translated:
                continue
            if self.only == "unreviewed" and entry.translated and (
                    entry.msgid, entry.context, entry.forms) in done:
                continue
            todo.append(entry)
        return todo[: self.limit] if self.limit else todo

    # --- talking --------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def ask(self, prompt: str) -> str | None:
        """One line of input; None at end of input (a script ran out: quit)."""
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        return None if line == "" else line.rstrip("\r\n")

    def show(self, number: int, total: int, entry: Entry, examples: list[list[int]]) -> None:
        self.say(f"\n[{number}/{total}] English:")
        for text in entry.english:
            self.say(f"  {text}")
        self.say(f"{english_name(self.lang)} ({self.lang}) now:")
        if entry.fuzzy:
            self.say("  (a guess, marked fuzzy: members see the English until it is approved)")
        elif not entry.translated:
            self.say("  (not translated yet: members see the English)")
        for i, form in enumerate(entry.forms):
            numbers = ", ".join(map(str, examples[i]))
            label = f"  form {i} (n = {numbers}): " if entry.plural else "  "
            if form:
                self.say(label + form)

    def run(self) -> Summary:
        todo = self.queue()
        catalog = read_catalog(self.path, self.lang)
        examples = plural_examples(catalog)
        self.say(f"Reviewing {english_name(self.lang)} as {self.reviewer}: "
                 f"{len(todo)} strings to look at.")
        if self.member_id is None:
            self.say("Note: this reviewer is not a member yet, so staff cannot pay them "
                     "until the accounts are linked.")
        for number, entry in enumerate(todo, 1):
            self.summary.shown += 1
            self.show(number, len(todo), entry, examples)
            if not self.decide(entry, examples):
                break
        self.say(f"\nThank you. Approved {self.summary.approved}, corrected "
                 f"{self.summary.corrected}, skipped {self.summary.skipped}.")
        if self.summary.reviewed:
            self.say("This is recorded as your contribution. Staff can see it with "
                     "`copro-bot translations contributions`.")
        return self.summary

    def decide(self, entry: Entry, examples: list[list[int]]) -> bool:
        """Handle one string; False means the reviewer quit."""
        can_approve = all(entry.forms)
        options = "[a]pprove, [c]orrect, [s]kip, [q]uit" if can_approve else \
            "[c]orrect (type a translation), [s]kip, [q]uit"
        while True:
            answer = self.ask(f"{options} > ")
            if answer is None:
                return False
            choice = answer.strip().lower()[:1]
            if choice == "q":
                return False
            if choice == "s" or choice == "":
                self.summary.skipped += 1
                return True
            if choice == "a" and can_approve:
                problems = translation_problems(self._english(entry), entry.forms)
                if problems:
                    self.summary.refused += 1
                    self.say(explain(entry.english, problems) + " Type c to correct it.")
                    continue
                self.save(entry, entry.forms, "approved")
                self.say("Approved.")
                return True
            if choice == "a":
                self.say("There is no translation to approve yet. Type c to write one.")
            elif choice == "c":
                if self.correct(entry, examples):
                    return True
            else:
                self.say("Please type a, c, s or q.")

    @staticmethod
    def _english(entry: Entry) -> str | tuple[str, ...]:
        return entry.english if entry.plural else entry.msgid

    def correct(self, entry: Entry, examples: list[list[int]]) -> bool:
        forms = []
        for i in range(len(entry.forms)):
            label = (f"Form {i} (n = {', '.join(map(str, examples[i]))})" if entry.plural
                     else "New translation")
            text = self.ask(f"{label} (an empty line cancels) > ")
            if not text or not text.strip():
                self.say("Not changed.")
                return False
            forms.append(text.strip())
        problems = translation_problems(self._english(entry), tuple(forms))
        if problems:
            self.summary.refused += 1
            self.say(explain(entry.english, problems))
            return False
        self.save(entry, tuple(forms), "corrected")
        self.say("Saved.")
        return True

    # --- saving ---------------------------------------------------------------------

    def save(self, entry: Entry, forms: tuple[str, ...], action: str) -> None:
        """Write the .po (re-read first, so others' changes survive), then the record."""
        catalog = read_catalog(self.path, self.lang)
        message = find(catalog, entry)
        if message is None or forms_of(message)[: len(entry.forms)] != entry.forms:
            raise LookupError("this string changed in the file meanwhile; please start again")
        if action == "corrected" or message.fuzzy:
            set_translation(catalog, entry, forms)
            write_catalog(self.path, catalog)
        with transaction(self.engine) as session:
            session.add(TranslationReview(
                lang=self.lang, msgid=entry.msgid, msgctxt=entry.context, action=action,
                old_forms=list(entry.forms) if any(entry.forms) else None,
                new_forms=list(forms), reviewer=self.reviewer, member_id=self.member_id,
                sitting=self.sitting))
        if action == "approved":
            self.summary.approved += 1
        else:
            self.summary.corrected += 1
