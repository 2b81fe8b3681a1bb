import pandas as pd
import pytest

from matchmaker.io.read import read_table
from matchmaker.problems import InputError

ROWS = "达人ID,达人昵称,粉丝数,带货类目,简介,报价\nd1,小鹿美妆,1.2万,美妆,日常妆容分享,\"￥5,000\"\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_read_the_same(tmp_path, encoding):
    path = tmp_path / "creators.csv"
    path.write_bytes(ROWS.encode(encoding))
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
    ("c.csv", "名字".encode("utf-16"), "encoding"),
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
