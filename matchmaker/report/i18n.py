"""Interface text in English and Chinese (the app's language switch). t(lang, key, **values)."""

from __future__ import annotations

import math

from ..problems import Message
from .messages_zh import MESSAGES_ZH

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "matchmaker: creator-brand matchmaking", "zh": "matchmaker：达人与品牌智能匹配"},
    "subtitle": {"en": "Upload a creator list and a product catalogue, set the campaign, and get the best plan, "
                       "checked and explained.",
                 "zh": "上传达人名单和商品清单，设定投放规则，得到经过校验、可解释的最优投放方案。"},
    "language": {"en": "Language / 语言", "zh": "语言 / Language"},
    "data": {"en": "1. Data", "zh": "1. 数据"},
    "use_sample": {"en": "Load the sample campaign", "zh": "加载示例数据"},
    "creators_view": {"en": "Creators", "zh": "达人库"},
    "f_search": {"en": "Search id or name", "zh": "搜索达人ID或昵称"},
    "f_categories": {"en": "Categories", "zh": "类目"},
    "f_tiers": {"en": "Tiers", "zh": "达人层级"},
    "f_fee": {"en": "Fee (CNY)", "zh": "费用（元）"},
    "f_followers": {"en": "Followers at least", "zh": "粉丝数不少于"},
    "f_any": {"en": "Any", "zh": "不限"},
    "f_fit": {"en": "Fit to a product", "zh": "与商品的匹配度"},
    "cv_count": {"en": "{n} of {total} creators; click a column to sort.",
                 "zh": "共 {total} 位达人，筛选出 {n} 位；点击列名排序。"},
    "card_pick": {"en": "Creator card", "zh": "达人卡片"},
    "card_engagement": {"en": "Engagement", "zh": "互动率"},
    "card_not_eligible": {"en": "Not eligible for any product (category, experience, fee or capacity).",
                          "zh": "不符合任何商品的条件（类目、带货口碑、报价或可接商品数）。"},
    "card_booked": {"en": "**{product_id}**: booked; value {value:.2f}, ranked {rank} of {eligible} eligible creators.",
                    "zh": "**{product_id}**：已签约；价值 {value:.2f}，在 {eligible} 位候选达人中排名第 {rank}。"},
    "card_not_booked": {"en": "**{product_id}**: eligible, value {value:.2f} (ranked {rank} of {eligible}), not "
                              "booked: {why}.",
                        "zh": "**{product_id}**：符合条件，价值 {value:.2f}（{eligible} 位中第 {rank}），"
                              "未签约：{why}。"},
    "blocked_budget": {"en": "the budget is spent (its fee does not fit what is left)",
                       "zh": "预算已用完（剩余预算不够其费用）"},
    "blocked_product_budget": {"en": "the product's own budget is spent", "zh": "该商品自身的预算已用完"},
    "blocked_capacity": {"en": "it is at its max products", "zh": "已达到可接商品数上限"},
    "blocked_max_creators": {"en": "the product has its max creators", "zh": "该商品的达人数已满"},
    "blocked_max_top_kol": {"en": "the product has its max Top-KOLs", "zh": "该商品的头部达人数已满"},
    "blocked_top_kol_share": {"en": "Top-KOLs are at their cap of the spend", "zh": "头部达人花费占比已到上限"},
    "blocked_overlap": {"en": "its audience overlaps a booked creator's too much",
                        "zh": "与已签约达人的粉丝重合度过高"},
    "blocked_exclusivity": {"en": "it is booked for another brand of the category", "zh": "已为同类目的其他品牌签约"},
    "blocked_value": {"en": "the plan chose better value per yuan within the budget and rules",
                      "zh": "在预算和规则之内，方案选择了单位花费价值更高的达人"},
    "sheet": {"en": "Sheet of {file}", "zh": "{file} 的工作表"},
    "category_map": {"en": "Category map: which creator categories may promote each product category",
                     "zh": "类目映射：每个商品类目可由哪些达人类目推广"},
    "category_unmatched": {"en": "{n} product categories have no eligible creator. The table suggests creator "
                                 "categories: check them, then use the map.",
                           "zh": "{n} 个商品类目没有符合条件的达人。表中给出了建议的达人类目，核对后请点击应用。"},
    "category_apply": {"en": "Use this category map", "zh": "应用此类目映射"},
    "cm_product_category": {"en": "product category", "zh": "商品类目"},
    "cm_products": {"en": "products", "zh": "商品数"},
    "cm_eligible": {"en": "eligible creators", "zh": "可选达人数"},
    "cm_creator_categories": {"en": "creator categories (separated by 、 or ,)",
                              "zh": "可推广的达人类目（用、或逗号分隔）"},
    "sample_replace": {"en": "Loading the sample replaces your uploaded files and campaign settings.",
                       "zh": "加载示例数据会替换您上传的文件和投放设置。"},
    "sample_yes": {"en": "Replace them with the sample", "zh": "替换为示例数据"},
    "sample_no": {"en": "Keep mine", "zh": "保留我的数据"},
    "cancel": {"en": "Cancel (keep the best plan so far)", "zh": "取消（保留当前最优方案）"},
    "made_from": {"en": "From {files}; budget {budget}, max overlap {overlap:g}, Top-KOL share at most {share:.0%}, "
                        "time limit {seconds:g} s.",
                  "zh": "数据：{files}；预算 {budget}，最大粉丝重合度 {overlap:g}，头部达人花费占比上限 {share:.0%}，"
                        "求解时限 {seconds:g} 秒。"},
    "sample_loaded": {"en": "Sample loaded: {creators} creators, {products} products.",
                      "zh": "已加载示例：{creators} 位达人，{products} 个商品。"},
    "creators_file": {"en": "Creator list (CSV or .xlsx)", "zh": "达人名单（CSV 或 .xlsx）"},
    "products_file": {"en": "Product catalogue (CSV or .xlsx)", "zh": "商品清单（CSV 或 .xlsx）"},
    "overlaps_file": {"en": "Audience overlaps (optional)", "zh": "粉丝重合度表（可选）"},
    "deals_file": {"en": "Deals (optional)", "zh": "单独议价表（可选）"},
    "deals_help": {"en": "Terms negotiated for one creator and one product (creator, product, and fee, pricing, "
                         "commission rate, rebate where agreed); over the creator list's terms for that pair.",
                   "zh": "某位达人与某个商品单独谈定的条件（达人、商品，以及已谈定的报价、合作方式、佣金率、返点）；"
                         "该组合以此为准，覆盖达人名单中的条件。"},
    "upload_button": {"en": "Upload", "zh": "上传文件"},
    "upload_limit": {"en": "{mb}MB per file", "zh": "每个文件不超过 {mb}MB"},
    "upload_hint": {"en": "Upload both files, or load the sample.", "zh": "请上传两个文件，或加载示例数据。"},
    "mapping": {"en": "Match the columns of {file}", "zh": "匹配 {file} 的列"},
    "mapping_help": {"en": "Some required columns were not recognised. Pick which column of your file holds each.",
                     "zh": "部分必填列未能自动识别，请为每一项选择文件中对应的列。"},
    "not_in_file": {"en": "(not in the file)", "zh": "（文件中没有）"},
    "problems": {"en": "Please fix these problems in your files and upload them again:",
                 "zh": "请修改文件中的以下问题后重新上传："},
    "warnings": {"en": "{n} warning(s): the plan can still be made", "zh": "{n} 条提醒：仍可生成方案"},
    "loaded": {"en": "{creators} creators, {products} products ready.",
               "zh": "{creators} 位达人、{products} 个商品已就绪。"},
    "campaign": {"en": "2. Campaign", "zh": "2. 投放规则"},
    "budget": {"en": "Total budget (CNY)", "zh": "总预算（元）"},
    "max_overlap": {"en": "Max audience overlap between two creators on one product",
                    "zh": "同一商品两位达人的最大粉丝重合度"},
    "top_share": {"en": "Top-KOL share of the spend, at most", "zh": "头部达人花费占比上限"},
    "min_experience": {"en": "Minimum experience score (0-5)", "zh": "最低带货口碑分（0-5）"},
    "exclusivity": {"en": "One brand per category for each creator", "zh": "同一达人同类目只推一个品牌"},
    "weights": {"en": "Scoring weights", "zh": "评分权重"},
    "w_style": {"en": "Style fit", "zh": "风格匹配"},
    "w_audience": {"en": "Audience match", "zh": "人群匹配"},
    "w_performance": {"en": "Performance", "zh": "带货表现"},
    "time_limit": {"en": "Solver time limit (s)", "zh": "求解时限（秒）"},
    "apply": {"en": "Apply", "zh": "应用"},
    "load_toml": {"en": "Load a campaign (.toml)", "zh": "加载投放配置（.toml）"},
    "save_toml": {"en": "Save campaign (.toml)", "zh": "保存投放配置（.toml）"},
    "rules": {"en": "Per-product rules (edit the numbers)", "zh": "各商品规则（可直接修改数字）"},
    "optimize": {"en": "Optimize", "zh": "开始优化"},
    "stage_embed": {"en": "Reading creator bios and product texts…", "zh": "正在理解达人简介和商品描述…"},
    "stage_solve": {"en": "Searching for the best plan…", "zh": "正在搜索最优方案…"},
    "solver_progress": {"en": "Best plan so far: value {value:.2f}, {gap}",
                        "zh": "当前最优：价值 {value:.2f}，{gap}"},
    "done": {"en": "Done in {seconds:.1f} s", "zh": "完成，用时 {seconds:.1f} 秒"},
    "results": {"en": "3. Plan", "zh": "3. 投放方案"},
    "m_budget": {"en": "Budget used", "zh": "已用预算"},
    "m_value": {"en": "Fit score", "zh": "匹配度总分"},
    "m_gmv": {"en": "Expected GMV", "zh": "预估GMV"},
    "m_roi": {"en": "Expected ROI", "zh": "预估ROI"},
    "m_range": {"en": "likely {low} to {high}", "zh": "可能区间 {low} ~ {high}"},
    "objective": {"en": "Maximise", "zh": "优化目标"},
    "obj_auto": {"en": "auto: expected profit when every product has a price, else fit",
                 "zh": "自动：商品都有价格时以预估利润为目标，否则以匹配度为目标"},
    "obj_fit": {"en": "fit score", "zh": "匹配度"},
    "obj_gmv": {"en": "expected GMV", "zh": "预估GMV"},
    "obj_profit": {"en": "expected profit", "zh": "预估利润"},
    "obj_reach": {"en": "expected unique views", "zh": "预估去重播放量"},
    "m_creators": {"en": "Creators booked", "zh": "签约达人"},
    "m_status": {"en": "Status (gap)", "zh": "状态（差距）"},
    "m_reach": {"en": "Est. unique reach", "zh": "预估去重覆盖"},
    "status_optimal": {"en": "optimal", "zh": "最优"},
    "status_feasible": {"en": "feasible", "zh": "可行"},
    "status_infeasible": {"en": "no plan exists", "zh": "无可行方案"},
    "status_no_plan_in_time": {"en": "no plan in time", "zh": "时限内未找到方案"},
    "status_interrupted": {"en": "interrupted", "zh": "已中断"},
    "status_invalid": {"en": "not searched", "zh": "未能求解"},
    "status_no_eligible_pairs": {"en": "no eligible creator", "zh": "没有符合条件的达人"},
    "gap_known": {"en": "gap {gap:.2%}", "zh": "差距 {gap:.2%}"},
    "gap_unknown": {"en": "gap unknown (no bound proved)", "zh": "差距未知（未证明上界）"},
    "plan_table": {"en": "Bookings", "zh": "签约明细"},
    "spend_product": {"en": "Spend and expected GMV by product", "zh": "各商品花费与预估GMV"},
    "spend_tier": {"en": "Spend and expected GMV by tier", "zh": "各层级花费与预估GMV"},
    "roi_dist": {"en": "Expected ROI of the bookings", "zh": "各签约的预估ROI分布"},
    "bookings_n": {"en": "bookings", "zh": "签约数"},
    "min_roi": {"en": "Expected ROI at least (0: no floor)", "zh": "预估ROI下限（0为不设）"},
    "max_cpm": {"en": "Expected CPM at most, CNY (0: no ceiling)", "zh": "预估CPM上限（元，0为不设）"},
    "max_commission": {"en": "Expected commission at most, CNY (0: no cap)", "zh": "预估佣金上限（元，0为不设）"},
    "conservative": {"en": "Plan for the low end of the range (conservative)", "zh": "按区间低值规划（保守）"},
    "pilot": {"en": "4. Pilot, then scale", "zh": "4. 先试投，再放量"},
    "pilot_help": {"en": "Upload the pilot's results per booking (a Compass/罗盘 or Buyin export: creator, product, "
                         "views, orders). matchmaker learns each creator's conversion and plans the rest of the "
                         "budget.",
                   "zh": "上传试投每个合作的数据（罗盘或百应导出：达人、商品、播放量、订单数）。"
                         "系统学习每位达人的转化率，并用剩余预算重新规划。"},
    "pilot_upload": {"en": "Pilot or wave results (.csv, .xlsx)", "zh": "试投或本轮投放数据（.csv、.xlsx）"},
    "pilot_share": {"en": "Pilot share of the budget (0: sized for you)", "zh": "试投占预算比例（0为自动确定）"},
    "pilot_share_help": {"en": "0 sizes the pilot by test-and-roll from the scale-up's bookings (5-30%).",
                         "zh": "0 表示按 test-and-roll 方法根据放量方案的合作数确定（5%-30%）。"},
    "design_pilot": {"en": "Design a pilot", "zh": "设计试投方案"},
    "pilot_designed": {"en": "Pilot: {share:.0%} of the budget, ¥{spent:,.0f} on {n} test bookings of the {of} "
                             "creators the scale-up would book, each one's cheapest, every category covered.",
                       "zh": "试投方案：预算的 {share:.0%}，¥{spent:,.0f}，测试放量方案 {of} 位达人中的 {n} 位，"
                             "每位取最便宜的合作，覆盖每个类目。"},
    "pilot_untested": {"en": "Bets of the scale-up the pilot cannot test, and why",
                       "zh": "试投未能覆盖的放量重点及原因"},
    "dl_pilot": {"en": "Download the pilot (.xlsx)", "zh": "下载试投方案（.xlsx）"},
    "waves_left": {"en": "Waves left, this one included (1: plan all the rest)",
                   "zh": "剩余投放轮数（含本轮；1 为一次用完剩余预算）"},
    "results_kept": {"en": "Results so far: {n} bookings over {waves} wave(s); a new file is the next wave's.",
                     "zh": "已读取的数据：{waves} 轮共 {n} 个合作；新上传的文件计为下一轮。"},
    "pilot_mode": {"en": "The pilot's bookings", "zh": "试投中的合作"},
    "mode_keep": {"en": "keep: book them all again", "zh": "保留：全部续约"},
    "mode_extend": {"en": "extend: book again where the pilot says so", "zh": "择优：按试投结果决定是否续约"},
    "mode_drop": {"en": "drop: never book them again", "zh": "放弃：不再签约"},
    "replan": {"en": "Re-plan the rest of the budget", "zh": "用剩余预算重新规划"},
    "replanned": {"en": "Re-planned after a pilot of {n} bookings (¥{spent:,.0f} spent): expected GMV {after} as the "
                        "pilot taught, against {before} for the plan made without it.",
                  "zh": "已根据 {n} 个试投合作（花费 ¥{spent:,.0f}）重新规划：按试投所学，新方案预估GMV {after}，"
                        "未用试投数据的方案为 {before}。"},
    "changes": {"en": "What changed, and why", "zh": "方案变化及原因"},
    "fit_dist": {"en": "Value of chosen vs rejected pairs", "zh": "入选与未入选组合的价值分布"},
    "network": {"en": "Audience overlap among the creators of a product", "zh": "同一商品达人之间的粉丝重合"},
    "network_product": {"en": "Product", "zh": "商品"},
    "why": {"en": "Why this creator?", "zh": "为什么选这位达人？"},
    "why_creator": {"en": "Creator", "zh": "达人"},
    "why_line": {"en": "**{product}**: style fit {style:.2f} (average {style_avg:.2f}), audience {audience:.2f} "
                       "(average {audience_avg:.2f}), performance {performance:.2f} (average {performance_avg:.2f}); "
                       "ranked {value_rank} of {eligible} eligible creators by value; costs ¥{fee:,.0f}.",
                 "zh": "**{product}**：风格匹配 {style:.2f}（平均 {style_avg:.2f}），人群匹配 {audience:.2f}"
                       "（平均 {audience_avg:.2f}），带货表现 {performance:.2f}（平均 {performance_avg:.2f}）；"
                       "在 {eligible} 位候选达人中价值排名第 {value_rank}；费用 ¥{fee:,.0f}。"},
    "why_pairs": {"en": "**{product}**: value {value:.2f} from your pairs table; costs ¥{fee:,.0f}.",
                  "zh": "**{product}**：价值 {value:.2f}（来自上传的配对表）；费用 ¥{fee:,.0f}。"},
    "no_plan": {"en": "No plan satisfies all the rules.", "zh": "没有方案能同时满足所有规则。"},
    "empty_plan": {"en": "The best plan books no one.", "zh": "最优方案没有签约任何达人。"},
    "no_plan_help": {"en": "What conflicts, and what to relax:", "zh": "冲突原因及建议放宽的规则："},
    "downloads": {"en": "Downloads", "zh": "下载"},
    "dl_csv": {"en": "Plan (.csv)", "zh": "方案（.csv）"},
    "dl_xlsx": {"en": "Plan (.xlsx)", "zh": "方案（.xlsx）"},
    "dl_json": {"en": "Summary (.json)", "zh": "摘要（.json）"},
    "error_generic": {"en": "Something went wrong on our side; please try again. The details are in the server "
                            "log.", "zh": "服务器出了点问题，请重试；详细信息已记录在服务器日志中。"},
    "toml_ignored": {"en": "Not taken from the file (the server decides these): {keys}",
                     "zh": "以下设置由服务器决定，未从文件读取：{keys}"},
    "toml_not_utf8": {"en": "{file} is not UTF-8 text; save the campaign file as UTF-8.",
                      "zh": "{file} 不是 UTF-8 文本，请将配置文件另存为 UTF-8 编码。"},
    "stale": {"en": "The inputs or the campaign changed since this plan: press Optimize again.",
              "zh": "数据或规则已修改，请重新点击“开始优化”。"},
    "change": {"en": "5. Change the plan", "zh": "5. 调整方案"},
    "change_help": {"en": "A creator declined, the brand insists on one, the budget moved: tick bookings to lock and "
                          "creators to lock (for any product) or ban, then re-plan. The new plan stays close to this "
                          "one: each changed booking costs the penalty below.",
                    "zh": "达人拒绝合作、品牌指定达人或预算变化时：勾选要锁定的合作、要锁定（任一商品）或排除的达人，"
                          "然后重新规划。新方案会尽量接近当前方案：每改变一个合作，扣除下面的调整代价。"},
    "tick_plan": {"en": "The plan: lock a booking, or ban its creator (declined)",
                  "zh": "当前方案：锁定合作，或排除该达人（已拒绝）"},
    "tick_creators": {"en": "Creators: lock (for any product) or ban", "zh": "达人：锁定（任一商品）或排除"},
    "tick_lock": {"en": "lock", "zh": "锁定"},
    "tick_ban": {"en": "ban", "zh": "排除"},
    "ticked": {"en": "{locks} lock(s), {bans} ban(s) ticked", "zh": "已勾选 {locks} 个锁定、{bans} 个排除"},
    "change_penalty": {"en": "Cost of each changed booking (in the objective's units)",
                       "zh": "每个合作变动的代价（目标值单位）"},
    "replan_close": {"en": "Re-plan close to this plan", "zh": "在当前方案基础上重新规划"},
    "replanned_close": {"en": "Re-planned: {kept} of {previous_bookings} bookings kept, {added} added, {dropped} "
                              "dropped (each change cost {penalty:.4g}).",
                        "zh": "已重新规划：{previous_bookings} 个合作中保留 {kept} 个，新增 {added} 个，"
                              "移除 {dropped} 个（每个变动代价 {penalty:.4g}）。"},
    "category_inference": {"en": "Style also from the category each text speaks of",
                           "zh": "风格匹配也参考文本推断的类目"},
    "category_inference_help": {"en": "Each bio and product text's likely category among the products' categories "
                                      "(zero-shot); measured: per-creator AUC +0.019 on the sample (docs, "
                                      "\"Evaluation\").",
                                "zh": "根据简介和商品文本推断其最可能的商品类目（零样本）；"
                                      "实测：示例数据每位达人的 AUC 提高 0.019。"},
    "category_prototypes": {"en": "Style also from the catalogue's other products of the category",
                            "zh": "风格匹配也参考同类目的其他商品"},
    "category_prototypes_help": {"en": "A creator's closeness to the mean of the catalogue's products in the "
                                       "product's category (a product alone in its category has none); measured: "
                                       "per-creator AUC +0.010 on the sample.",
                                 "zh": "达人与目录中同类目商品的平均文本的接近程度（类目中只有这一个商品时不计）；"
                                       "实测：示例数据每位达人的 AUC 提高 0.010。"},
    "whatif": {"en": "6. What if", "zh": "6. 假设分析"},
    "whatif_help": {"en": "On this campaign as prepared (nothing is embedded or scored again): the best plan at other "
                          "budgets, and what each rule costs. Click a point of the chart to see its plan.",
                    "zh": "基于已准备好的数据（不重新计算向量和评分）：不同预算下的最优方案，以及每条规则的代价。"
                          "点击图中的点查看对应方案。"},
    "whatif_shares": {"en": "Budgets, as multiples of the budget", "zh": "预算（当前预算的倍数）"},
    "whatif_seconds": {"en": "Seconds per point", "zh": "每个点的求解时间（秒）"},
    "whatif_budget": {"en": "Sweep the budget", "zh": "比较不同预算"},
    "whatif_overlap": {"en": "Sweep the overlap threshold", "zh": "比较不同重合上限"},
    "whatif_thresholds": {"en": "Overlap thresholds (0-1)", "zh": "粉丝重合上限（0-1）"},
    "frontier_overlap": {"en": "The best plan's value at each overlap threshold", "zh": "各重合上限下最优方案的价值"},
    "frontier_pick_overlap": {"en": "The plan at the threshold", "zh": "查看该重合上限下的方案"},
    "history_keep": {"en": "Lock its bookings in the next re-plan", "zh": "在下次重新规划中锁定其全部合作"},
    "history_kept": {"en": "{n} bookings of {run} are ticked to lock: re-plan in section 5.",
                     "zh": "已勾选锁定 {run} 的 {n} 个合作：请在第 5 部分重新规划。"},
    "whatif_rules": {"en": "What each rule costs", "zh": "每条规则的代价"},
    "whatif_bad": {"en": "Not a list of numbers: {value}", "zh": "不是数字列表：{value}"},
    "rule_costs": {"en": "What each rule costs: the value gained with it relaxed",
                   "zh": "规则代价：放宽该规则后价值的提升"},
    "rule_cost": {"en": "value gained when relaxed", "zh": "放宽后价值提升"},
    "frontier": {"en": "The best plan's value at each budget", "zh": "各预算下最优方案的价值"},
    "frontier_pick": {"en": "The plan at the budget", "zh": "查看该预算下的方案"},
    "history": {"en": "7. Run history", "zh": "7. 运行记录"},
    "history_off": {"en": "The run history is switched off on this server.", "zh": "此服务器未开启运行记录。"},
    "history_empty": {"en": "No runs recorded yet.", "zh": "还没有运行记录。"},
    "history_pick": {"en": "Run", "zh": "运行"},
    "history_reopen": {"en": "Reopen this run", "zh": "重新打开此运行"},
    "history_other": {"en": "Compare with", "zh": "对比"},
    "history_diff": {"en": "From {before} to {after}: {added} creator(s) added, {dropped} dropped, {moved} moved.",
                     "zh": "从 {before} 到 {after}：新增 {added} 位达人，移除 {dropped} 位，调整 {moved} 位。"},
    "reopened": {"en": "Run {run}, reopened from the history (its inputs, campaign and plan as recorded).",
                 "zh": "已从运行记录重新打开 {run}（按记录的数据、规则和方案）。"},
}


