"""The database of one application: its engine, session factory and units of work."""

from __future__ import annotations

from sqlalchemy import Engine, text

from backend.core.db.session import make_engine, make_session_factory, writing
from backend.core.db.uow import SqlAlchemyUnitOfWork


class Database:
    """Created by the application factory; connects only when first used."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.engine: Engine = make_engine(url, echo=echo)
        self.session_factory = make_session_factory(self.engine)
        self.writing_session_factory = make_session_factory(writing(self.engine))

    def unit_of_work(self, writes: bool = False) -> SqlAlchemyUnitOfWork:
        """A fresh unit of work; use it as a context manager.

        `writes`: its transactions are meant to write (a command, not a query). On SQLite each then holds the
        write lock from its start, so no other writer can commit between its reads and its writes; a thread
        must not hold such a unit of work open while it writes through another one.
        """
        factory = self.writing_session_factory if writes else self.session_factory
        return SqlAlchemyUnitOfWork(factory)

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections (tests, forks)."""
        self.engine.dispose()
