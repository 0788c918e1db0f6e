"""The toy's one table, on a metadata of its own so that it stays out of the real schema of the other tests."""

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ToyBase(DeclarativeBase):
    pass


class Note(ToyBase):
    __tablename__ = "toy_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
    tidy: Mapped[bool] = mapped_column(default=False)
