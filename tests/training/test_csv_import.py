"""csv_import on hand-made bytes: encodings, delimiters, header aliases, every kind of bad line."""

from __future__ import annotations

import unicodedata

import pytest

from voice_service.core.settings import DEFAULT_TRAINING_SECTORS
from voice_service.training.csv_import import MAX_FILE_BYTES, decode, parse_attendees, sniff_delimiter
from voice_service.training.rows import MAX_ROWS, RowError

SECTORS = DEFAULT_TRAINING_SECTORS
GOOD = (
    "name,email,organisation,sector,attended\r\n"
    "Ann Able,Ann.Able@Example.org,Clifton Primary,Schools,yes\r\n"
    "Bob Baker,bob@example.org,York Hospital,health,No\r\n"
)


def errors(data: bytes) -> list[tuple[int, str]]:
    """(line, field) of every problem."""
    return [(e.line, e.field) for e in parse_attendees(data, SECTORS).errors]


def test_a_plain_utf8_file_gives_checked_rows() -> None:
    parsed = parse_attendees(GOOD.encode(), SECTORS)
    assert parsed.errors == []
    ann, bob = parsed.rows
    assert (ann.line, ann.name, ann.email, ann.organisation, ann.sector, ann.attended) == (
        2,
        "Ann Able",
        "ann.able@example.org",
        "Clifton Primary",
        "schools",
        True,
    )
    assert (bob.line, bob.sector, bob.attended) == (3, "health", False)


def test_a_utf8_bom_is_dropped() -> None:
    data = (
        b"\xef\xbb\xbf" + "name,email,organisation,sector,attended\nZoë Öz,zoe@example.org,Café Ltd,other,y\n".encode()
    )
    parsed = parse_attendees(data, SECTORS)
    assert parsed.errors == []
    assert parsed.rows[0].name == "Zoë Öz"


def test_excel_windows_1252_with_semicolons() -> None:
    text = (
        "Full name;E-mail;Organization;Sector;Attendance\r\n"
        "René O\u2019Neil;rene@example.org;Early Years Ltd;Early  Years;TRUE\r\n"
    )
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    parsed = parse_attendees(data, SECTORS)
    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row.name, row.organisation, row.sector, row.attended) == (
        "René O\u2019Neil",
        "Early Years Ltd",
        "early years",
        True,
    )


def test_utf16_with_a_bom_and_tabs() -> None:
    data = "\ufeffName\tEmail address\tEmployer\tSector\tAttended\nAl Ho\tal@example.org\tNYP\tpolice\t1\n".encode(
        "utf-16-le"
    )
    parsed = parse_attendees(b"\xff\xfe" + data[2:], SECTORS)
    assert parsed.errors == []
    assert parsed.rows[0].organisation == "NYP"


@pytest.mark.parametrize(
    "header",
    [
        "NAME,EMAIL,ORGANISATION,SECTOR,ATTENDED",
        " Full Name , Work email , Employer , sector , Attendance ",
        "Name,Email Address,Organization,Sector,Attended",
        "name (original name),user email,company,Sector,Checked in",
    ],
)
def test_header_aliases_with_any_case_and_spacing(header: str) -> None:
    parsed = parse_attendees(f"{header}\nA B,a@example.org,Org,police,n\n".encode(), SECTORS)
    assert parsed.errors == []
    assert parsed.rows[0].email == "a@example.org"


def test_first_and_last_name_columns_are_joined_and_other_columns_ignored() -> None:
    data = (
        b"Join time,First name,Last name,Email,Organisation,Sector,Attended,Duration\n"
        b"09:00,Kay,Lee,k@example.org,O,other,yes,60\n"
    )
    parsed = parse_attendees(data, SECTORS)
    assert parsed.errors == []
    assert parsed.rows[0].name == "Kay Lee"


