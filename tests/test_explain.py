"""Why no plan exists: counting checks name obvious causes; otherwise CP-SAT's infeasible core over one
switch per rule names the rules in conflict, with what to relax."""

from matchmaker.plan.explain import conflicting_rules, describe_rule, explain, quick_checks
from tests.conftest import tiny_instance


def test_quick_check_too_few_eligible_creators():
    inst = tiny_instance([(0, 0, 0.5)], [100], prod_min=[3])
    assert quick_checks(inst) == ["product p0: min 3 creators, but only 1 eligible creator(s) (category, "
                                  "experience and capacity rules)"]


def test_quick_check_too_few_top_kols():
    inst = tiny_instance([(0, 0, 0.5), (1, 0, 0.5)], [100, 900], top=[False, True], prod_min_top=[2])
    assert quick_checks(inst) == ["product p0: min 2 Top-KOLs, but only 1 eligible Top-KOL(s)"]


def test_quick_check_minimums_above_a_product_budget():
    inst = tiny_instance([(0, 0, 0.5), (1, 0, 0.5)], [100, 300], prod_min=[2], prod_budget=[350])
    assert quick_checks(inst) == ["product p0: its minimum creators cost at least ¥400, above its own "
                                  "budget of ¥350"]


def test_quick_check_minimums_above_the_total_budget():
    inst = tiny_instance([(0, 0, 0.5), (1, 1, 0.5)], [100, 300], n_products=2, prod_min=[1, 1], budget=350)
    assert quick_checks(inst) == ["the products' minimum creators cost at least ¥400 together, above the "
                                  "total budget of ¥350"]


def test_no_quick_cause_when_counting_cannot_see_it():
    # enough creators and money for each minimum, but the two creators conflict on the product
    inst = tiny_instance([(0, 0, 0.5), (1, 0, 0.5)], [100, 100], prod_min=[2], conflicts=[(0, 1)])
    assert quick_checks(inst) == []


def test_core_names_the_conflicting_rules():
    inst = tiny_instance([(0, 0, 0.5), (1, 0, 0.5)], [100, 100], prod_min=[2], conflicts=[(0, 1)])
    assert sorted(conflicting_rules(inst)) == ["min_creators:0", "overlap"]


def test_core_of_a_share_cap_and_a_top_kol_minimum():
    inst = tiny_instance([(0, 0, 0.5), (1, 0, 0.5)], [100, 900], top=[False, True], prod_min_top=[1],
                         top_share=0.5)
    assert sorted(conflicting_rules(inst)) == ["min_top_kol:0", "top_kol_share"]


def test_a_feasible_campaign_has_no_core():
    assert conflicting_rules(tiny_instance([(0, 0, 0.5)], [100])) == []


def test_explain_falls_back_to_the_core_with_what_to_relax():
    inst = tiny_instance([(0, 0, 0.5), (1, 0, 0.5)], [100, 100], prod_min=[2], conflicts=[(0, 1)])
    [reason] = explain(inst)
    assert reason == ("these rules cannot all hold together: product p0: at least 2 creators; no two creators "
                      "with overlapping audiences on one product. To find a plan, do one of: lower the minimum "
                      "creators; raise max_overlap.")


def test_every_rule_name_of_the_model_has_words():
    inst = tiny_instance([(0, 0, 0.5)], [100], prod_budget=[50], prod_max=[1], prod_max_top=[0])
    for rule in ("budget", "product_budget:0", "capacity", "min_creators:0", "max_creators:0", "min_top_kol:0",
                 "max_top_kol:0", "top_kol_share", "overlap", "exclusivity"):
        assert describe_rule(rule, inst)
