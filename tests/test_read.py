import pandas as pd
import pytest

from matchmaker.io.read import read_table
from matchmaker.problems import InputError

ROWS = "达人ID,达人昵称,粉丝数,带货类目,简介,报价\nd1,小鹿美妆,1.2万,美妆,日常妆容分享,\"￥5,000\"\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le-bom",
                                      "utf-16-be-bom"])
def test_csv_encodings_read_the_same(tmp_path, encoding):
    path = tmp_path / "creators.csv"
    boms = {"utf-16-le-bom": (b"\xff\xfe", "utf-16-le"), "utf-16-be-bom": (b"\xfe\xff", "utf-16-be")}
    bom, codec = boms.get(encoding, (b"", encoding))
    path.write_bytes(bom + ROWS.encode(codec))
    frame = read_table(path)
    assert list(frame.columns) == ["达人ID", "达人昵称", "粉丝数", "带货类目", "简介", "报价"]
    assert frame.iloc[0]["达人昵称"] == "小鹿美妆"
    assert frame.iloc[0]["报价"] == "￥5,000"


def test_xlsx_and_parquet(tmp_path):
    frame = pd.DataFrame({"creator_id": ["a", "b"], "fee": ["1.2万", 300]})
    frame.to_excel(tmp_path / "c.xlsx", index=False)
    frame.astype(str).to_parquet(tmp_path / "c.parquet")
    for name in ("c.xlsx", "c.parquet"):
        got = read_table(tmp_path / name)
        assert list(got["creator_id"]) == ["a", "b"]
        assert str(got.iloc[0]["fee"]) == "1.2万"