def test_sector_variants_map_to_the_canonical_value() -> None:
    rows = "\n".join(
        f"P{i},p{i}@example.org,Org,{s},yes"
        for i, s in enumerate(["LOCAL AUTHORITY", "local_authority", "Local-Authority", " voluntary   sector "])
    )
    parsed = parse_attendees(f"name,email,organisation,sector,attended\n{rows}\n".encode(), SECTORS)
    assert parsed.errors == []
    assert [r.sector for r in parsed.rows] == ["local authority"] * 3 + ["voluntary sector"]


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("1", True),
        ("no", False),
        ("N", False),
        ("FALSE", False),
        ("0", False),
    ],
)
def test_attended_words(word: str, value: bool) -> None:
    parsed = parse_attendees(
        f"name,email,organisation,sector,attended\nA,a@example.org,O,other,{word}\n".encode(), SECTORS
    )
    assert parsed.rows[0].attended is value


def test_every_bad_line_is_reported_with_its_physical_line_field_and_reason() -> None:
    data = (
        "name,email,organisation,sector,attended\n"
        "Good One,good@example.org,Org,schools,yes\n"  # line 2: fine
        ",not-an-email,Org,schools,yes\n"  # line 3: name, email
        "\n"  # line 4: blank, skipped
        'Multi,multi@example.org,"Two\nlines",nowhere,maybe\n'  # lines 5-6: line break, sector, attended (at 5)
        "Blank,blank@example.org,,schools,\n"  # line 7: organisation, attended blank
        "Tab\there,tab@example.org,Org,schools,yes\n"  # line 8: control character in name
        f"{'x' * 201},long@example.org,Org,schools,yes\n"  # line 9: too long
        "Again,GOOD@example.org,Org,schools,no\n"  # line 10: duplicate email of line 2
    ).encode()
    parsed = parse_attendees(data, SECTORS)
    assert [(e.line, e.field) for e in parsed.errors] == [
        (3, "name"),
        (3, "email"),
        (5, "organisation"),
        (5, "sector"),
        (5, "attended"),
        (7, "organisation"),
        (7, "attended"),
        (8, "name"),
        (9, "name"),
        (10, "email"),
    ]
    messages = {(e.line, e.field): e.message for e in parsed.errors}
    assert messages[(7, "attended")] == "Enter yes or no for attended"
    assert messages[(5, "attended")] == "Attended must be yes or no"
    assert "already on line 2" in messages[(10, "email")]
    assert "schools" in messages[(5, "sector")]


def test_a_short_row_reports_each_missing_field() -> None:
    assert errors(b"name,email,organisation,sector,attended\nOnly Name\n") == [
        (2, "email"),
        (2, "organisation"),
        (2, "sector"),
        (2, "attended"),
    ]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 0, "empty"),
        (b"  \r\n\r\n", 0, "empty"),
        (b"name,email,organisation,sector,attended\r\n", 1, "no delegates"),
        (b"name,email,organisation,sector,attended\r\n,,,,\r\n", 1, "no delegates"),
        (b"name,organisation,attended\nA,O,yes\n", 1, "no column for: email, sector"),
        (b"name,email,work email,organisation,sector,attended\n", 1, "Two columns give the email"),
        (b"\x00\x01PK\x03\x04binary", 0, "not a CSV file"),
        (b"\xff\xfe\x00\xd8", 0, "not readable"),
        (b"\x81\x8d\x8f", 0, "not readable"),
        (b"x" * (MAX_FILE_BYTES + 1), 0, "larger than"),
    ],
)
def test_unusable_files_get_one_clear_problem(data: bytes, line: int, words: str) -> None:
    parsed = parse_attendees(data, SECTORS)
    assert parsed.rows == []
    assert len(parsed.errors) == 1
    error = parsed.errors[0]
    assert (error.line, error.field) == (line, "file")
    assert words in error.message


def test_too_many_rows_is_refused() -> None:
    body = "".join(f"P,p{i}@example.org,O,other,yes\n" for i in range(MAX_ROWS + 1))
    parsed = parse_attendees(f"name,email,organisation,sector,attended\n{body}".encode(), SECTORS)
    assert parsed.errors == [RowError(0, "file", parsed.errors[0].message)]
    assert "more than" in parsed.errors[0].message


def test_an_oversized_field_is_a_line_problem_not_a_crash() -> None:
    data = b'name,email,organisation,sector,attended\nA,a@example.org,"' + b"x" * 200_000 + b'",other,yes\n'
    parsed = parse_attendees(data, SECTORS)
    assert parsed.rows == []
    assert parsed.errors
    assert parsed.errors[0].field in ("file", "organisation")


