"""Reading tables, the only code that knows input formats: CSV (UTF-8, BOM, GBK/GB18030), .xlsx, Parquet.

Tables come back as text cells (dtype object) with cleaned headers; inputs/columns.py parses the cells.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import logging
import math
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..limits import MB, Limits
from ..problems import InputError, Problem, msg

log = logging.getLogger(__name__)

CHUNK_ROWS = 200_000  # rows parsed at a time (CSV) or converted at a time (Parquet)
SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Encodings that spreadsheet exports are written in (codec -> how a person calls it)
_DETECTABLE = {"gb18030": "GBK/GB18030 (simplified Chinese)", "big5": "Big5 (traditional Chinese)",
               "cp932": "Shift-JIS (Japanese)", "shift_jis": "Shift-JIS (Japanese)", "euc_kr": "EUC-KR (Korean)",
               "cp1252": "Windows-1252 (Western European)", "latin_1": "Latin-1 (Western European)",
               "utf_16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "utf-8": "UTF-8"}
_CANDIDATES = ["gb18030", "big5", "cp932", "euc_kr", "cp1252", "latin_1"]  # without a BOM (UTF-16 has one)
_MAX_CHAOS = 0.2  # charset-normalizer's "mess" ratio above which a decoding is garbled text
_COMMON_SHARE = 0.8  # of the non-ASCII characters, for a GB18030 reading to count as Chinese text
_RESAVE = msg("re-save it as UTF-8 (Excel: File > Save As > CSV UTF-8; WPS: 另存为 CSV UTF-8)")


def clean_header(text: object) -> str:
    """Headers with line breaks or padding ("粉丝\\n数 ") become one clean line."""
    return re.sub(r"\s+", " ", str(text)).strip()


HeaderScore = Callable[[list[str]], int]  # how many cells of a row are headers the caller knows


@dataclass(frozen=True)
class Table:
    """A table as read: text cells under cleaned headers (index + 2 is the spreadsheet row), and notes
    (warnings) on what reading it skipped or chose."""

    frame: pd.DataFrame
    notes: tuple[Problem, ...] = ()
    sheet: str | None = None  # the sheet read, for a workbook
    sheets: tuple[str, ...] = ()  # every sheet of the workbook
    digest: str = ""  # SHA-256 of the file's bytes (the run store records it)


def read_json(path: str | Path) -> dict:
    """A JSON document (a learned fit model); InputError naming the file when it is missing or not JSON."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(path.name, None, None, str(path), msg("file not found"))]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError([Problem(path.name, None, None, None, msg("is not a JSON document: {error}",
                                                                  error=str(exc)))]) from None


def read_table(source: str | Path | bytes, name: str | None = None, limits: Limits | None = None) -> pd.DataFrame:
    """Read a table from a path, or from bytes plus a file name (uploads); raise InputError."""
    return read_export(source, name, limits).frame


def read_export(source: str | Path | bytes, name: str | None = None, limits: Limits | None = None,
                sheet: str | None = None, header_score: HeaderScore | None = None) -> Table:
    """Read a table as exports write them: the header row found below title or note rows (the row with
    the most headers `header_score` knows, else the first row about as wide as the table), blank rows
    dropped, and of a workbook's sheets the one named, else the one that looks most like the table.
    Raise InputError."""
    limits = limits or Limits.from_env()
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        if not path.is_file():
            raise InputError([Problem(name, None, None, str(path), msg("file not found"))])
        limits.check(name, "max_input_mb", path.stat().st_size / MB, msg("the file's size in MB"))
        data = path.read_bytes()
    else:
        data = source
        name = name or "upload"
        limits.check(name, "max_input_mb", len(data) / MB, msg("the file's size in MB"))
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError([Problem(name, None, None, suffix or name,
                                  msg("unsupported file type; expected one of {types}",
                                      types=", ".join(SUPPORTED)))])
    if sheet and suffix not in (".xlsx", ".xlsm"):
        raise InputError([Problem(name, None, None, sheet, msg("has no sheets (only a workbook has; "
                                                                       "--sheet is for .xlsx files)"))])
    try:
        table = _parse(data, suffix, name, limits, sheet, header_score)
    except InputError:
        raise
    except MemoryError:
        raise InputError([Problem(name, None, None, None, msg("is too large to read in this machine's "
                                                                      "memory; split the file"))]) from None
    except Exception as exc:  # the parsers' own errors: report the file, never a traceback
        raise InputError([Problem(name, None, None, None,
                                  msg("could not be read as a {suffix} table ({error})", suffix=suffix,
                                      error=f"{exc.__class__.__name__}: {str(exc)[:200]}"))]) from exc
    _check_shape(table.frame, name, limits)
    frame, blank = _tidy(table.frame, name)
    notes = table.notes
    if blank:
        notes += (Problem(name, None, None, None, msg("blank rows skipped: rows {rows}", rows=_rows(blank)),
                          "warning"),)
    return replace(table, frame=frame, notes=notes, digest=hashlib.sha256(data).hexdigest())


