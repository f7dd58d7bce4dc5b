"""What a function does to Baton's tables and bus, declared beside its code: the stacks grant exactly this.

Every function has one declaration (`baton.bus.Subscription` for the bus consumers, `baton.bus.INGEST_API`
for the ingestion API), read by the CDK app (`infra.constructs.grants`), which turns it into IAM and adds
nothing. Tables are named by their logical names (`baton.tables`).

- `reads`: the tables it reads, granted the two read calls Baton's adapters make, `GetItem` and `Query`, on
  the table itself (an index is a separate grant, below).
- `writes`: the tables it writes, each with the write calls its code makes (`Writes("context", "PutItem")`).
  A `TransactWriteItems` has no IAM action of its own: DynamoDB authorises each of its items as the call it
  stands for (a Put as `PutItem`, an Update as `UpdateItem`), so a transaction is declared by those calls.
- `index_queries`: the secondary indexes it Queries (by index name), on tables it reads.
- `publishes`: the events it puts on the bus: `events:PutEvents` on the Baton bus, for their sources and
  detail types only.
- `dead_letters`: it sends a record that can never succeed to its own DLQ at once (`baton.consumer`):
  `sqs:SendMessage` on that one queue (a bus consumer's; the URL in `BATON_DEAD_LETTER_QUEUE_URL`).

`Scan` and `BatchWriteItem` cannot be declared (no Baton code calls them), and `DeleteItem` only where a
function deletes. Find what code calls with `grep -rn "client\\.[a-z_]*(" shared/baton` before declaring.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from baton.tables import TABLES

if TYPE_CHECKING:
    from baton.events import BusEvent

WriteCall = Literal["PutItem", "UpdateItem", "DeleteItem"]
"""The DynamoDB write calls a declaration may name; each is its own IAM action (`dynamodb:<call>`)."""

READ_CALLS: tuple[str, ...] = ("GetItem", "Query")
"""What a read of a table is granted: the calls Baton's adapters read with (no Scan, no batch reads)."""
INDEX_CALLS: tuple[str, ...] = ("Query",)
"""What a declared index query is granted, on that index alone."""

_TABLES = {table.logical_name: table for table in TABLES}


@dataclass(frozen=True, init=False)
class Writes:
    """One table a function writes, with the write calls its code makes: `Writes("conversations", "UpdateItem")`."""

    table: str
    calls: tuple[WriteCall, ...]

    def __init__(self, table: str, *calls: WriteCall) -> None:
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "calls", calls)
        known = get_args(WriteCall)
        if not calls:
            raise ValueError(f"Writes({table!r}) names no write call: declare the calls its code makes")
        unknown = [call for call in calls if call not in known]
        if unknown:
            raise ValueError(f"Writes({table!r}): unknown write calls {unknown}; declarable: {list(known)}")
        if len(set(calls)) != len(calls):
            raise ValueError(f"Writes({table!r}) names a call twice: {list(calls)}")


@dataclass(frozen=True)
class Access:
    """A function's tables, indexes and events (see the module docstring for what each grants)."""

    reads: tuple[str, ...] = ()
    writes: tuple[Writes, ...] = ()
    index_queries: tuple[str, ...] = ()
    publishes: tuple[type[BusEvent], ...] = ()
    dead_letters: bool = False

    def __post_init__(self) -> None:
        named = [*self.reads, *(w.table for w in self.writes)]
        unknown = sorted(set(named) - set(_TABLES))
        if unknown:
            raise ValueError(f"unknown tables {unknown}; Baton's tables (baton.tables): {sorted(_TABLES)}")
        for what, names in (("reads", list(self.reads)), ("writes", [w.table for w in self.writes])):
            if len(set(names)) != len(names):
                raise ValueError(f"{what} names a table twice: {names}")
        for index in self.index_queries:
            table = self.index_table(index)
            if table not in self.reads:
                raise ValueError(f"index {index!r} is queried, but its table {table!r} is not in reads")
        if len(set(self.publishes)) != len(self.publishes):
            raise ValueError(f"publishes names an event twice: {[e.__name__ for e in self.publishes]}")

    @staticmethod
    def index_table(index: str) -> str:
        """The logical name of the table that has this index."""
        owners = [name for name, table in _TABLES.items() if any(ix.name == index for ix in table.indexes)]
        if len(owners) != 1:
            raise ValueError(
                f"index {index!r} is {'ambiguous' if owners else 'not an index of any Baton table'}"
            )
        return owners[0]

    def table_calls(self) -> dict[str, tuple[str, ...]]:
        """Logical table -> the DynamoDB calls granted on it (reads first, then writes, in declaration order)."""
        granted: dict[str, list[str]] = {}
        for table in self.reads:
            granted.setdefault(table, []).extend(READ_CALLS)
        for writes in self.writes:
            granted.setdefault(writes.table, []).extend(writes.calls)
        return {table: tuple(dict.fromkeys(calls)) for table, calls in granted.items()}

    def index_calls(self) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """(logical table, index, calls) for every declared index query."""
        for index in self.index_queries:
            yield self.index_table(index), index, INDEX_CALLS

    def published(self) -> dict[str, tuple[str, ...]]:
        """Event source -> the detail types published from it."""
        by_source: dict[str, list[str]] = {}
        for event in self.publishes:
            by_source.setdefault(event.SOURCE, []).append(event.DETAIL_TYPE)
        return {source: tuple(types) for source, types in by_source.items()}