def t(lang: str, key: str, **values) -> str:
    """The text for key in lang ("en" or "zh"), formatted with values."""
    text = TEXT[key].get(lang) or TEXT[key]["en"]
    return text.format(**values) if values else text


def say(lang: str, text: object) -> str:
    """An engine message (problems.Message) in lang: in Chinese from MESSAGES_ZH, its values said the same way
    (a tuple of messages as a list); other text, and messages without a translation, as they are."""
    if lang != "zh" or not isinstance(text, Message) or text.template not in MESSAGES_ZH:
        return str(text)
    values = {k: "；".join(say(lang, v) for v in value) if isinstance(value, tuple) else
              say(lang, value) if isinstance(value, Message) else
              column(lang, value) if k in COLUMN_PARAMS else value for k, value in text.params.items()}
    return MESSAGES_ZH[text.template].format(**values)


COLUMN_PARAMS = {"column", "low", "high"}  # message values that name a canonical column


def gap(lang: str, value: float) -> str:
    """The gap to the proved bound, or that none was proved (nan)."""
    return t(lang, "gap_unknown") if math.isnan(value) else t(lang, "gap_known", gap=value)


def money(lang: str, value: float) -> str:
    """CNY short enough for a headline figure: ¥899,900; ¥1.20M; ¥119.9万; ¥1.25亿."""
    if value < 1_000_000:
        return f"¥{value:,.0f}"
    if lang == "zh":
        return f"¥{value / 1e8:,.2f}亿" if value >= 1e8 else f"¥{value / 10_000:,.1f}万"
    return f"¥{value / 1_000_000:,.2f}M"


