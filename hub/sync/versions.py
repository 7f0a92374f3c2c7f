"""Inbound versions: an older version of a record never overwrites a newer one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from dms_domain.exchange import is_newer
from hub.db.schema import inbound_versions


def claim_version(
    conn: Connection, source: str, entity: str, key: str, version: str, now: datetime
) -> bool:
    """True when ``version`` is newer than what was applied (and is now recorded);
    False for the same or an older one, which the caller then ignores."""
    where = (
        inbound_versions.c.source == source,
        inbound_versions.c.entity == entity,
        inbound_versions.c.key == key,
    )
    row = conn.execute(select(inbound_versions.c.version).where(*where).with_for_update()).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(inbound_versions).values(
                        source=source, entity=entity, key=key, version=version, applied_at=now
                    )
                )
            return True
        except IntegrityError:
            # Another worker recorded this key meanwhile (its insert made ours
            # wait until it committed): compare with what it recorded.
            row = conn.execute(
                select(inbound_versions.c.version).where(*where).with_for_update()
            ).one()
    if not is_newer(version, row.version):
        return False
    conn.execute(update(inbound_versions).where(*where).values(version=version, applied_at=now))
    return True
