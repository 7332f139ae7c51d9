"""sign-in failures counted per address and network

Each failure also stores its network (IPv4 /24, IPv6 /64), which the throttle now counts
by: per account and network, so a stranger cannot lock a person out from elsewhere, and per
network, against password spraying. The index on the address gives way to one on the
network. Failures recorded before have no network and simply stop counting; they are at
most one window (15 minutes) old for the throttle anyway.

Revision ID: e6f4c9a1b305
Revises: d5e3b8f0a204
Create Date: 2026-12-06 19:45:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e6f4c9a1b305"
down_revision: str | Sequence[str] | None = "d5e3b8f0a204"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network", sa.String(length=45), nullable=True))
        batch_op.drop_index("ix_sign_in_failures_address_attempted_at")
        batch_op.create_index("ix_sign_in_failures_network_attempted_at", ["network", "attempted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_network_attempted_at")
        batch_op.create_index("ix_sign_in_failures_address_attempted_at", ["address", "attempted_at"], unique=False)
        batch_op.drop_column("network")
