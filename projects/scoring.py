"""The arithmetic of a contest, pure and testable: an entry's mean, with or without the highest and lowest
dropped, and a ranking in which equal scores share a place."""

from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def mean_of(totals, drop_extremes: bool = False) -> tuple[Decimal | None, list[int]]:
    """The mean of the judges' totals and the positions (in ``totals``) left out. With ``drop_extremes`` and
    at least three scores, one highest and one lowest are left out."""
    totals = [Decimal(t) for t in totals]
    if not totals:
        return None, []
    dropped: list[int] = []
    if drop_extremes and len(totals) >= 3:
        high = max(range(len(totals)), key=lambda i: (totals[i], -i))
        low = min(range(len(totals)), key=lambda i: (totals[i], i))
        dropped = sorted({high, low}) if high != low else [high, (high + 1) % len(totals)]
    kept = [t for i, t in enumerate(totals) if i not in dropped]
    mean = (sum(kept, Decimal(0)) / len(kept)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return mean, dropped


def rank(scores: dict) -> dict:
    """Competition ranking ("1, 1, 3") of ``{key: score}``, highest first; a key without a score is unranked."""
    ordered = sorted((s, k) for k, s in scores.items() if s is not None)
    ordered.reverse()
    ranks, previous, place = {}, None, 0
    for position, (score, key) in enumerate(ordered, start=1):
        if score != previous:
            place, previous = position, score
        ranks[key] = place
    return ranks
