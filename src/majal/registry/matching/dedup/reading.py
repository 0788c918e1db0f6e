"""Reading a persons CSV (bytes in, table out), with every problem named by its row and column."""

from __future__ import annotations

import re
from datetime import date

import pyarrow as pa

from majal.kit.errors import MajalError
from majal.kit.i18n import N_, gettext
from majal.kit.validation import NUL_REFUSED
from majal.registry.matching.dedup.model import INPUT_COLUMNS, OPTIONAL_COLUMNS
from majal.registry.matching.dedup.preparation import SEX_CODES, national_id_kind
from majal.registry.matching.names import name_key


def _row_and_column(data: bytes, offset: int, header: list[str]) -> tuple[int, str]:
    """The spreadsheet row (the header is row 1) and the column name of a byte offset in a CSV file."""
    row = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    quoted, column = False, 0
    for byte in data[line_start:offset]:
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x2C and not quoted:
            column += 1
    name = header[column] if column < len(header) else str(column + 1)
    return row, name


_UTF8_ARABIC = re.compile(rb"(?:[\xd8-\xdb][\x80-\xbf]){2,}")


def _decode(data: bytes, encoding: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_line = data.split(b"\n", 1)[0].decode("ascii", errors="replace").strip().lstrip("\ufeff")
    header = [name.strip().strip('"') for name in first_line.split(",")]
    if encoding == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            row, column = _row_and_column(data, error.start, header)
            mixed = any(ord(ch) > 127 and ch != "\ufffd" for ch in data.decode("utf-8", errors="replace"))
            if mixed:
                raise MajalError(
                    N_("Row %(row)s, column %(column)s: this text is not in UTF-8 (Windows-1256?) while the rest of "
                       "the file is: save the whole file as UTF-8."), row=row, column=column) from None
            raise MajalError(
                N_("Row %(row)s, column %(column)s: the file is not in UTF-8: save it as UTF-8, or give its "
                   "encoding with --encoding windows-1256."), row=row, column=column) from None
    match = _UTF8_ARABIC.search(data)
    if match is not None:
        row, column = _row_and_column(data, match.start(), header)
        raise MajalError(
            N_("Row %(row)s, column %(column)s: this text is in UTF-8 while the file was read as %(encoding)s: "
               "save the whole file in one encoding."), row=row, column=column, encoding=encoding)
    return data.decode(encoding, errors="strict")


def parse_persons_csv(data: bytes, encoding: str = "utf-8") -> pa.Table:
    """Read and check a persons CSV: the columns of `INPUT_COLUMNS` (plus `phone`, `household_id` if present).

    Every cell is checked before anything is returned; the first problem raises a `MajalError` naming its row (the
    header is row 1) and column: a missing column, an empty or repeated id, a record without a name, a date that is
    not YYYY-MM-DD, an unknown sex, an identifier that is neither an IDCS nor a CNIE, or text in two encodings.
    """
    import csv
    import io

    if not data.strip():
        raise MajalError(N_("The file is empty."))
    text = _decode(data, encoding)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise MajalError(N_("The file is empty.")) from None
    missing = [name for name in INPUT_COLUMNS if name not in header]
    if missing:
        raise MajalError(N_("Missing column(s): %(columns)s. Expected: %(expected)s."),
                         columns=", ".join(missing), expected=",".join(INPUT_COLUMNS))
    wanted = [name for name in (*INPUT_COLUMNS, *OPTIONAL_COLUMNS) if name in header]
    positions = [header.index(name) for name in wanted]
    columns: dict[str, list[str]] = {name: [] for name in wanted}
    rows: list[int] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise MajalError(N_("Row %(row)s: %(found)s values where the header has %(expected)s."),
                                 row=reader.line_num, found=len(record), expected=len(header))
            rows.append(reader.line_num)
            for name, position in zip(wanted, positions, strict=True):
                if "\x00" in record[position]:
                    raise MajalError(N_("Row %(row)s, column %(column)s: %(problem)s"), row=reader.line_num,
                                     column=name, problem=gettext(NUL_REFUSED))
                columns[name].append(record[position].strip())
    except csv.Error as error:
        raise MajalError(N_("Row %(row)s: %(problem)s"), row=reader.line_num, problem=str(error)) from None
    if not rows:
        raise MajalError(N_("The file has a header but no records."))
    _check(columns, rows)
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()})


def _check(columns: dict[str, list[str]], rows: list[int]) -> None:
    seen: dict[str, int] = {}
    for index, value in enumerate(columns["id"]):
        if not value:
            raise MajalError(N_("Row %(row)s, column %(column)s: the id is empty."), row=rows[index], column="id")
        if value in seen:
            raise MajalError(N_("Row %(row)s, column %(column)s: the id %(value)s is already on row %(first)s."),
                             row=rows[index], column="id", value=value, first=rows[seen[value]])
        seen[value] = index
    for index, (first, last) in enumerate(zip(columns["first_name"], columns["last_name"], strict=True)):
        if not name_key(first) and not name_key(last):
            raise MajalError(N_("Row %(row)s, column %(column)s: the record has no name."), row=rows[index],
                             column="first_name")
    for index, value in enumerate(columns["birth_date"]):
        if value and not _is_iso_date(value):
            raise MajalError(N_("Row %(row)s, column %(column)s: %(value)s is not a date written YYYY-MM-DD."),
                             row=rows[index], column="birth_date", value=value)
    for index, value in enumerate(columns["sex"]):
        if value and value.casefold() not in SEX_CODES:
            raise MajalError(N_("Row %(row)s, column %(column)s: %(value)s is not a sex: write M or F, or leave it "
                                "empty."), row=rows[index], column="sex", value=value)
    for index, value in enumerate(columns["national_id"]):
        try:
            national_id_kind(value)
        except ValueError:
            raise MajalError(
                N_("Row %(row)s, column %(column)s: %(value)s is neither an IDCS (10 digits) nor a CNIE number "
                   "(1 or 2 letters and digits)."), row=rows[index], column="national_id", value=value) from None


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _is_iso_date(value: str) -> bool:
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return False
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return 1880 <= day.year <= 2100
