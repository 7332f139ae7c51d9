"""Near-identical texts found among many: the pure part of campaign detection.

Candidates come from MinHash signatures of each text's word shingles, bucketed by
locality-sensitive hashing (datasketch's MinHashLSH), so texts are compared with the few
that may resemble them rather than with all; each candidate pair is then confirmed on the
whole normalised text with rapidfuzz's `ratio` (an edit-distance similarity, 0-100).
Confirmed pairs are joined into groups (union-find). Plain functions, no I/O: CPU work that
grows with the consultation, so callers run it in a worker thread, never on an event loop."""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

#: Permutations of each signature: with 64, the estimated Jaccard similarity of two texts
#: is within about ±0.06 of the true one, enough to pick candidates the edit distance confirms.
NUM_PERM = 64
#: Shingles of this many words: a changed word alters at most this many of a text's shingles.
SHINGLE_WORDS = 3
#: Jaccard similarity of shingles above which LSH proposes a pair. Low on purpose: a text of
#: 40 words with four words changed keeps only about 0.55 of its 3-word shingles; the
#: confirmation decides.
CANDIDATE_THRESHOLD = 0.5
#: rapidfuzz ratio (0-100) from which two normalised texts count as near-identical.
CONFIRM_RATIO = 85.0
#: Texts shorter than this (in words, after normalising) never group: "I agree." written by
#: thirty people is agreement, not a campaign, and short texts look alike by chance.
MIN_WORDS = 12
#: Groups smaller than this are not campaigns.
MIN_GROUP = 3
#: Progress is reported this many times per stage at most.
PROGRESS_STEPS = 20

Progress = Callable[[float], None]

#: Unicode format characters (category Cf: soft hyphens, zero-width spaces and joiners,
#: direction marks and overrides, the byte order mark), which show nothing inside a word.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


@dataclass(frozen=True)
class Group:
    """Near-identical texts: their ids, lowest first; the lowest (the earliest) represents them."""

    ids: tuple[int, ...]

    @property
    def representative(self) -> int:
        return self.ids[0]


def normalised(text: str) -> str:
    """Lower case, letters and digits only, single spaces: what two copies of a text share
    after a campaign's participants add a line break, a comma or capitals. Invisible format
    characters are dropped first and control characters count as spaces (default_process),
    so neither hides a copy."""
    return " ".join(default_process(_INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).split())


def _hash32(data: bytes) -> int:
    """A fast hash that is the same in every process (Python's own is salted per process)."""
    return zlib.crc32(data)


def signature(words: Sequence[str], permutations: tuple[np.ndarray, np.ndarray]) -> LeanMinHash:
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=_hash32, permutations=permutations, scheme="affine32")
    minhash.update_batch(list(shingles))
    return LeanMinHash(minhash)


def near_duplicate_groups(
    texts: Iterable[tuple[int, str]], progress: Progress | None = None, *, min_group: int = MIN_GROUP
) -> list[Group]:
    """Groups of at least `min_group` near-identical texts among (id, text) pairs, largest
    first. `progress` is told the share done (0 to 1) now and then. Grouping is transitive:
    A like B and B like C puts A and C together even if they differ more; a campaign's
    template edited a little by each participant is exactly that."""
    report = progress or (lambda _share: None)
    kept = [(identifier, text) for identifier, raw in texts if len((text := normalised(raw)).split()) >= MIN_WORDS]
    signatures = _signatures(kept, lambda share: report(share * 0.6))
    pairs = _candidate_pairs(signatures)
    report(0.7)
    by_id = dict(kept)
    parent = {identifier: identifier for identifier, _ in kept}
    for done, (first, second) in enumerate(pairs, 1):
        if _find(parent, first) != _find(parent, second) and fuzz.ratio(by_id[first], by_id[second]) >= CONFIRM_RATIO:
            _union(parent, first, second)
        if done % 50_000 == 0:
            report(0.7 + 0.3 * done / len(pairs))
    members: dict[int, list[int]] = {}
    for identifier in parent:
        members.setdefault(_find(parent, identifier), []).append(identifier)
    groups = [Group(tuple(sorted(ids))) for ids in members.values() if len(ids) >= min_group]
    report(1.0)
    return sorted(groups, key=lambda group: (-len(group.ids), group.representative))


def _signatures(kept: list[tuple[int, str]], report: Progress) -> list[tuple[int, LeanMinHash]]:
    permutations = MinHash(num_perm=NUM_PERM, hashfunc=_hash32).permutations  # seeded: the same every run
    step = max(1, len(kept) // PROGRESS_STEPS)
    signed = []
    for done, (identifier, text) in enumerate(kept, 1):
        signed.append((identifier, signature(text.split(), permutations)))
        if done % step == 0:
            report(done / len(kept))
    return signed


def _candidate_pairs(signatures: list[tuple[int, LeanMinHash]]) -> list[tuple[int, int]]:
    """Pairs whose signatures share a band, each once, lower id first."""
    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for identifier, minhash in signatures:
            session.insert(identifier, minhash, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for identifier, minhash in signatures:
        pairs.update((identifier, other) for other in lsh.query(minhash) if other > identifier)
    return sorted(pairs)


def _find(parent: dict[int, int], identifier: int) -> int:
    root = identifier
    while parent[root] != root:
        root = parent[root]
    while parent[identifier] != root:  # path compression: later finds take one step
        parent[identifier], identifier = root, parent[identifier]
    return root


def _union(parent: dict[int, int], first: int, second: int) -> None:
    low, high = sorted((_find(parent, first), _find(parent, second)))
    parent[high] = low
