from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from majal.kit.errors import NotFound
from majal.kit.i18n import N_
from tests.toy.models import Note


def add(db: Session, text: str) -> Note:
    note = Note(text=text)
    db.add(note)
    db.flush()
    return note


def note(db: Session, note_id: int) -> Note:
    found = db.get(Note, note_id)
    if found is None:
        raise NotFound(N_("This page does not exist."))
    return found


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Note)) or 0


def tidy(sessions: sessionmaker[Session]) -> int:
    """The toy's queued work: tidy every note not tidied yet."""
    with sessions.begin() as db:
        return db.execute(update(Note).where(Note.tidy.is_(False)).values(tidy=True)).rowcount or 0
