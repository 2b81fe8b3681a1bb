"""The engine's messages in Chinese: every msg() template has a translation with the same placeholders,
no problem is built from bare English text, and every hostile input's problems read as Chinese."""

from __future__ import annotations

import ast
import re
import string

import pytest

from matchmaker.config import load_config
from matchmaker.pipeline import load
from matchmaker.problems import InputError, Message, msg
from matchmaker.report.i18n import say
from matchmaker.report.messages_zh import MESSAGES_ZH
from tests.conftest import ROOT
from tests.test_hostile import BAD

PACKAGE = ROOT / "matchmaker"
USER_FACING_EXCEPT = {"cli"}  # the command line (matchmaker/cli/) speaks English only


def _calls(name: str):
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (getattr(node.func, "id", None) == name
                                               or getattr(node.func, "attr", None) == name):
                yield path, node


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _templates() -> dict[str, str]:
    found = {}
    for path, node in _calls("msg"):
        first = node.args[0]
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), \
            f"{path.name}:{node.lineno}: msg() needs a literal template, the key of its translations"
        found[first.value] = f"{path.name}:{node.lineno}"
    return found


def test_every_message_template_has_a_chinese_translation_with_the_same_placeholders():
    templates = _templates()
    assert len(templates) > 100
    missing = {t: where for t, where in templates.items() if t not in MESSAGES_ZH}
    assert not missing
    for template in templates:
        assert _fields(MESSAGES_ZH[template]) == _fields(template), template


def test_no_translation_is_left_without_its_template():
    assert set(MESSAGES_ZH) - set(_templates()) == set()


@pytest.mark.parametrize("call, position", [("Problem", 4), ("add", 3), ("config_key", 3)])
def test_problems_are_never_built_from_bare_text(call, position):
    """A literal or f-string message would stay English in the Chinese interface: messages go through msg()."""
    for path, node in _calls(call):
        if path.parent.name in USER_FACING_EXCEPT:
            continue
        args = {i: a for i, a in enumerate(node.args)} | {k.arg: k.value for k in node.keywords}
        message = args.get(position, args.get("message"))
        if message is not None:
            assert not isinstance(message, (ast.Constant, ast.JoinedStr)), f"{path.name}:{node.lineno}"


def test_say_renders_nested_messages_and_lists_in_chinese():
    inner = (msg("raise the budget"), msg("turn off exclusivity"))
    text = msg("these rules cannot all hold together: {rules}. To find a plan, do one of: {fixes}.",
               rules=(msg("the total budget of {budget}", budget="¥5,000"),), fixes=inner)
    assert text == ("these rules cannot all hold together: the total budget of ¥5,000. To find a plan, do one "
                    "of: raise the budget; turn off exclusivity.")
    assert say("zh", text) == "以下规则无法同时满足：总预算 ¥5,000。要得到方案，可以：提高预算；关闭类目独占。"
    assert say("en", text) == text and say("zh", "plain text") == "plain text"


def test_a_message_survives_copying_as_problems_tables_do():
    import copy
    import pickle

    text = msg("duplicate {column}; first seen in row {first}", column="creator_id", first=3)
    for clone in (copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert isinstance(clone, Message) and clone == text and clone.params == {"column": "creator_id", "first": 3}


ENGLISH = re.compile(r"[A-Za-z]{4,}")


def _english_left(problem) -> list[str]:
    """English words in the Chinese rendering, other than the values the message quotes (file names,
    headers, keys and the like, which stay as the user wrote them)."""
    text = say("zh", problem.message)
    for value in _quoted(problem.message):
        text = text.replace(value, "")
    return ENGLISH.findall(text)


def _quoted(message: Message) -> list[str]:
    out = []
    for value in message.params.values():
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            out += _quoted(item) if isinstance(item, Message) else [str(item)]
    return sorted(out, key=len, reverse=True)


# Words a Chinese user meets in these messages as they are: formats, encodings, programs and settings keys.
ALLOWED = {"TOML", "Excel", "Shift", "Windows", "true", "false", "campaign", "fee_quote", "tiers", "xlsx",
           "categories", "inputs", "columns"}
FILE_CASES = [case for case in BAD if not case[1].get("flags") and not case[1].get("out")]


@pytest.mark.parametrize("kwargs", [case[1] for case in FILE_CASES], ids=[case[0] for case in FILE_CASES])
def test_every_hostile_input_gives_problems_that_read_as_chinese(tmp_path, monkeypatch, kwargs):
    from tests.test_hostile import CREATORS, PRODUCTS, csv_bytes

    for key, value in kwargs.get("env", {}).items():
        monkeypatch.setenv(key, value)
    files = {kwargs.get("creators_name", "creators.csv"): kwargs.get("creators", csv_bytes(CREATORS)),
             "products.csv": kwargs.get("products", csv_bytes(PRODUCTS))}
    for table in ("pairs", "overlaps"):
        if table in kwargs:
            files[f"{table}.csv"] = kwargs[table]
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    sources = {table: tmp_path / name for name in files for table in ("creators", "products", "pairs", "overlaps")
               if name.startswith(table)}
    with pytest.raises(InputError) as caught:
        if "toml" in kwargs:
            (tmp_path / "campaign.toml").write_text(kwargs["toml"], encoding="utf-8")
            load_config(tmp_path / "campaign.toml")
        load(load_config(None), **sources)
    for problem in caught.value.problems:
        assert isinstance(problem.message, Message), problem
        left = [w for w in _english_left(problem) if w not in ALLOWED]
        assert not left, (say("zh", problem.message), left)

