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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import count
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

if TYPE_CHECKING:
    from datasketch import LeanMinHash

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
#: A text this near (rapidfuzz ratio) to one already indexed joins its group without being
#: indexed itself: later copies find the group through the indexed one (85 from it is at
#: worst about 80 from this one, still alike, as the confirmed pair is transitive anyway).
NEAR_COPY_RATIO = 95.0
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


def signature(text: str, word_ids: defaultdict[str, int], permutations: tuple[np.ndarray, np.ndarray]) -> LeanMinHash:
    """The MinHash of a normalised text's word shingles. Words are numbered as they are first
    met (`word_ids`, shared by all texts of a run) and each shingle of SHINGLE_WORDS numbers
    is hashed with numpy in one pass: no Python call per shingle."""
    from datasketch import LeanMinHash, MinHash  # see near_duplicate_groups

    ids = np.fromiter(map(word_ids.__getitem__, text.split()), dtype=np.uint64)
    shingles = ids[: len(ids) - SHINGLE_WORDS + 1].copy()
    for offset in range(1, SHINGLE_WORDS):
        shingles = shingles * _MIX + ids[offset : len(ids) - SHINGLE_WORDS + 1 + offset]
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=int, permutations=permutations, scheme="affine32")
    minhash.update_batch((shingles & _LOW32).tolist())  # a repeated shingle changes no minimum
    return LeanMinHash(minhash)


#: An odd multiplier (2^64 / golden ratio) that spreads word numbers over the shingle's hash.
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LOW32 = np.uint64(0xFFFFFFFF)


def near_duplicate_groups(
    texts: Iterable[tuple[int, str]], progress: Progress | None = None, *, min_group: int = MIN_GROUP
) -> list[Group]:
    """Groups of at least `min_group` near-identical texts among (id, text) pairs, largest
    first. `progress` is told the share done (0 to 1) now and then.

    Texts are taken in the order given (ids ascending, so the earliest leads its group):
    each is compared with the indexed texts LSH proposes, joins the groups of those it is
    near-identical to, and is indexed itself unless it is a near-copy (NEAR_COPY_RATIO) of
    one already indexed: a campaign of thousands is then found through a few indexed
    variants instead of making every later copy a candidate of every earlier one. Grouping
    is transitive: A like B and B like C puts A and C together even if they differ more; a
    campaign's template edited a little by each participant is exactly that."""
    # Only the campaigns job groups texts: datasketch, and the SciPy it loads, are imported
    # then, not by every process that imports the site (0.4 s of CPU each, a command's start).
    from datasketch import MinHash, MinHashLSH

    report = progress or (lambda _share: None)
    kept = [(identifier, text) for identifier, raw in texts if len((text := normalised(raw)).split()) >= MIN_WORDS]
    permutations = MinHash(num_perm=NUM_PERM, scheme="affine32").permutations  # seeded: the same every run
    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=NUM_PERM)
    indexed: dict[int, str] = {}
    parent: dict[int, int] = {}
    word_ids: defaultdict[str, int] = defaultdict(count().__next__)
    step = max(1, len(kept) // PROGRESS_STEPS)
    for done, (identifier, text) in enumerate(kept, 1):
        minhash = signature(text, word_ids, permutations)
        parent[identifier] = identifier
        if not _join_alike(lsh.query(minhash), identifier, text, indexed, parent):
            lsh.insert(identifier, minhash, check_duplication=False)
            indexed[identifier] = text
        if done % step == 0:
            report(done / len(kept))
    members: dict[int, list[int]] = {}
    for identifier in parent:
        members.setdefault(_find(parent, identifier), []).append(identifier)
    groups = [Group(tuple(sorted(ids))) for ids in members.values() if len(ids) >= min_group]
    report(1.0)
    return sorted(groups, key=lambda group: (-len(group.ids), group.representative))


def _join_alike(
    candidates: Iterable[int], identifier: int, text: str, indexed: dict[int, str], parent: dict[int, int]
) -> bool:
    """Join the groups of the candidates near-identical to `text`; whether one is a near-copy."""
    near_copy = False
    for other in sorted(candidates):
        if _find(parent, other) == _find(parent, identifier):
            continue  # its group was joined through another candidate
        score = fuzz.ratio(text, indexed[other], score_cutoff=CONFIRM_RATIO)
        if score:
            _union(parent, identifier, other)
            near_copy = near_copy or score >= NEAR_COPY_RATIO
    return near_copy


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
