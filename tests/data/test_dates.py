"""Tests for the built-in date-normalisation task (`keras_attention.data.dates`)."""

import ast
import collections
import datetime
import pathlib
import random
import re
import sys

import pytest

from keras_attention.data import dates

# --- An independent parser (regexes over lower-cased, whitespace-collapsed sources). ---

_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_ABBREVS = [m[:3] for m in _MONTHS]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_M = "(" + "|".join(_MONTHS) + ")"
_A = "(" + "|".join(_ABBREVS) + ")"
_W = "(" + "|".join(_WEEKDAYS) + ")"
_D = r"([1-9]|[12][0-9]|3[01])"  # written-out days: no leading zero

_PATTERNS = {
    "day_month_year": re.compile(rf"^{_D} {_M} (\d{{4}})$"),
    "month_day_year": re.compile(rf"^{_M} {_D}, (\d{{4}})$"),
    "weekday_month_day_year": re.compile(rf"^{_W}, {_M} {_D}, (\d{{4}})$"),
    "abbrev_month_day_year": re.compile(rf"^{_A} {_D} (\d{{4}})$"),
    "ordinal_of_month_year": re.compile(rf"^{_D}(st|nd|rd|th) of {_M} (\d{{4}})$"),
    "dotted_dmy": re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$"),
    "slashed_mdy": re.compile(r"^(\d{2})/(\d{2})/(\d{4})$"),
    "iso": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    "day_abbrev_month_short_year": re.compile(rf"^{_D} {_A} (\d{{2}})$"),
}


def _expected_suffix(day):
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _short_year(yy):
    value = int(yy)
    return 1900 + value if value >= 50 else 2000 + value


def _normalize(text):
    return " ".join(text.lower().split())


def parse(source):
    """Returns `(form, date)` for a source; raises ValueError if it does not parse."""
    text = _normalize(source)
    matches = [(form, p.match(text)) for form, p in _PATTERNS.items() if p.match(text)]
    if len(matches) != 1:
        raise ValueError(f"{source!r} matched {len(matches)} forms")
    form, m = matches[0]
    g = m.groups()
    if form == "day_month_year":
        result = datetime.date(int(g[2]), _MONTHS.index(g[1]) + 1, int(g[0]))
    elif form == "month_day_year":
        result = datetime.date(int(g[2]), _MONTHS.index(g[0]) + 1, int(g[1]))
    elif form == "weekday_month_day_year":
        result = datetime.date(int(g[3]), _MONTHS.index(g[1]) + 1, int(g[2]))
        if _WEEKDAYS.index(g[0]) != result.weekday():
            raise ValueError(f"{source!r}: wrong weekday")
    elif form == "abbrev_month_day_year":
        result = datetime.date(int(g[2]), _ABBREVS.index(g[0]) + 1, int(g[1]))
    elif form == "ordinal_of_month_year":
        result = datetime.date(int(g[3]), _MONTHS.index(g[2]) + 1, int(g[0]))
        if g[1] != _expected_suffix(int(g[0])):
            raise ValueError(f"{source!r}: wrong ordinal suffix")
    elif form == "dotted_dmy":
        result = datetime.date(int(g[2]), int(g[1]), int(g[0]))
    elif form == "slashed_mdy":
        result = datetime.date(int(g[2]), int(g[0]), int(g[1]))
    elif form == "iso":
        result = datetime.date(int(g[0]), int(g[1]), int(g[2]))
    else:
        result = datetime.date(_short_year(g[2]), _ABBREVS.index(g[1]) + 1, int(g[0]))
    return form, result


# --- Canonical renderings. ---

