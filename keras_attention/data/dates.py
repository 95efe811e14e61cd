"""Synthetic date-normalisation data: the toolkit's built-in default task.

The task is to translate a date written the way people write it into the ISO 8601 form
`YYYY-MM-DD`, e.g.

    "Tuesday, March 3, 1998"  ->  "1998-03-03"
    "3rd of march 1998"       ->  "1998-03-03"
    "  03/03/1998"            ->  "1998-03-03"

Source dates are drawn from 1900-01-01 to 2099-12-31 and rendered in one of nine forms
(see `FORMS`). With a random generator, a rendering is also given a random letter case
(lower, UPPER, Title, unchanged or per-character mixed) and, for some examples, stray
spaces (extra spaces at the ends, doubled spaces between tokens).

Everything here is pure Python: the month and weekday names are fixed English tables
(never `strftime`, whose output depends on the locale), and all randomness comes from a
`random.Random` seeded by the caller, so a seed always gives the same data.
"""

import datetime
import hashlib
import os
import random

MIN_YEAR = 1900
MAX_YEAR = 2099

# Years that the two-digit-year form can express: 50-99 -> 19xx, 00-49 -> 20xx.
SHORT_YEAR_MIN = 1950
SHORT_YEAR_MAX = 2049

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
# Indexed by `datetime.date.weekday()` (Monday == 0).
WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

FORMS = (
    "day_month_year",  # 3 March 1998
    "month_day_year",  # March 3, 1998
    "weekday_month_day_year",  # Tuesday, March 3, 1998
    "abbrev_month_day_year",  # Mar 3 1998
    "ordinal_of_month_year",  # 3rd of March 1998
    "dotted_dmy",  # 03.03.1998
    "slashed_mdy",  # 03/03/1998
    "iso",  # 1998-03-03
    "day_abbrev_month_short_year",  # 3 Mar 98
)

CASE_STYLES = ("original", "lower", "upper", "title", "mixed")

# Share of randomised renderings that get stray spaces.
STRAY_SPACE_PROBABILITY = 0.3

_FIRST_ORDINAL = datetime.date(MIN_YEAR, 1, 1).toordinal()
_LAST_ORDINAL = datetime.date(MAX_YEAR, 12, 31).toordinal()
_SHORT_FIRST_ORDINAL = datetime.date(SHORT_YEAR_MIN, 1, 1).toordinal()
_SHORT_LAST_ORDINAL = datetime.date(SHORT_YEAR_MAX, 12, 31).toordinal()


def ordinal(day):
    """Returns `day` with its English ordinal suffix.

    Args:
        day: A positive integer.

    Returns:
        A string such as `"1st"`, `"2nd"`, `"3rd"`, `"4th"`, `"11th"` or `"23rd"`.
    """
    if 10 <= day % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _check_date(date):
    if isinstance(date, datetime.datetime):
        date = date.date()
    if not isinstance(date, datetime.date):
        raise TypeError(
            f"Expected a datetime.date, received {date!r} of type {type(date).__name__}."
        )
    return date


def iso(date):
    """Returns the ISO 8601 rendering (`YYYY-MM-DD`) of a date: the task's target.

    Args:
        date: A `datetime.date`.

    Returns:
        A string such as `"1998-03-03"`.
    """
    date = _check_date(date)
    return f"{date.year:04d}-{date.month:02d}-{date.day:02d}"


def _canonical(date, form):
    day, month, year = date.day, date.month, date.year
    name = MONTH_NAMES[month - 1]
    abbrev = MONTH_ABBREVIATIONS[month - 1]
    if form == "day_month_year":
        return f"{day} {name} {year}"
    if form == "month_day_year":
        return f"{name} {day}, {year}"
    if form == "weekday_month_day_year":
        return f"{WEEKDAY_NAMES[date.weekday()]}, {name} {day}, {year}"
    if form == "abbrev_month_day_year":
        return f"{abbrev} {day} {year}"
    if form == "ordinal_of_month_year":
        return f"{ordinal(day)} of {name} {year}"
    if form == "dotted_dmy":
        return f"{day:02d}.{month:02d}.{year:04d}"
    if form == "slashed_mdy":
        return f"{month:02d}/{day:02d}/{year:04d}"
    if form == "iso":
        return iso(date)
    if form == "day_abbrev_month_short_year":
        return f"{day} {abbrev} {year % 100:02d}"
    raise AssertionError(form)  # pragma: no cover - forms are checked by the caller.


def _apply_case(text, rng):
    style = rng.choice(CASE_STYLES)
    if style == "lower":
        return text.lower()
    if style == "upper":
        return text.upper()
    if style == "title":
        # Not `str.title()`, which would give "3Rd"; capitalise each space-separated token.
        return " ".join(token.capitalize() for token in text.split(" "))
    if style == "mixed":
        return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)
    return text


def _apply_stray_spaces(text, rng):
    if rng.random() >= STRAY_SPACE_PROBABILITY:
        return text
    tokens = text.split(" ")
    leading = rng.randint(0, 2)
    trailing = rng.randint(0, 2)
    gaps = [" " * rng.choice((1, 2)) for _ in tokens[1:]]
    if leading == 0 and trailing == 0 and all(gap == " " for gap in gaps):
        # Make sure the example really has a stray space.
        if rng.random() < 0.5:
            leading = 1
        else:
            trailing = 1
    body = tokens[0] + "".join(gap + token for gap, token in zip(gaps, tokens[1:]))
    return " " * leading + body + " " * trailing


