"""Do the manifest and the store name the same chunks? Checked on every run, before and after its work, so a
store that lost chunks, or holds chunks no manifest row tracks, is found even when every file is unchanged."""

from __future__ import annotations

from dataclasses import dataclass, field

from chromadb.api.models.Collection import Collection

from assistant.ingest.manifest import DocRecord


@dataclass(frozen=True)
class Disagreement:
    """What the store and the manifest disagree on (empty: they agree)."""

    missing: dict[str, list[str]] = field(default_factory=dict)  # done document -> its chunk ids the store lacks
    untracked: list[str] = field(default_factory=list)  # chunk ids in the store that no manifest row names

    def __bool__(self) -> bool:
        return bool(self.missing or self.untracked)


def stored_ids(collection: Collection, page: int) -> set[str]:
    """Every chunk id in the collection, read ``page`` ids at a time."""
    ids: set[str] = set()
    offset = 0
    while True:
        got = collection.get(include=[], limit=page, offset=offset)["ids"]
        ids.update(got)
        if len(got) < page:
            return ids
        offset += page


def compare(records: dict[str, DocRecord], ids: set[str]) -> Disagreement:
    """Done documents whose chunks are not all stored, and stored chunks no record (done or pending) names."""
    tracked = {cid for record in records.values() for cid in record.chunk_ids}
    missing = {
        doc_id: sorted(set(record.chunk_ids) - ids)
        for doc_id, record in sorted(records.items())
        if record.done and not ids.issuperset(record.chunk_ids)
    }
    return Disagreement(missing, sorted(ids - tracked))