def _parse(data: bytes, suffix: str, name: str, limits: Limits, sheet: str | None,
           header_score: HeaderScore | None) -> Table:
    if suffix in (".xlsx", ".xlsm"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the zip directory says how large it unpacks
            unpacked = sum(info.file_size for info in archive.infolist())
        limits.check(name, "max_unpacked_mb", unpacked / MB, msg("the workbook's unpacked size in MB"))
        return _workbook(data, name, sheet, header_score)
    if suffix == ".parquet":
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        limits.check(name, "max_rows", meta.num_rows, msg("the number of rows"))
        limits.check(name, "max_columns", meta.num_columns, msg("the number of columns"))
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        limits.check(name, "max_unpacked_mb", unpacked / MB, msg("the table's unpacked size in MB"))
        batches = pq.ParquetFile(io.BytesIO(data)).iter_batches(batch_size=CHUNK_ROWS)
        parts = [batch.to_pandas().astype(object) for batch in batches]  # Arrow to cells, a chunk at a time
        return Table(pd.concat(parts, ignore_index=True) if parts else
                     pq.read_table(io.BytesIO(data)).to_pandas().astype(object))
    lines = data.count(b"\n")  # before parsing; quoted cells may hold line breaks, so only a coarse guard
    if lines > 2 * limits.max_rows:
        raise InputError([limits.problem(name, "max_rows", lines, msg("the number of lines"))])
    text = _decode(data, name)
    sep = "\t" if suffix == ".tsv" else _delimiter(text)
    width = max((len(row) for row in csv.reader(io.StringIO(text), delimiter=sep)), default=0)
    # pandas' C parser, fed UTF-8 bytes (ten times faster than from a str or with the Python parser), in
    # chunks of rows so its own buffers stay small; the row numbers run on across chunks
    chunks = pd.read_csv(io.BytesIO(text.encode("utf-8")), encoding="utf-8", dtype=object, sep=sep, header=None,
                         names=list(range(max(width, 1))), keep_default_na=False, skip_blank_lines=False,
                         skipinitialspace=True, chunksize=CHUNK_ROWS)
    grid = pd.concat(list(chunks))
    return _with_header(grid, name, header_score)


def _workbook(data: bytes, name: str, sheet: str | None, header_score: HeaderScore | None) -> Table:
    book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    names = tuple(str(n) for n in book.sheet_names)
    if sheet is not None and sheet not in names:
        raise InputError([Problem(name, None, None, sheet, msg("has no sheet of this name; its sheets are "
                                                                       "{sheets}", sheets=", ".join(names)))])
    tables = {n: _with_header(pd.read_excel(book, sheet_name=n, header=None, dtype=object), name, header_score)
              for n in ([sheet] if sheet else names)}
    chosen = sheet or max(tables, key=lambda n: _likeness(tables[n], header_score))
    table = replace(tables[chosen], sheet=chosen, sheets=names)
    if sheet is None and len(names) > 1:
        table = replace(table, notes=table.notes + (Problem(
            name, None, None, None, msg("read sheet '{sheet}', the one that looks like the table (the workbook has "
                                        "{sheets}); choose another with --sheet", sheet=chosen,
                                        sheets=", ".join(names)), "warning"),))
    return table


def _likeness(table: Table, header_score: HeaderScore | None) -> tuple[int, int]:
    """How much a sheet looks like the table: headers known, then filled cells."""
    headers = [str(c) for c in table.frame.columns]
    known = header_score(headers) if header_score else 0
    return known, int(table.frame.notna().to_numpy().sum())


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _with_header(grid: pd.DataFrame, name: str, header_score: HeaderScore | None) -> Table:
    """The grid with its header row as columns; rows above it (a title, notes) skipped with a note."""
    top = [[clean_header(v) for v in row if not _blank(v)] for row in grid.head(30).itertuples(index=False)]
    header = 0
    scores = [header_score(cells) if header_score else 0 for cells in top]
    if scores and max(scores) >= 2:
        header = scores.index(max(scores))
    elif top:
        widest = max(len(cells) for cells in top)
        header = next((i for i, cells in enumerate(top) if len(cells) >= max(2, (widest + 1) // 2)), 0)
    columns: list[str] = []
    seen: dict[str, int] = {}
    for k, value in enumerate(grid.iloc[header] if len(grid) else []):
        label = clean_header(value) if not _blank(value) else f"Unnamed: {k}"
        seen[label] = seen.get(label, 0) + 1
        columns.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    frame = grid.iloc[header + 1:].copy()
    frame.columns = columns or list(grid.columns)
    frame.index = frame.index - 1  # spreadsheet row = grid position + 1 = index + 2
    notes: tuple[Problem, ...] = ()
    if header:
        notes = (Problem(name, None, None, None, msg("the header is on row {row}; the {skipped} row(s) "
                                                              "above it (a title or notes) were skipped",
                                                              row=header + 1, skipped=header), "warning"),)
    return Table(frame, notes)


def _rows(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:8]))
    return shown + (f", ... ({len(rows)} rows)" if len(rows) > 8 else "")


def _check_shape(frame: pd.DataFrame, name: str, limits: Limits) -> None:
    """Rows and columns; a cell's length is checked where its column is read (inputs.columns.canonicalise), so
    a long text in a column matchmaker does not read (a marketplace's technical details) does not refuse a file."""
    limits.check(name, "max_rows", len(frame), msg("the number of rows"))
    limits.check(name, "max_columns", len(frame.columns), msg("the number of columns"))


def _delimiter(text: str) -> str:
    """The delimiter (, ; tab |) that splits the first rows into the most columns, consistently (the
    most common width, so that a title row above the header does not count)."""
    sample = text[:50_000]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t", "|"):
        rows = list(itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), 30))
        widths = [len(r) for r in rows if any(cell.strip() for cell in r)]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best