_CANONICAL = {
    datetime.date(1998, 3, 3): {
        "day_month_year": "3 March 1998",
        "month_day_year": "March 3, 1998",
        "weekday_month_day_year": "Tuesday, March 3, 1998",
        "abbrev_month_day_year": "Mar 3 1998",
        "ordinal_of_month_year": "3rd of March 1998",
        "dotted_dmy": "03.03.1998",
        "slashed_mdy": "03/03/1998",
        "iso": "1998-03-03",
        "day_abbrev_month_short_year": "3 Mar 98",
    },
    datetime.date(2000, 1, 1): {
        "day_month_year": "1 January 2000",
        "month_day_year": "January 1, 2000",
        "weekday_month_day_year": "Saturday, January 1, 2000",
        "abbrev_month_day_year": "Jan 1 2000",
        "ordinal_of_month_year": "1st of January 2000",
        "dotted_dmy": "01.01.2000",
        "slashed_mdy": "01/01/2000",
        "iso": "2000-01-01",
        "day_abbrev_month_short_year": "1 Jan 00",
    },
    datetime.date(2000, 2, 29): {
        "day_month_year": "29 February 2000",
        "month_day_year": "February 29, 2000",
        "weekday_month_day_year": "Tuesday, February 29, 2000",
        "abbrev_month_day_year": "Feb 29 2000",
        "ordinal_of_month_year": "29th of February 2000",
        "dotted_dmy": "29.02.2000",
        "slashed_mdy": "02/29/2000",
        "iso": "2000-02-29",
        "day_abbrev_month_short_year": "29 Feb 00",
    },
    datetime.date(2099, 12, 31): {
        "day_month_year": "31 December 2099",
        "month_day_year": "December 31, 2099",
        "weekday_month_day_year": "Thursday, December 31, 2099",
        "abbrev_month_day_year": "Dec 31 2099",
        "ordinal_of_month_year": "31st of December 2099",
        "dotted_dmy": "31.12.2099",
        "slashed_mdy": "12/31/2099",
        "iso": "2099-12-31",
    },
    datetime.date(1900, 1, 1): {
        "day_month_year": "1 January 1900",
        "month_day_year": "January 1, 1900",
        "weekday_month_day_year": "Monday, January 1, 1900",
        "abbrev_month_day_year": "Jan 1 1900",
        "ordinal_of_month_year": "1st of January 1900",
        "dotted_dmy": "01.01.1900",
        "slashed_mdy": "01/01/1900",
        "iso": "1900-01-01",
    },
    datetime.date(2049, 12, 31): {"day_abbrev_month_short_year": "31 Dec 49"},
    datetime.date(1950, 1, 1): {"day_abbrev_month_short_year": "1 Jan 50"},
    datetime.date(2012, 9, 22): {
        "ordinal_of_month_year": "22nd of September 2012",
        "abbrev_month_day_year": "Sep 22 2012",
        "day_abbrev_month_short_year": "22 Sep 12",
    },
}


def test_forms_are_the_documented_nine():
    assert dates.FORMS == (
        "day_month_year",
        "month_day_year",
        "weekday_month_day_year",
        "abbrev_month_day_year",
        "ordinal_of_month_year",
        "dotted_dmy",
        "slashed_mdy",
        "iso",
        "day_abbrev_month_short_year",
    )


@pytest.mark.parametrize(
    "date,form,expected",
    [(d, f, s) for d, forms in _CANONICAL.items() for f, s in forms.items()],
    ids=lambda v: str(v),
)
def test_canonical_rendering(date, form, expected):
    assert dates.render_date(date, form) == expected


def test_every_form_covered_by_1998_example():
    assert set(_CANONICAL[datetime.date(1998, 3, 3)]) == set(dates.FORMS)


def test_iso():
    assert dates.iso(datetime.date(1998, 3, 3)) == "1998-03-03"
    assert dates.iso(datetime.date(1900, 1, 1)) == "1900-01-01"
    assert dates.iso(datetime.datetime(2099, 12, 31, 23, 59)) == "2099-12-31"


