"""Grouping near-identical texts (app.discussion.near_duplicates): campaigns found, and
nothing found where there is none, whatever the input."""

from __future__ import annotations

import random

from app.discussion.near_duplicates import MIN_WORDS, near_duplicate_groups, normalised

TEMPLATE = (
    "We the undersigned residents of the coastal districts call on the negotiators to protect the right "
    "of migrant workers to change employer without losing their residence permit, to guarantee equal pay "
    "for equal work from the first day, and to give every worker access to a free interpreter when a labour "
    "inspector visits the workplace. Without these safeguards the compact will remain a promise on paper."
)
WORDS = (
    "agriculture remittances border visa labour education health housing climate coastal urban rural finance "
    "consular diaspora training skills recognition data statistics gender children family reunification return "
    "reintegration smuggling trafficking detention alternatives dignity rights access justice language culture"
).split()


def edited(text: str, rng: random.Random, edits: int = 3) -> str:
    """The text with a few words changed, as a campaign's participants change a template."""
    words = text.split()
    for _ in range(edits):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def unrelated(rng: random.Random, length: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(length))


def test_thirty_near_identical_posts_with_small_edits_form_one_campaign() -> None:
    rng = random.Random(30)
    texts = [(100 + n, edited(TEMPLATE, rng)) for n in range(30)]
    texts += [(500 + n, unrelated(rng)) for n in range(40)]
    groups = near_duplicate_groups(texts)
    assert len(groups) == 1
    assert groups[0].ids == tuple(range(100, 130))
    assert groups[0].representative == 100  # the earliest


def test_copies_differing_in_case_punctuation_and_spacing_group() -> None:
    variants = [TEMPLATE, TEMPLATE.upper(), TEMPLATE.replace(",", ""), TEMPLATE.replace(" ", "\n  "), f"«{TEMPLATE}»"]
    assert near_duplicate_groups(enumerate(variants, 1))[0].ids == (1, 2, 3, 4, 5)


def test_unrelated_texts_do_not_group() -> None:
    rng = random.Random(7)
    assert near_duplicate_groups([(n, unrelated(rng)) for n in range(1, 300)]) == []


def test_texts_sharing_a_long_quotation_but_not_their_argument_do_not_group() -> None:
    rng = random.Random(11)
    texts = [(n, f"{TEMPLATE[:120]} {unrelated(rng, 80)}") for n in range(1, 11)]
    assert near_duplicate_groups(texts) == []


def test_very_short_texts_do_not_group_spuriously() -> None:
    texts = [(n, "I agree.") for n in range(1, 31)]
    texts += [(100 + n, "We support this key message.") for n in range(30)]
    texts += [(200 + n, "Strongly oppose: " + " ".join(["no"] * (MIN_WORDS - 3))) for n in range(30)]
    assert near_duplicate_groups(texts) == []


def test_two_campaigns_are_two_groups_largest_first() -> None:
    rng = random.Random(2)
    other = " ".join(reversed(TEMPLATE.split())) + " and recognise the diplomas earned abroad at once"
    texts = [(n, edited(TEMPLATE, rng, 2)) for n in range(1, 6)] + [(n, edited(other, rng, 2)) for n in range(10, 18)]
    groups = near_duplicate_groups(texts)
    assert [group.ids for group in groups] == [tuple(range(10, 18)), (1, 2, 3, 4, 5)]


def test_fewer_copies_than_a_campaign_are_not_one() -> None:
    assert near_duplicate_groups([(1, TEMPLATE), (2, TEMPLATE)]) == []
    assert near_duplicate_groups([(1, TEMPLATE), (2, TEMPLATE)], min_group=2)[0].ids == (1, 2)


def test_control_and_invisible_characters_neither_break_nor_hide_a_copy() -> None:
    hidden = "\u200b".join(TEMPLATE[i : i + 7] for i in range(0, len(TEMPLATE), 7))
    noisy = TEMPLATE.replace(" ", " \x00\x1b\x7f\t")
    texts = [(1, TEMPLATE), (2, hidden), (3, noisy), (4, ""), (5, "\x00\x01\x02"), (6, " \n\t "), (7, "\u202e\ufeff")]
    groups = near_duplicate_groups(texts)
    assert [group.ids for group in groups] == [(1, 2, 3)]
    assert normalised("\x00\u200bA\u00adb,\tC\x7f") == "ab c"


def test_empty_and_huge_input() -> None:
    assert near_duplicate_groups([]) == []
    huge = edited(TEMPLATE, random.Random(1)) * 30  # about 10,000 characters
    assert near_duplicate_groups([(1, huge), (2, huge), (3, huge + " indeed")])[0].ids == (1, 2, 3)


def test_progress_is_reported_up_to_done() -> None:
    shares: list[float] = []
    rng = random.Random(3)
    near_duplicate_groups([(n, edited(TEMPLATE, rng)) for n in range(1, 50)], shares.append)
    assert shares == sorted(shares) and shares[-1] == 1.0 and all(0 <= share <= 1 for share in shares)


def test_a_text_between_two_variants_joins_them_and_the_variants_alone_do_not() -> None:
    """X and Y differ in their last twelve words (too much: not near-identical), M in six of
    them (near both). Without M there are two campaigns; M makes them one."""
    words = TEMPLATE.split()
    other = [f"different{n}" for n in range(12)]
    x = " ".join(words)
    y = " ".join(words[:-12] + other)
    m = " ".join(words[:-12] + other[:6] + words[-6:])
    alone = near_duplicate_groups([(1, x), (2, x), (3, x), (4, y), (5, y), (6, y)])
    assert [group.ids for group in alone] == [(1, 2, 3), (4, 5, 6)]
    joined = near_duplicate_groups([(1, x), (2, x), (3, x), (4, y), (5, y), (6, y), (7, m)])
    assert [group.ids for group in joined] == [(1, 2, 3, 4, 5, 6, 7)]
