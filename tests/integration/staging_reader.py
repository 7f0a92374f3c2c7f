"""A staging-table reader in its own process, for the concurrency tests.

python -m tests.integration.staging_reader drain TARGET BATCH
    claim and finish batches until none is left; print the ids taken (JSON)
python -m tests.integration.staging_reader hold TARGET BATCH LEASE
    claim one batch, print {"batch_id", "ids"}, wait for a line on stdin
    (or to be killed), then finish it and print how many rows it finished
"""

from __future__ import annotations

import json
import sys

from staging_tables.claims import ClaimPolicy, StagingQueue
from staging_tables.db import Options, StagingDb

COLUMNS = ("warehouse_code", "sku", "qty_on_hand", "as_of")


def main(argv: list[str]) -> int:
    mode, target, size = argv[0], argv[1], int(argv[2])
    lease = float(argv[3]) if len(argv) > 3 else 300.0
    db = StagingDb(target, Options(statement_timeout=10, pool_size=1))
    queue = StagingQueue(db, "dms_in_stock", COLUMNS, ClaimPolicy(lease_seconds=lease))
    try:
        if mode == "drain":
            taken: list[int] = []
            while True:
                batch = queue.claim(size)
                if not batch.rows:
                    break
                taken.extend(batch.ids)
                queue.finish(batch.batch_id)
            print(json.dumps(taken), flush=True)
            return 0
        batch = queue.claim(size)
        print(json.dumps({"batch_id": batch.batch_id, "ids": batch.ids}), flush=True)
        sys.stdin.readline()
        print(json.dumps({"finished": queue.finish(batch.batch_id)}), flush=True)
        return 0
    finally:
        db.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
