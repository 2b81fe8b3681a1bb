"""File formats, encodings and sheets: the only code that reads or writes input and output files.

read: CSV (encodings and delimiters), .xlsx, Parquet -> tables of text cells.
write: plans, summaries and problem lists -> CSV (formula-safe), .xlsx, JSON, written atomically.
"""

from .read import SUPPORTED, Table, read_export, read_table
from .write import TABLE_SUFFIXES, csv_bytes, formula_safe, json_bytes, table_bytes, write_atomic

__all__ = ["SUPPORTED", "TABLE_SUFFIXES", "Table", "csv_bytes", "formula_safe", "json_bytes", "read_export",
           "read_table",
           "table_bytes", "write_atomic"]
