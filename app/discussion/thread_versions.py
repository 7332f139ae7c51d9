"""Each thread's version: a top-level contribution and the replies under it change together.

Triggers bump a thread's version in the same transaction as every write to it, whichever
path makes it (migration e7a4c1f9d263), as they bump the key message's tally, amendments
and quotes versions for the contributions that change those. Stored HTML of a thread
(app.discussion.web.stored_threads) is valid for one version, so a reply costs its next
reader that one thread, not the page."""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ThreadVersion(Base):
    """Written only by the triggers. A thread nothing has changed since the triggers came
    has no row: its version is 0."""

    __tablename__ = "thread_versions"

    #: The thread's top-level contribution. No foreign key: a trigger after deleting the
    #: contribution still writes here, and a deleted thread's row is harmless.
    root_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)
