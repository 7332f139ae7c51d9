"""The workspace's benchmark data beyond the demo generator's: every fifth visible contribution
quotes a sentence of its key message (the generator quotes nothing), so the quoted passages
have something to count.

    python -m bench.consolidation_data   # DATABASE_URL etc. from the environment"""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text, update

from app.consultation.models import KeyMessage
from app.db import make_engine, make_sessionmaker
from app.discussion.models import Contribution
from app.settings import load_settings
from app.text.footnotes import sentences, strip_footnote_markers


async def generate() -> str:
    engine = make_engine(load_settings().database_url)
    quoting = 0
    try:
        async with make_sessionmaker(engine)() as db:
            for message_id, message_text in (await db.execute(select(KeyMessage.id, KeyMessage.text))).all():
                plain = strip_footnote_markers(message_text)
                for number, sentence in enumerate(sentences(message_text)[:3]):
                    start = plain.find(sentence)
                    if start < 0:
                        continue
                    done = await db.execute(
                        update(Contribution)
                        .where(Contribution.key_message_id == message_id, Contribution.id % 15 == number * 5)
                        .values(quote_text=sentence, quote_start=start)
                    )
                    quoting += done.rowcount  # type: ignore[attr-defined]  # CursorResult of an UPDATE
            await db.commit()
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
        return f"{quoting:,} contributions quote their key message"
    finally:
        await engine.dispose()


if __name__ == "__main__":
    print(asyncio.run(generate()))
