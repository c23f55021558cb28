"""State: named tables of JSON documents keyed by string ids, the one package that knows
TinyDB. One job per module:

* `store.py`: the store's reads and writes (`Store`);
* `tables.py`: a vendor's or a tenant's part of it, and the vendor's data as a whole (`Tables`);
* `transactions.py`: writes that take effect together or not at all;
* `persistence.py`: the tables kept in a data directory (journal and snapshot, `journal.py`);
* `orders.py` and `rows.py`: sorted orders kept from read to read, and the read-only rows
  `view` returns;
* `copies.py`: the copies callers get, so that they never change what is stored;
* `tinydb_adapter.py`: the tables in TinyDB, with every TinyDB internal the store relies on.
"""

from mockexp.journal import JOURNAL, SNAPSHOT, StoreError, StoreLocked, WriteFailed
from mockexp.store.rows import Rows
from mockexp.store.store import DuplicateKey, Store
from mockexp.store.tables import MOST_TENANTS_KEPT, SEQUENCES, Tables
from mockexp.store.tinydb_adapter import _Database  # noqa: F401  (the guard tests of TinyDB's internals use it)

__all__ = ["JOURNAL", "MOST_TENANTS_KEPT", "SEQUENCES", "SNAPSHOT", "DuplicateKey", "Rows", "Store", "StoreError", "StoreLocked", "Tables", "WriteFailed"]