def render_date(date, form, rng=None):
    """Renders a date as a human-written source string.

    Args:
        date: A `datetime.date` from 1900-01-01 to 2099-12-31 (for the two-digit-year
            form `"day_abbrev_month_short_year"`, from 1950-01-01 to 2049-12-31).
        form: One of `FORMS`.
        rng: Optional `random.Random`. When `None` the plain canonical rendering is
            returned (e.g. `"3rd of March 1998"`); otherwise a random letter case is
            applied and, for some renderings, stray spaces are added.

    Returns:
        The rendered string.

    Raises:
        ValueError: If `form` is unknown or the date is outside the form's range.
    """
    if form not in FORMS:
        raise ValueError(f"Unknown date form {form!r}; expected one of: {', '.join(FORMS)}.")
    date = _check_date(date)
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        raise ValueError(
            f"Dates must have a year in {MIN_YEAR}-{MAX_YEAR}; received {iso(date)} "
            f"(year {date.year})."
        )
    if form == "day_abbrev_month_short_year" and not (
        SHORT_YEAR_MIN <= date.year <= SHORT_YEAR_MAX
    ):
        raise ValueError(
            f"Form {form!r} writes two-digit years (50-99 -> 19xx, 00-49 -> 20xx), so it "
            f"needs a year in {SHORT_YEAR_MIN}-{SHORT_YEAR_MAX}; received {iso(date)} "
            f"(year {date.year})."
        )
    text = _canonical(date, form)
    if rng is None:
        return text
    text = _apply_case(text, rng)
    return _apply_stray_spaces(text, rng)


def _normalize(source):
    """Lower-cases a source and collapses its whitespace (for near-duplicate checks)."""
    return " ".join(source.lower().split())


def _check_count(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"`{name}` must be a non-negative int; received {value!r}.")


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"`seed` must be an int; received {seed!r}.")


def _generate(num, rng, exclude_exact, exclude_normalized):
    pairs = []
    seen = set()
    max_attempts = 100 * num + 1000
    attempts = 0
    while len(pairs) < num:
        attempts += 1
        if attempts > max_attempts:
            raise ValueError(
                f"Could not draw {num} distinct date sources after {max_attempts} attempts "
                f"(got {len(pairs)}); ask for fewer examples."
            )
        form = rng.choice(FORMS)
        if form == "day_abbrev_month_short_year":
            first, last = _SHORT_FIRST_ORDINAL, _SHORT_LAST_ORDINAL
        else:
            first, last = _FIRST_ORDINAL, _LAST_ORDINAL
        date = datetime.date.fromordinal(rng.randint(first, last))
        source = render_date(date, form, rng)
        if source in seen or source in exclude_exact:
            continue
        if exclude_normalized and _normalize(source) in exclude_normalized:
            continue
        seen.add(source)
        pairs.append((source, iso(date)))
    return pairs


def generate_pairs(num, seed, exclude_sources=frozenset()):
    """Generates (source, target) date pairs.

    Each example draws a form uniformly from `FORMS`, then a date uniformly from the
    form's range, then renders it with a random letter case and, for some examples,
    stray spaces.

    Args:
        num: Number of pairs, a non-negative int.
        seed: Int seed; the same `(num, seed, exclude_sources)` gives the same list.
        exclude_sources: Source strings that must not be produced (exact match).

    Returns:
        A list of `num` `(source, target)` tuples with distinct sources; targets are
        ISO 8601 dates such as `"1998-03-03"`.

    Raises:
        ValueError: If `num` is negative or not an int, or `seed` is not an int.
    """
    _check_count(num, "num")
    _check_seed(seed)
    return _generate(num, random.Random(seed), frozenset(exclude_sources), frozenset())


def _derived_seed(seed, purpose):
    digest = hashlib.sha256(f"keras_attention.dates:{seed}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def train_test_split(num_train, num_test, seed):
    """Generates a training set and a held-out test set.

    The training pairs are `generate_pairs(num_train, seed)`. The held-out pairs use a
    seed derived from `seed` and never share a source with the training pairs, neither
    exactly nor after lower-casing and collapsing whitespace, so a held-out example is
    never just a case or spacing variant of a training one.

    Args:
        num_train: Number of training pairs, a non-negative int.
        num_test: Number of held-out pairs, a non-negative int.
        seed: Int seed; the same arguments always give the same split.

    Returns:
        A `(train_pairs, test_pairs)` tuple of lists of `(source, target)` tuples.

    Raises:
        ValueError: If a count is negative or not an int, or `seed` is not an int.
    """
    _check_count(num_train, "num_train")
    _check_count(num_test, "num_test")
    _check_seed(seed)
    train = _generate(num_train, random.Random(seed), frozenset(), frozenset())
    train_sources = frozenset(source for source, _ in train)
    train_normalized = frozenset(_normalize(source) for source in train_sources)
    test = _generate(
        num_test,
        random.Random(_derived_seed(seed, "test")),
        train_sources,
        train_normalized,
    )
    return train, test


def write_tsv(pairs, path):
    """Writes pairs as `source<TAB>target` lines (UTF-8, `\\n` line endings).

    Args:
        pairs: Iterable of `(source, target)` string pairs.
        path: Output file path; missing parent directories are created.

    Raises:
        ValueError: If a source or target contains a tab or a line break.
    """
    lines = []
    for source, target in pairs:
        for field in (source, target):
            if any(c in field for c in "\t\r\n"):
                raise ValueError(
                    f"TSV fields must not contain tabs or line breaks; received {field!r}."
                )
        lines.append(f"{source}\t{target}\n")
    parent = os.path.dirname(os.fspath(path))
    if parent:
        os.makedirs(parent, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)