def test_headers_with_line_breaks_are_cleaned_and_blank_rows_keep_row_numbers(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('"粉丝\n数 ",id\n1,a\n\n2,b\n', encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["粉丝 数", "id"]
    assert list(frame.index) == [0, 2]  # spreadsheet rows 2 and 4


@pytest.mark.parametrize("name, content, message", [
    ("c.pdf", b"%PDF-1.4", "unsupported file type"),
    ("c.csv", b"\x00\x01\x02binary", "binary file"),
    ("c.xlsx", b"not a zip", "could not be read"),
    ("c.csv", b"\xef\xbb\xbfid,name\n1,\xff\xfe", "is not valid UTF-8 text"),
])
def test_unreadable_files_name_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.problems[0].file == name
    assert message in err.value.problems[0].message


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_upload_bytes_with_name():
    frame = read_table(ROWS.encode("gbk"), "upload.csv")
    assert frame.iloc[0]["带货类目"] == "美妆"


@pytest.mark.parametrize("text, encoding, cell", [
    ("creator_id,name,fee\nc1,Anna,1000\nc2,王芳,2000\n", "gbk", "王芳"),  # few Chinese names among ASCII
    ("creator_id,name,fee\nc1,李娜,1000\nc2,Tom,200\n", "gb18030", "李娜"),
    ("creator_id,name,fee\nc1,Jürgen Müller,1000\nc2,Zoë Ångström,2000\n", "latin-1", "Jürgen Müller"),
    ("creator_id,name,fee\nc1,José “Pepe” – Café,1000\n", "cp1252", "José “Pepe” – Café"),
    ("達人ID,達人暱稱,報價\nc1,阿傑美妝日常,1000\nc2,小鹿穿搭分享,2000\n", "big5", "阿傑美妝日常"),
    ("creator_id,name,fee\nj1,さくらメイク動画,1000\nj2,山田太郎ガジェット,2000\n", "shift_jis", "さくらメイク動画"),
])
def test_encodings_are_detected_not_guessed(tmp_path, text, encoding, cell):
    path = tmp_path / "creators.csv"
    path.write_bytes(text.encode(encoding))
    frame = read_table(path)
    assert cell in frame.iloc[:, 1].tolist()


def test_text_in_no_known_encoding_is_rejected_with_how_to_re_save(tmp_path):
    path = tmp_path / "creators.csv"
    path.write_bytes(b"id,name\n" + bytes(range(128, 256)) * 20)
    with pytest.raises(InputError) as err:
        read_table(path)
    message = str(err.value)
    assert message.startswith("error: creators.csv: text encoding not recognised") and "UTF-8" in message


def _limit_problem(tmp_path, name, content, **env):
    from matchmaker.limits import Limits

    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else content(path)
    with pytest.raises(InputError) as err:
        read_table(path, limits=Limits(**env))
    return err.value.problems[0]


def test_file_size_is_checked_before_reading(tmp_path):
    problem = _limit_problem(tmp_path, "c.csv", b"a,b\n" + b"1,2\n" * 400_000, max_input_mb=1)
    assert problem.file == "c.csv" and "size in MB (2) is above the limit of 1" in problem.message
    assert "MATCHMAKER_MAX_INPUT_MB" in problem.message


def test_rows_and_columns_over_their_limits(tmp_path):
    assert "MATCHMAKER_MAX_ROWS" in _limit_problem(tmp_path, "r.csv", b"a\n" + b"1\n" * 50, max_rows=20).message
    assert "number of rows (30)" in _limit_problem(tmp_path, "r2.csv", b"a\n" + b"1\n" * 30, max_rows=20).message
    wide = ",".join(f"c{i}" for i in range(30)).encode() + b"\n" + b",".join(b"1" for _ in range(30)) + b"\n"
    assert "number of columns (30)" in _limit_problem(tmp_path, "w.csv", wide, max_columns=10).message


def test_an_xlsx_that_unpacks_too_large_is_refused_from_its_zip_directory(tmp_path):
    def bomb(path):  # 3 MB of one repeated cell: small packed, large unpacked
        pd.DataFrame({"creator_id": ["x" * 30_000] * 100}).to_excel(path, index=False)
    problem = _limit_problem(tmp_path, "bomb.xlsx", bomb, max_unpacked_mb=1, max_cell_chars=10**6)
    assert "unpacked size in MB (3) is above the limit of 1" in problem.message
    assert (tmp_path / "bomb.xlsx").stat().st_size < 100_000


def test_parquet_rows_are_checked_from_its_metadata(tmp_path):
    def table(path):
        pd.DataFrame({"a": [str(i) for i in range(50)]}).to_parquet(path)
    assert "number of rows (50)" in _limit_problem(tmp_path, "t.parquet", table, max_rows=10).message


def test_limits_from_the_environment(monkeypatch):
    from matchmaker.limits import Limits

    monkeypatch.setenv("MATCHMAKER_MAX_ROWS", "5000000")
    assert Limits.from_env().max_rows == 5_000_000
    monkeypatch.setenv("MATCHMAKER_MAX_COLUMNS", "many")
    with pytest.raises(InputError, match="MATCHMAKER_MAX_COLUMNS"):
        Limits.from_env()


def _xingtu_workbook(path, extra=()):
    """A Xingtu-style export: a title and a note above the header, a blank row, a total row, and a second
    sheet of notes in front of the table."""
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本表由巨量星图导出"])
    sheet = book.create_sheet("达人列表")
    sheet.append(["2026年11月 星图达人报价单"])
    sheet.append(["数据来源：巨量星图，导出时间 2026-11-20"])
    sheet.append(["达人ID", "达人昵称", "达人层级", "粉丝量(万)", "带货类目", "报价"])
    sheet.append(["d1", "小鹿", "头部", "170", "美妆-护肤", "50000"])
    sheet.append([])
    sheet.append(["d2", "阿杰", "素人", "0.8", "美妆", "-"])
    for row in extra:
        sheet.append(list(row))
    sheet.append(["合计", None, None, "170.8", None, "50000"])
    book.save(path)


def test_a_xingtu_export_finds_its_sheet_and_header_and_says_what_it_skipped(tmp_path):
    from matchmaker.inputs.schema import header_score
    from matchmaker.io.read import read_export

    _xingtu_workbook(tmp_path / "xingtu.xlsx")
    table = read_export(tmp_path / "xingtu.xlsx", header_score=header_score("creators"))
    assert table.sheet == "达人列表" and table.sheets == ("说明", "达人列表")
    assert list(table.frame.columns)[:3] == ["达人ID", "达人昵称", "达人层级"]
    assert table.frame["达人ID"].tolist() == ["d1", "d2", "合计"] and list(table.frame.index + 2) == [4, 6, 7]
    notes = " | ".join(p.message for p in table.notes)
    assert "the header is on row 3; the 2 row(s) above it" in notes
    assert "blank rows skipped: rows 5" in notes and "read sheet '达人列表'" in notes and "--sheet" in notes


def test_a_sheet_chosen_by_name_or_refused_naming_the_sheets(tmp_path):
    from matchmaker.io.read import read_export

    _xingtu_workbook(tmp_path / "x.xlsx")
    assert read_export(tmp_path / "x.xlsx", sheet="说明").frame.empty
    with pytest.raises(InputError, match="has no sheet of this name; its sheets are 说明, 达人列表"):
        read_export(tmp_path / "x.xlsx", sheet="Sheet1")


def test_a_csv_with_a_title_row_keeps_spreadsheet_row_numbers(tmp_path):
    from matchmaker.io.read import read_export

    path = tmp_path / "c.csv"
    path.write_text("达人报价单 2026-11\n\ncreator_id,categories,fee\na,x,1\nb,x,2\n", encoding="utf-8")
    table = read_export(path)
    assert list(table.frame.columns) == ["creator_id", "categories", "fee"]
    assert list(table.frame.index + 2) == [4, 5]


def _messy_export(rows: int) -> str:
    """A title row, a header, rows with a quoted line break and a quoted comma, a blank row, ragged rows."""
    lines = ["达人列表导出,,", "达人ID,简介,粉丝数"]
    for i in range(rows):
        bio = f'"第一行\n第二行 {i}"' if i % 4 == 1 else f'"a, b {i}"' if i % 4 == 2 else f"bio {i}"
        lines.append(f"d{i},{bio},{i * 100}" if i % 7 else f"d{i},{bio}")  # every 7th row lacks a cell
        if i == 5:
            lines.append(",,")
    return "\n".join(lines) + "\n"


def test_csv_read_in_chunks_equals_one_read_with_row_numbers_running_on(monkeypatch):
    from matchmaker.io import read

    data = _messy_export(40).encode("utf-8")
    whole = read.read_export(data, "x.csv")
    monkeypatch.setattr(read, "CHUNK_ROWS", 3)  # row breaks inside quoted cells fall across chunks
    chunked = read.read_export(data, "x.csv")
    pd.testing.assert_frame_equal(chunked.frame, whole.frame)
    assert [str(n) for n in chunked.notes] == [str(n) for n in whole.notes]
    assert len(whole.frame) == 40 and whole.frame.loc[whole.frame["达人ID"] == "d9"].index[0] + 2 == 13
    assert whole.frame.set_index("达人ID").at["d1", "简介"] == "第一行\n第二行 1"


def test_parquet_read_in_chunks_equals_one_read(tmp_path, monkeypatch):
    from matchmaker.io import read

    frame = pd.DataFrame({"creator_id": [f"c{i}" for i in range(25)], "fee": [float(i) for i in range(25)],
                          "categories": ["美妆"] * 25})
    frame.to_parquet(tmp_path / "c.parquet", row_group_size=4)
    whole = read_table(tmp_path / "c.parquet")
    monkeypatch.setattr(read, "CHUNK_ROWS", 3)
    chunked = read_table(tmp_path / "c.parquet")
    pd.testing.assert_frame_equal(chunked, whole)
    assert chunked["fee"].tolist() == list(range(25)) and chunked["creator_id"].iloc[-1] == "c24"