def count(lang: str, value: float) -> str:
    """A large count for people: 25.7M / 2,571.6万 / 1.25亿; below ten thousand as it is."""
    if value < 10_000:
        return f"{value:,.0f}"
    if lang == "zh":  # no thousands separator: 2571.6万 fits a headline card, 2,571.6万 did not
        return f"{value / 1e8:.2f}亿" if value >= 1e8 else f"{value / 10_000:.1f}万"
    return f"{value / 1e6:,.1f}M" if value >= 1e6 else f"{value / 1e3:,.1f}K"


# Column headers, tier names and chart labels in Chinese (English keeps the canonical names).
COLUMNS_ZH = {
    "creator_id": "达人ID", "creator_name": "达人昵称", "tier": "达人层级", "product_id": "商品ID",
    "product_name": "商品名称", "brand": "品牌", "category": "类目", "fee": "费用（元）", "value": "匹配价值",
    "style": "风格匹配", "audience": "人群匹配", "performance": "带货表现", "why": "入选理由",
    "spend": "花费（元）", "bookings": "签约数", "status": "状态", "pairs": "组合数", "followers": "粉丝数",
    "name": "达人", "overlap": "重合度", "file": "文件", "row": "行", "column": "列", "problem": "问题",
    "severity": "级别", "categories": "类目", "booked": "已签约", "fit": "匹配度",
    "bio": "简介", "recent_posts": "近期作品",
    "max_products": "可接商品数", "engagement_rate": "互动率", "avg_views": "平均播放量",
    "completion_rate": "完播率", "expected_cpm": "预期CPM", "audience_female": "女性粉丝占比",
    "audience_age_18_24": "18-24岁占比", "audience_age_25_34": "25-34岁占比", "audience_age_35_plus": "35岁以上占比",
    "audience_region": "粉丝地域", "experience_score": "带货口碑", "mcn": "MCN机构", "description": "商品描述",
    "price": "售价", "min_creators": "最少达人数", "max_creators": "最多达人数", "min_top_kol": "最少头部达人",
    "max_top_kol": "最多头部达人", "budget": "预算", "target_gender": "目标性别", "target_age": "目标年龄",
    "target_region": "目标地域", "creator_a": "达人A", "creator_b": "达人B",
    "pricing": "合作方式", "commission_rate": "佣金率", "rebate": "返点", "margin": "毛利率", "sample_cost": "样品成本",
    "conversion_rate": "转化率", "expected_views": "预估播放量", "expected_orders": "预估订单数",
    "expected_gmv": "预估GMV（元）", "gmv_low": "GMV低值（元）", "gmv_high": "GMV高值（元）", "cash": "现金支出（元）",
    "commission": "预估佣金（元）", "cost": "总成本（元）", "roi": "ROI", "expected_profit": "预估利润（元）",
    "views_from": "播放量来源", "conversion_from": "转化率来源",
    "gmv": "预估GMV（元）", "amount": "金额（元）", "figure": "指标", "change": "变化", "before": "之前",
    "after": "之后", "pilot": "试投表现", "stake": "放量方案投入（元）", "teaches": "测试价值", "learn": "测试目的",
    "lock": "锁定", "ban": "排除", "max_overlap": "重合上限",
    "run_id": "运行编号", "created": "时间（UTC）", "kind": "来源", "campaign": "活动",
    "parent": "基于", "objective_kind": "目标", "objective": "目标值", "gap": "差距", "value_before": "之前价值",
    "value_after": "之后价值",
    "cash_before": "之前花费（元）", "cash_after": "之后花费（元）",
}
# Where a column means something else in another table (a product's name, a product's budget)
TABLE_COLUMNS_ZH = {"creators": {"name": "达人昵称", "categories": "带货类目"},
                    "products": {"name": "商品名称", "category": "商品类目", "budget": "商品预算"},
                    "overlaps": {"overlap": "粉丝重合度"}}