def _decode(data: bytes, name: str) -> str:
    """The file's text: a BOM says the encoding; else strict UTF-8; else the encoding a detector finds
    most plausible among those spreadsheets write (never a guess that decodes into garbage)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_as(data[len(bom):], encoding, name)
    if b"\x00" in data[:4096]:
        raise InputError([Problem(name, None, None, None,
                                  msg("is a binary file, not a text table (CSV); export it as CSV or .xlsx"))])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    chinese = _as_common_chinese(data)
    if chinese is not None:
        return chinese
    best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None or best.chaos > _MAX_CHAOS:
        found = msg("it looks like {encoding}, but decodes into garbled text",
                    encoding=_DETECTABLE.get(best.encoding, best.encoding)) if best is not None else \
            msg("it is none of UTF-8, GBK/GB18030, Big5, Shift-JIS, Windows-1252 or UTF-16")
        raise InputError([Problem(name, None, None, None, msg("text encoding not recognised ({found}); {resave}",
                                                              found=found, resave=_RESAVE))])
    log.info("%s: decoded as %s (chaos %.3f)", name, best.encoding, best.chaos)
    return _decode_as(data, best.encoding, name)


def _common_chinese(char: str) -> bool:
    """A GB2312 punctuation mark or one of its 3,755 level-1 (most common) hanzi."""
    try:
        lead = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xD7


def _as_common_chinese(data: bytes) -> str | None:
    """The text as GBK/GB18030 when it decodes and reads as everyday Chinese: the encoding of most
    Chinese exports, which a detector cannot tell from Windows-1252 when only a few names are Chinese.
    Latin-1, Big5 or Shift-JIS bytes read as GB18030 give rare characters instead."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = [ch for ch in text[:200_000] if ord(ch) > 0x7F]
    common = sum(map(_common_chinese, wide))
    return text if wide and common >= _COMMON_SHARE * len(wide) else None


def _decode_as(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, None, None,
                                  msg("is not valid {encoding} text (byte {byte}); {resave}", resave=_RESAVE,
                                      encoding=_DETECTABLE.get(encoding, encoding), byte=exc.start))]) from None


def _tidy(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[int]]:
    """Drop empty unnamed columns and blank rows; the frame and the spreadsheet rows dropped."""
    frame = frame.loc[:, [not str(c).startswith("Unnamed:") or frame[c].astype(str).str.strip().ne("").any()
                          for c in frame.columns]]
    if frame.columns.empty:
        raise InputError([Problem(name, None, None, None, msg("has no columns; expected a header row"))])
    # _blank, for whole columns (None and NaN print as "None" and "nan"), column by column on the rows
    # not yet known to hold something: the first column usually settles nearly every row
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        cells = frame[column].iloc[rows]
        filled = cells.notna() & ~cells.astype(str).str.strip().isin(["", "nan", "None"])
        blank[rows[filled.to_numpy(bool)]] = False
    log.debug("read %s: %d rows, %d columns", name, len(frame), len(frame.columns))
    return frame.loc[~blank], [int(i) + 2 for i in frame.index[blank]]