def test_a_configured_sector_list_is_used() -> None:
    data = (
        b"name,email,organisation,sector,attended\nA,a@example.org,O,Schools,yes\nB,b@example.org,O,Fire service,no\n"
    )
    parsed = parse_attendees(data, ("Fire Service", "Other"))
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "sector")]
    assert "Fire Service" in parsed.errors[0].message


def test_accented_names_read_the_same_whichever_way_the_export_composes_them() -> None:
    # Found importing a Mac export (decomposed accents) after a booking list: the same people showed as changed.
    header = "name,email,organisation,sector,attended\n"
    composed = header + "Siân O'Brien,s@example.org,Ysgol Gymraeg,schools,yes\n"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert parse_attendees(decomposed.encode(), SECTORS) == parse_attendees(composed.encode(), SECTORS)
    assert parse_attendees(decomposed.encode(), SECTORS).rows[0].name == "Siân O'Brien"


def test_parsing_the_same_bytes_twice_gives_the_same_rows() -> None:
    assert parse_attendees(GOOD.encode(), SECTORS) == parse_attendees(GOOD.encode(), SECTORS)


def test_decode_and_sniff() -> None:
    assert decode(b"\xef\xbb\xbfa") == "a"
    assert decode("é".encode("cp1252")) == "é"
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb") == "\t"
    assert sniff_delimiter("single") == ","
    assert sniff_delimiter('"x,y";b;c') == ";"


def test_an_internationalised_domain_is_kept_in_the_form_a_browser_sends() -> None:
    # Found importing a booking export with one German school's address: the whole list was refused,
    # though the same address typed into a page's email field arrives as punycode and is accepted.
    header = "name,email,organisation,sector,attended\n"
    parsed = parse_attendees((header + "Anna Berg,Anna+WT@Schüle.example,Schule,schools,yes\n").encode(), SECTORS)
    assert parsed.errors == []
    assert parsed.rows[0].email == "anna+wt@xn--schle-mva.example"
    typed = parse_attendees((header + "Anna Berg,anna+wt@xn--schle-mva.example,Schule,schools,yes\n").encode(), SECTORS)
    assert typed == parsed
    # A non-ASCII local part is still refused, and so is a domain IDNA 2003 would turn into another (ß to ss).
    assert errors(
        (header + "Jürgen,jürgen@example.org,o,schools,yes\nB,b@straße.example,o,schools,yes\n").encode()
    ) == [
        (2, "email"),
        (3, "email"),
    ]


@pytest.mark.parametrize("hint", ["sep=;", '"sep=;"', "SEP=;"])
def test_excel_s_separator_hint_line_is_read_not_taken_for_the_header(hint: str) -> None:
    # An LMS export meant for Excel starts with "sep=;": it was read as the header, which named no column.
    data = f"\ufeff{hint}\r\nName;Email;Organisation;Sector;Attended\r\nAnn;ann@example.org;Org;schools;yes\r\n"
    parsed = parse_attendees(data.encode(), SECTORS)
    assert parsed.errors == []
    assert [(row.line, row.email) for row in parsed.rows] == [(3, "ann@example.org")]
    # Line numbers stay physical: the bad attended value is on line 3.
    assert errors(data.replace(";yes", ";maybe").encode()) == [(3, "attended")]


def test_no_break_and_repeated_spaces_read_as_one_space() -> None:
    # Found importing a list copied from a web page: "Ann\u00a0Able" (a no-break space) and "Ann  Able" were
    # the same person as "Ann Able" yet read as different, so the preview listed her as changed.
    header = "name,email,organisation,sector,attended\n"
    plain = parse_attendees((header + "Ann Able,ann@example.org,Clifton Primary,schools,yes\n").encode(), SECTORS)
    for spelling in (
        "Ann\u00a0Able,ann@example.org,Clifton\u00a0Primary",
        "Ann  Able,ann@example.org,Clifton\u2009Primary",
    ):
        other = parse_attendees((header + spelling + ",schools,yes\n").encode(), SECTORS)
        assert other == plain, spelling
    # A tab inside a name is still refused, not turned into a space.
    assert errors((header + "Ann\tAble,ann@example.org,o,schools,yes\n").encode()) != []