LABELS = {
    "top_kol": {"en": "Top-KOL", "zh": "头部达人"}, "alliance": {"en": "Alliance", "zh": "联盟达人"},
    "chosen": {"en": "chosen", "zh": "入选"}, "rejected": {"en": "rejected", "zh": "未入选"},
    "added": {"en": "added", "zh": "新增"}, "moved": {"en": "moved", "zh": "调整"},
    "dropped": {"en": "dropped", "zh": "移除"}, "kept": {"en": "kept", "zh": "不变"},
    "error": {"en": "error", "zh": "错误"}, "warning": {"en": "warning", "zh": "提醒"},
    # where a booking's views and conversion come from (fit/economics.py: views_from, conversion_from)
    "export": {"en": "export", "zh": "导出数据"}, "followers": {"en": "followers", "zh": "按粉丝数推算"},
    "peers": {"en": "peers", "zh": "同层级估计"}, "none": {"en": "none", "zh": "无数据"},
    "product": {"en": "product", "zh": "商品转化率"}, "category": {"en": "category", "zh": "类目先验"},
    "default": {"en": "default", "zh": "默认先验"}, "pilot": {"en": "pilot", "zh": "试投"},
    "product + history": {"en": "product + history", "zh": "商品 + 达人带货历史"},
    "category + history": {"en": "category + history", "zh": "类目 + 达人带货历史"},
    "default + history": {"en": "default + history", "zh": "默认先验 + 达人带货历史"},
    "pilot category": {"en": "pilot category", "zh": "试投同类目"},
    "pilot overall": {"en": "pilot overall", "zh": "试投整体"},
}


def column(lang: str, name: str, table: str = "") -> str:
    """A column's header in lang: the canonical name in English, its Chinese name (per table) in Chinese."""
    if lang != "zh":
        return name
    return TABLE_COLUMNS_ZH.get(table, {}).get(name) or COLUMNS_ZH.get(name, name)


def label(lang: str, value: object) -> object:
    """A tier, choice or severity value in the language; anything else as it is."""
    return LABELS.get(value, {}).get(lang, value) if isinstance(value, str) else value