@pytest.mark.parametrize(
    "day,expected",
    [
        (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (10, "10th"), (11, "11th"),
        (12, "12th"), (13, "13th"), (14, "14th"), (20, "20th"), (21, "21st"),
        (22, "22nd"), (23, "23rd"), (24, "24th"), (30, "30th"), (31, "31st"),
    ],
)  # fmt: skip
def test_ordinal_table(day, expected):
    assert dates.ordinal(day) == expected
    date = datetime.date(2001, 1, day)
    assert dates.render_date(date, "ordinal_of_month_year") == f"{expected} of January 2001"


def test_weekday_is_real_weekday():
    rng = random.Random(7)
    first = datetime.date(1900, 1, 1).toordinal()
    last = datetime.date(2099, 12, 31).toordinal()
    for _ in range(2000):
        date = datetime.date.fromordinal(rng.randint(first, last))
        text = dates.render_date(date, "weekday_month_day_year")
        word = text.split(",")[0].strip().lower()
        assert _WEEKDAYS.index(word) == date.weekday(), text
        # Also with random case and spaces.
        noisy = dates.render_date(date, "weekday_month_day_year", random.Random(rng.getrandbits(32)))
        assert parse(noisy) == ("weekday_month_day_year", date)


def test_two_digit_year_round_trip():
    for year in range(1950, 2050):
        for month, day in ((1, 1), (2, 28), (6, 15), (12, 31)):
            date = datetime.date(year, month, day)
            text = dates.render_date(date, "day_abbrev_month_short_year")
            assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{2}", text), text
            assert parse(text) == ("day_abbrev_month_short_year", date)
    for year in (1900, 1949, 2050, 2099):
        with pytest.raises(ValueError, match=str(year)):
            dates.render_date(datetime.date(year, 6, 1), "day_abbrev_month_short_year")


def test_render_with_rng_is_deterministic_and_parses():
    date = datetime.date(1998, 3, 3)
    for form in dates.FORMS:
        a = [dates.render_date(date, form, random.Random(s)) for s in range(50)]
        b = [dates.render_date(date, form, random.Random(s)) for s in range(50)]
        assert a == b
        for text in a:
            assert parse(text) == (form, date)


# --- Generated pairs. ---


def test_determinism():
    a = dates.generate_pairs(500, seed=3)
    assert a == dates.generate_pairs(500, seed=3)
    assert a != dates.generate_pairs(500, seed=4)
    assert dates.generate_pairs(0, seed=3) == []
    # A prefix property is not promised, but the same call is always the same.
    excluded = {a[0][0], a[1][0]}
    b = dates.generate_pairs(500, seed=3, exclude_sources=excluded)
    assert b == dates.generate_pairs(500, seed=3, exclude_sources=frozenset(excluded))
    assert not excluded & {s for s, _ in b}


@pytest.fixture(scope="module")
def pairs_5000():
    return dates.generate_pairs(5000, seed=11)


def test_every_source_parses_to_target(pairs_5000):
    assert len(pairs_5000) == 5000
    sources = [s for s, _ in pairs_5000]
    assert len(set(sources)) == len(sources)
    for source, target in pairs_5000:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", target)
        _, date = parse(source)
        assert date.isoformat() == target, source
        assert 1900 <= date.year <= 2099


def test_case_and_stray_spaces_occur(pairs_5000):
    worded = [s for s, _ in pairs_5000 if re.search("[a-zA-Z]", s)]
    n = len(worded)
    lower = sum(s == s.lower() for s in worded)
    upper = sum(s == s.upper() for s in worded)
    title = sum(
        all(t[:1] == t[:1].upper() and t[1:] == t[1:].lower() for t in s.split()) for s in worded
    )
    other = n - lower - upper - title
    # Styles: original, lower, upper, title, mixed, each 1/5. "original" is also title-like
    # for most forms ("3rd of March" is not), and per-character mixing is rarely all-one-case.
    assert 0.12 < lower / n < 0.30
    assert 0.12 < upper / n < 0.30
    assert 0.20 < title / n < 0.45
    assert 0.15 < other / n < 0.40

    spaced = [s for s, _ in pairs_5000 if s != s.strip() or "  " in s]
    share = len(spaced) / len(pairs_5000)
    assert 0.25 < share < 0.35
    assert any(s.startswith(" ") for s in spaced)
    assert any(s.endswith(" ") for s in spaced)
    assert any("  " in s.strip() for s in spaced)
    assert not any("\t" in s or "\n" in s for s, _ in pairs_5000)


def test_forms_roughly_uniform():
    pairs = dates.generate_pairs(9000, seed=5)
    counts = collections.Counter(parse(s)[0] for s, _ in pairs)
    assert set(counts) == set(dates.FORMS)
    for form, count in counts.items():
        assert 850 < count < 1150, (form, count)


def test_short_year_form_years_in_range():
    pairs = dates.generate_pairs(4000, seed=2)
    years = [d.year for f, d in map(parse, (s for s, _ in pairs))
             if f == "day_abbrev_month_short_year"]  # fmt: skip
    assert years and min(years) >= 1950 and max(years) <= 2049


# --- Train / held-out split. ---


def test_train_test_split():
    train, test = dates.train_test_split(20000, 2000, seed=9)
    assert len(train) == 20000 and len(test) == 2000
    train_sources = {s for s, _ in train}
    test_sources = {s for s, _ in test}
    assert len(test_sources) == 2000
    assert not train_sources & test_sources
    assert not {_normalize(s) for s in train_sources} & {_normalize(s) for s in test_sources}
    years = {datetime.date.fromisoformat(t).year for _, t in train}
    assert min(years) == 1900 and max(years) == 2099
    assert years == set(range(1900, 2100))
    assert train == dates.generate_pairs(20000, seed=9)
    again = dates.train_test_split(20000, 2000, seed=9)
    assert again == (train, test)
    assert dates.train_test_split(200, 200, seed=10) != dates.train_test_split(200, 200, 9)


# --- Errors. ---


def test_unknown_form():
    with pytest.raises(ValueError, match=r"'spelled_out'.*day_month_year.*iso"):
        dates.render_date(datetime.date(1998, 3, 3), "spelled_out")


@pytest.mark.parametrize("year", [1899, 2100, 1066])
def test_out_of_range_year(year):
    with pytest.raises(ValueError, match=f"received {year}-06-01"):
        dates.render_date(datetime.date(year, 6, 1), "iso")


def test_short_year_out_of_range_message():
    with pytest.raises(ValueError, match=r"received 1920-01-05 \(year 1920\)"):
        dates.render_date(datetime.date(1920, 1, 5), "day_abbrev_month_short_year")


@pytest.mark.parametrize("num", [-1, 2.5, "10", None, True])
def test_bad_num(num):
    with pytest.raises(ValueError, match=re.escape(repr(num))):
        dates.generate_pairs(num, seed=0)


def test_bad_split_counts():
    with pytest.raises(ValueError, match="num_test.*-3"):
        dates.train_test_split(10, -3, seed=0)
    with pytest.raises(ValueError, match="num_train.*1.5"):
        dates.train_test_split(1.5, 3, seed=0)


def test_bad_seed():
    with pytest.raises(ValueError, match="seed.*'abc'"):
        dates.generate_pairs(3, seed="abc")


# --- TSV. ---


def test_write_tsv_round_trip(tmp_path):
    pairs = dates.generate_pairs(300, seed=1)
    path = tmp_path / "sub" / "dates.tsv"
    dates.write_tsv(pairs, path)
    raw = path.read_bytes()
    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    lines = raw.decode("utf-8").split("\n")
    assert lines[-1] == ""
    read = [tuple(line.split("\t")) for line in lines[:-1]]
    assert read == pairs  # stray spaces at the ends survive


def test_write_tsv_rejects_tabs(tmp_path):
    with pytest.raises(ValueError, match="tab"):
        dates.write_tsv([("a\tb", "2000-01-01")], tmp_path / "x.tsv")


def test_module_imports_only_stdlib():
    # Checked on the module's own imports, so a package `__init__` elsewhere cannot mask it.
    tree = ast.parse(pathlib.Path(dates.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported
