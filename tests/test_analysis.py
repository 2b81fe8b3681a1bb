import pytest

from matchmaker.problems import InputError
from matchmaker.report.analysis import product_rules, with_product_rules
from tests.conftest import creator, make_data, product


def test_edited_rules_are_checked_like_the_products_table():
    data = make_data([creator("a")], [product("p", max_creators=3)])
    rules = product_rules(data)
    rules.loc[0, "min_creators"] = 2
    assert with_product_rules(data, rules).products.loc[0, "min_creators"] == 2
    rules.loc[0, "min_top_kol"] = 4
    with pytest.raises(InputError) as err:
        with_product_rules(data, rules)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("product rules", 2, "min_top_kol")
    assert "above max_creators" in problem.message
