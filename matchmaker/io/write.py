"""Writing tables and documents: the only module that knows output file formats (CSV, .xlsx, JSON).

Every file is written atomically (a temporary file beside the target, then a rename), and text cells
that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

TABLE_SUFFIXES = (".csv", ".xlsx", ".json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting with = + - @ (or TAB, CR) get a leading apostrophe: Excel shows them as text."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v
                         for v in safe[col]]
    return safe


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A formula-safe CSV in UTF-8 with BOM (Excel opens it with Chinese text intact)."""
    return formula_safe(table).to_csv(index=False).encode("utf-8-sig")


def without_control_characters(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells without the control characters a .xlsx cannot hold (all of C0 but TAB, LF, CR)."""
    clean = frame.copy()
    for col in clean.columns:
        if clean[col].dtype == object or pd.api.types.is_string_dtype(clean[col]):
            clean[col] = [_XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v for v in clean[col]]
    return clean


def table_bytes(table: pd.DataFrame, suffix: str) -> bytes:
    """A table's file content for .csv, .xlsx or .json."""
    if suffix == ".csv":
        return csv_bytes(table)
    if suffix == ".xlsx":
        buffer = io.BytesIO()
        formula_safe(without_control_characters(table)).to_excel(buffer, index=False, engine="openpyxl")
        return buffer.getvalue()
    if suffix == ".json":
        return table.to_json(orient="records", force_ascii=False, indent=1).encode()
    raise ValueError(f"unsupported file type {suffix!r}; expected one of {', '.join(TABLE_SUFFIXES)}")


def _default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return str(value)


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default).encode()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would create it, not mkstemp's private 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
