"""Reading tables, the only code that knows input formats: CSV (UTF-8, BOM, GBK/GB18030), .xlsx, Parquet.

Tables come back as text cells (dtype object) with cleaned headers; validate.py parses the cells.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
from pathlib import Path

import pandas as pd

from ..problems import InputError, Problem

log = logging.getLogger(__name__)

SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")
_ENCODINGS = ("utf-8-sig", "gb18030")


def clean_header(text: object) -> str:
    """Headers with line breaks or padding ("粉丝\\n数 ") become one clean line."""
    return re.sub(r"\s+", " ", str(text)).strip()


def read_table(source: str | Path | bytes, name: str | None = None) -> pd.DataFrame:
    """Read a table from a path, or from bytes plus a file name (uploads); raise InputError."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        if not path.is_file():
            raise InputError([Problem(name, None, None, str(path), "file not found")])
        data = path.read_bytes()
    else:
        data = source
        name = name or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError([Problem(name, None, None, suffix or name,
                                  f"unsupported file type; expected one of {', '.join(SUPPORTED)}")])
    try:
        frame = _parse(data, suffix, name)
    except InputError:
        raise
    except Exception as exc:  # the parsers' own errors: report the file, never a traceback
        raise InputError([Problem(name, None, None, None,
                                  f"could not be read as a {suffix} table ({exc.__class__.__name__}: "
                                  f"{str(exc)[:200]})")]) from exc
    return _tidy(frame, name)


def _parse(data: bytes, suffix: str, name: str) -> pd.DataFrame:
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
    if suffix == ".parquet":
        return pd.read_parquet(io.BytesIO(data)).astype(object)
    if b"\x00" in data[:4096]:
        raise InputError([Problem(name, None, None, None,
                                  "is a binary file, not a text table (CSV); export it as CSV or .xlsx")])
    text = _decode(data, name)
    sep = "\t" if suffix == ".tsv" else _delimiter(text)
    return pd.read_csv(io.StringIO(text), dtype=object, sep=sep, engine="python",
                       keep_default_na=False, skipinitialspace=True, skip_blank_lines=False)


def _delimiter(text: str) -> str:
    """The delimiter (, ; tab |) that splits the first rows into the most columns, consistently."""
    sample = text[:50_000]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t", "|"):
        rows = list(itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), 30))
        widths = [len(r) for r in rows if r]
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _decode(data: bytes, name: str) -> str:
    for encoding in _ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(name, None, None, None,
                              "text encoding not recognised; expected UTF-8 or GBK/GB18030")])


def _tidy(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    frame = frame.rename(columns=clean_header)
    frame = frame.loc[:, [not str(c).startswith("Unnamed:") or frame[c].astype(str).str.strip().ne("").any()
                          for c in frame.columns]]
    frame = frame.dropna(how="all")
    blank = frame.apply(lambda col: col.astype(str).str.strip().isin(["", "nan", "None"])).all(axis=1)
    frame = frame.loc[~blank]
    if frame.columns.empty:
        raise InputError([Problem(name, None, None, None, "has no columns; expected a header row")])
    log.debug("read %s: %d rows, %d columns", name, len(frame), len(frame.columns))
    return frame
