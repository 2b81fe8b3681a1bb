"""The engine's messages in Chinese, keyed by their English template (problems.msg). Each keeps the
template's placeholders; tests/test_i18n.py holds every msg() template in the package to an entry here."""

MESSAGES_ZH: dict[str, str] = {
    "expected a share in 0..1": "应为 0 到 1 之间的比例",
    "the plan maximises the fit score: {n} of {total} products have no price, so expected GMV and profit are unknown (give prices to plan for money)":
        "方案以匹配度为目标：{total} 个商品中有 {n} 个没有价格，预估GMV和利润无从计算（提供价格即可按收益规划）",
    "{n:,} eligible bookings cost more than {share:.0%} of the budget (max_booking_share) and were left out: raise the budget or the share":
        "有 {n:,} 个可选合作的费用超过预算的 {share:.0%}（max_booking_share），未纳入：请提高预算或该比例",
    # cautions on a plan's figures (outcome.cautions)
    "¥{left:,.0f} of the budget is left unspent: no other booking is expected to add profit at these figures; give conversion data or run a pilot, or maximise expected GMV to spend it":
        "预算中还有 ¥{left:,.0f} 未花出：按当前数据，再签任何合作都预计无法增加利润；请提供转化数据或先做小流量测试，或改以预估GMV为目标来花完预算",
    "the plan is expected to lose money: expected GMV ¥{gmv:,.0f} for a cost of ¥{cost:,.0f} (ROI {roi:.2f}); set a minimum ROI of 1 (min_roi) or maximise expected profit to keep only bookings expected to pay back":
        "该方案预计亏损：预估GMV ¥{gmv:,.0f}，成本 ¥{cost:,.0f}（ROI {roi:.2f}）；可将预估ROI下限设为 1（min_roi），或以预估利润为优化目标，只保留预计能回本的合作",
    "{n} of {total} bookings are expected to return less than they cost (¥{spend:,.0f} of spend)":
        "{total} 个合作中有 {n} 个预计收回不了成本（花费 ¥{spend:,.0f}）",
    "one booking ({creator} for {product}) takes {share:.0%} of the spend: the campaign's result rides on it":
        "单个合作（{creator} 推广 {product}）占总花费的 {share:.0%}：整个投放的结果系于这一个合作",
    "{n} bookings are of creators with no views or followers in the export: their views are their tier's lower quartile, a stand-in with a wide range, not data":
        "{n} 个合作的达人在导出数据中没有播放量或粉丝数：其播放量取同层级达人的下四分位数，只是区间很宽的估计，并非数据",
    "the conversion of {n} of {total} bookings is the default prior ({rate:.2%} of views become orders), not data: give products a conversion rate, the campaign a [conversion] table by category, or run a pilot":
        "{total} 个合作中有 {n} 个的转化率是默认先验（{rate:.2%} 的播放转化为订单），并非数据：请为商品提供转化率、在方案中按类目填写 [conversion] 表，或先做小流量测试",
    "the conversion of {n} of {total} bookings is the default prior ({rate:.2%} of views become orders) moved by each creator's sales history against its peers: the level is still the default's; give products a conversion rate or run a pilot":
        "{total} 个合作中有 {n} 个的转化率是默认先验（{rate:.2%} 的播放转化为订单），再按达人相对同层级达人的带货历史调整：整体水平仍是默认值；请为商品提供转化率，或先做小流量测试",
    "audience overlaps are estimated from categories and audience shares, not measured: {n:,} creator pairs were kept apart on the estimate":
        "粉丝重合度是根据类目和粉丝画像估算的，并非实测：按此估算有 {n:,} 对达人未被安排推广同一商品",
    "no booking is expected to pay back, so the plan maximising expected profit books no one: the best booking ({creator} for {product}) is expected to bring ¥{gmv:,.0f} of GMV for ¥{cost:,.0f} (profit ¥{profit:,.0f}); its conversion is {rate:.3%} of views from {source}. Give products a conversion rate or margin, a [conversion] table by category, or run a pilot; or maximise fit or GMV":
        "没有任何合作预计能回本，因此以预估利润为目标的方案一个都不签：最好的合作（{creator} 推广 {product}）预计带来 GMV ¥{gmv:,.0f}，成本 ¥{cost:,.0f}（利润 ¥{profit:,.0f}）；其转化率为播放的 {rate:.3%}，来源：{source}。请为商品提供转化率或毛利率、按类目填写 [conversion] 表，或先做小流量测试；也可改为以匹配度或GMV为目标",
    # pilots, waves and results (lifecycle/pilot.py, lifecycle/replan.py, inputs/validate.py)
    "expected a date such as 2026-12-07": "应为日期，例如 2026-12-07",
    "expected a date such as 2026-11-20": "应为日期，例如 2026-11-20",
    "expected 1 or more": "应为 1 或更大的整数",
    "expected a share in (0, 1]": "应为大于 0、不超过 1 的比例",
    ", on {date} or later": "，即 {date} 或之后",
    "read before its orders settled (refunds come in for about {days} days): read it again at T+{days}{ready}, or lower the maturity if it is final":
        "读取时订单尚未结算（退款约在 {days} 天内陆续发生）：请在 T+{days}{ready}重新读取；如数据已是最终结果，可调低成熟天数",
    "tests {category}: the scale-up would pay this creator {stake:,.0f}; this booking costs {cash:,.0f} and should bring about {orders:,.0f} orders":
        "测试 {category}：放量方案将付给该达人 {stake:,.0f}；本次合作花费 {cash:,.0f}，预计带来约 {orders:,.0f} 单",
    "tests that teach more used the pilot's budget; the scale-up's {stake:,.0f} on it rests on the prior":
        "试投预算已用于信息价值更高的测试；放量方案在该达人上的 {stake:,.0f} 仍仅基于先验",
    "its cheapest booking ({cash:,.0f}) is more than the pilot's budget: the scale-up's {stake:,.0f} on it rests on the prior":
        "其最便宜的合作（{cash:,.0f}）超过试投预算：放量方案在该达人上的 {stake:,.0f} 仍仅基于先验",
    "wave plan: {budget:,.0f} of the {left:,.0f} left ({waves} waves to go); read this wave's results, then plan the next with every result so far":
        "分轮投放：本轮花费剩余 {left:,.0f} 中的 {budget:,.0f}（还剩 {waves} 轮）；读取本轮数据后，再用迄今全部数据规划下一轮",
    "this wave cannot meet the products' minimums; a later wave will":
        "本轮无法满足各商品的最低达人数，将在后续轮次满足",
    # reading files (io)
    "file not found": "找不到文件",
    "unsupported file type; expected one of {types}": "不支持的文件类型；应为 {types} 之一",
    "has no sheets (only a workbook has; --sheet is for .xlsx files)":
        "没有工作表（只有 Excel 工作簿才有；--sheet 仅用于 .xlsx 文件）",
    "is too large to read in this machine's memory; split the file": "文件过大，本机内存无法读取；请拆分文件",
    "could not be read as a {suffix} table ({error})": "无法作为 {suffix} 表格读取（{error}）",
    "blank rows skipped: rows {rows}": "已跳过空行：第 {rows} 行",
    "has no sheet of this name; its sheets are {sheets}": "没有这个名称的工作表；工作簿中的工作表为 {sheets}",
    "read sheet '{sheet}', the one that looks like the table (the workbook has {sheets}); choose another with "
    "--sheet": "已读取最像数据表的工作表“{sheet}”（工作簿中有 {sheets}）；可另行选择工作表",
    "the header is on row {row}; the {skipped} row(s) above it (a title or notes) were skipped":
        "表头在第 {row} 行；已跳过其上方的 {skipped} 行（标题或说明）",
    "is a binary file, not a text table (CSV); export it as CSV or .xlsx":
        "这是二进制文件，不是文本表格（CSV）；请导出为 CSV 或 .xlsx",
    "text encoding not recognised ({found}); {resave}": "无法识别文本编码（{found}）；{resave}",
    "it looks like {encoding}, but decodes into garbled text": "看起来是 {encoding}，但解码后是乱码",
    "it is none of UTF-8, GBK/GB18030, Big5, Shift-JIS, Windows-1252 or UTF-16":
        "不是 UTF-8、GBK/GB18030、Big5、Shift-JIS、Windows-1252 或 UTF-16 中的任何一种",
    "is not valid {encoding} text (byte {byte}); {resave}": "不是有效的 {encoding} 文本（第 {byte} 字节）；{resave}",
    "re-save it as UTF-8 (Excel: File > Save As > CSV UTF-8; WPS: 另存为 CSV UTF-8)":
        "请另存为 UTF-8 编码（Excel：文件 > 另存为 > CSV UTF-8；WPS：另存为 CSV UTF-8）",
    "has no columns; expected a header row": "没有任何列；应有一行表头",
    "{what} ({found:,.0f}) is above the limit of {limit:,}; split the file, or raise the limit with the "
    "environment variable {variable}": "{what}（{found:,.0f}）超过上限 {limit:,}；请拆分文件，或用环境变量 {variable} 提高上限",
    "expected a whole number >= 1": "应为不小于 1 的整数",
    "the file's size in MB": "文件大小（MB）",
    "the workbook's unpacked size in MB": "工作簿解压后的大小（MB）",
    "the table's unpacked size in MB": "表格解压后的大小（MB）",
    "the number of rows": "行数",
    "the number of lines": "行数",
    "the number of columns": "列数",
    "the cell's length in characters": "单元格字符数",
    # cells and tables (inputs)
    "expected a number": "应为数字",
    "expected a finite number": "应为有限的数字",
    "expected a finite number; this one is too large to be a real figure": "应为有限的数字；这个数大得不像真实数据",
    "expected a number such as 12000, 1.2万, 3.5w, 48.5M, ¥5,000 or 3.2%":
        "应为数字，例如 12000、1.2万、3.5w、48.5M、¥5,000 或 3.2%",
    "expected a share between 0 and 1 (or 0% to 100%)": "应为 0 到 1 之间的比例（或 0% 到 100%）",
    "expected a whole number": "应为整数",
    "no plan was found among the pool of the best {pool:,} of {total:,} eligible pairs searched on this very large "
    "campaign; the per-product minimums may need pairs outside it: relax the minimums or the overlap limit, or "
    "narrow the creator list":
        "在这个超大投放中，只在 {total:,} 个可选组合里最好的 {pool:,} 个中搜索，没有找到方案；各商品的最少达人数可能需要池外的组合：请放宽最少达人数或重合度上限，或缩小达人名单",
    "unknown pricing; expected one of {choices} (一口价, 纯佣, 坑位费+佣金)":
        "无法识别的合作方式；应为 {choices} 之一（一口价、纯佣、坑位费+佣金）",
    "expected a table of category = orders per view (0.002)": "应为“类目 = 每次播放的订单数（如 0.002）”的表",
    "expected orders per view, a number in 0..1": "应为每次播放的订单数，0 到 1 之间的数",
    "unknown tier; expected one of {tiers} (or 头部/肩部/腰部/尾部/素人, KOL/KOC), or add it to the campaign's "
    "[tiers] table": "无法识别的达人层级；应为 {tiers}（或 头部/肩部/腰部/尾部/素人、KOL/KOC），或在投放设置的 [tiers] 表中添加",
    "missing required column '{column}' (recognised headers: {aliases}); the file has: {headers}":
        "缺少必填列“{column}”（可识别的表头：{aliases}）；文件中的列为：{headers}",
    "missing required column '{column}' (recognised headers: {aliases}); the file has: {headers}. If one of them is "
    "it, name it in [columns.{table}] (--column {table}:HEADER={key})":
        "缺少必填列“{column}”（可识别的表头：{aliases}）；文件中的列为：{headers}。如果其中某列就是它，请在 "
        "投放设置的 [columns.{table}] 中写明 表头 = \"{key}\"",
    "a total row, not a record: skipped": "合计行，不是数据记录：已跳过",
    "a range: read as its middle (the geometric mean of its ends)": "区间值：取其中间值（两端的几何平均）",
    "a range: read as its upper end, the most it may cost": "这是一个区间：按上限读取，即最多可能花费的金额",
    "a range: read as its lower end, the least it may sell for": "这是一个区间：按下限读取，即最低可能的售价",
    "must be >= 0": "不能为负数",
    "must be at most {limit:,.0f}": "不能超过 {limit:,.0f}",
    "'{column}' is required and is blank": "“{column}”为必填项，但为空",
    "duplicate {column}; first seen in row {first}": "{column} 重复；首次出现在第 {first} 行",
    "campaign.fee_quote matches no column; the quote columns are {quotes}":
        "campaign.fee_quote 没有匹配到任何列；报价列为 {quotes}",
    "the fee is the quote '{fee}'; to use another ({others}), set campaign.fee_quote":
        "费用取自报价“{fee}”；如需使用其他报价（{others}），请设置 campaign.fee_quote",
    "no fee (quote): this creator cannot be booked": "没有报价：该达人无法签约",
    "no category: this creator cannot match any product": "没有类目：该达人无法匹配任何商品",
    "blank bio: style fit is neutral for this creator": "简介为空：该达人的风格匹配按中性计",
    "an amount in another currency than CNY: read as it is, not converted; the budget and every amount must be in "
    "one currency (matchmaker shows ¥)":
        "金额不是人民币：按原数读取，不做汇率换算；预算与所有金额须为同一币种（matchmaker 显示为 ¥）",
    "{rows} rows for {creators} creators, a row per post: each creator's posts and bios are joined":
        "{rows} 行对应 {creators} 位达人（每行一条作品）：每位达人的作品与简介已合并",
    "{n} creators' posts run past {limit:,} characters joined (the cell limit, MATCHMAKER_MAX_CELL_CHARS): "
    "their first posts are read, the rest left out":
        "{n} 位达人的作品合并后超过 {limit:,} 个字符（单元格上限，MATCHMAKER_MAX_CELL_CHARS）：只读取前面的作品，其余未读",
    "column '{header}' read as recent_posts: its cells are text, not a count of posts":
        "列“{header}”按近期作品（recent_posts）读取：其内容是文字，不是作品数",
    "zero followers": "粉丝数为 0",
    "max_products is 0: this creator takes no product": "可接商品数为 0：该达人不接任何商品",
    "the age-band shares add up to more than 100%": "各年龄段占比之和超过 100%",
    "blank tier and no followers; expected top_kol or alliance (taken as alliance)":
        "达人层级为空且没有粉丝数；应为头部达人或联盟达人（按联盟达人处理）",
    "expected female, male or all (女/男/不限)": "应为 女、男 或 不限（female/male/all）",
    "expected age bands among 18-24, 25-34, 35+ (separated by ;)": "应为 18-24、25-34、35+ 中的年龄段（用 ; 分隔）",
    "{product}: {low} is above {high} ({limit})": "{product}：{low} 大于 {high}（{limit}）",
    "no category: no creator can be matched to this product": "没有类目：没有达人能匹配该商品",
    "blank brand": "品牌为空",
    "blank description and name: style fit is neutral": "商品描述和名称均为空：风格匹配按中性计",
    "no creator with this id in the creators table": "达人名单中没有这个ID",
    "no product with this id in the products table": "商品清单中没有这个ID",
    "a creator's overlap with itself": "达人与自身的重合度",
    "listed twice; first in row {first}": "重复列出；首次出现在第 {first} 行",
    "the creators table has no rows": "达人名单没有数据行",
    "the products table has no rows": "商品清单没有数据行",
    "{product}: expected a whole number >= 0": "{product}：应为不小于 0 的整数",
    "no {table} file given (--{table} or [inputs] {table})": "未提供 {table} 文件（--{table} 或 [inputs] {table}）",
    # the campaign file (config)
    "true or false": "true 或 false",
    "a whole number such as 2": "整数，例如 2",
    "a number": "数字",
    "text in quotes": "带引号的文本",
    "expected {expected}, got {type}": "应为 {expected}，实际为 {type}",
    "in {range}": "在 {range} 范围内",
    "in {range} seconds": "在 {range} 秒范围内",
    "one of {choices}": "为 {choices} 之一",
    "positive in sum with w_audience and w_performance": "与 w_audience、w_performance 之和为正数",
    "must be {expected}": "应{expected}",
    "{key} must be {expected}, got {value}": "{key} 应{expected}，实际为 {value}",
    "{key}: {problem}": "{key}：{problem}",
    'expected a table of category = ["creator category", ...]': '应为类目表：商品类目 = ["达人类目", ...]',
    "expected a list of category names in quotes": "应为带引号的类目名称列表",
    'expected a table of label = "top_kol"': '应为层级表：标签 = "top_kol"',
    "expected one of {choices}": "应为 {choices} 之一",
    "unknown section; expected one of {choices}": "未知的设置分区；应为 {choices} 之一",
    "unknown key; expected one of {choices}": "未知的设置项；应为 {choices} 之一",
    'expected tables such as [columns.creators] of "header" = "column"':
        '应为 [columns.creators] 这样的表，每项为 "表头" = "列名"',
    "unknown table; expected one of {choices}": "未知的表；应为 {choices} 之一",
    "read from '{header}'; the file's {others} could also be it (not read; to read another, name it in "
    "[columns.{table}])": "读取自“{header}”；文件中的 {others} 也可能是这一列（未读取；如需读取另一列，请在投放设置的 "
                          "[columns.{table}] 中写明）",
    "two headers are mapped to the column {column}; a column is read from one header":
        "有两个表头都对应到列 {column}；一列只能从一个表头读取",
    "expected a whole number >= 0": "应为不小于 0 的整数",
    "expected a number of days > 0": "应为大于 0 的天数",
    "say which runs go: --keep N (the newest N stay), --older-than DAYS, or both":
        "请指明删除哪些运行记录：--keep N（保留最新的 N 条）、--older-than 天数，或两者同时使用",
    "expected TABLE:HEADER=COLUMN, such as creators:Niche=categories":
        "应为 表:表头=列名 的形式，例如 creators:领域=categories",
    "[columns.{table}] maps '{header}' to '{name}', which is not a column of this table; expected one of "
    "{choices}": "[columns.{table}] 把“{header}”对应到“{name}”，但这张表没有这一列；应为 {choices} 之一",
    "[columns.{table}] names the header '{header}', which this file does not have; it has: {headers}":
        "[columns.{table}] 指定的表头“{header}”在此文件中不存在；文件中的表头为：{headers}",
    "config file not found": "找不到设置文件",
    "is not UTF-8 text: {error}": "不是 UTF-8 文本：{error}",
    "is not valid TOML: {error}": "不是有效的 TOML：{error}",
    "must be in (0, {limit:g}] seconds on this server": "在本服务器上应在 (0, {limit:g}] 秒范围内",
    # fit: categories and past collaborations
    "product {product} (no category): no eligible creator": "商品 {product}（无类目）：没有符合条件的达人",
    "product {product} (category '{category}'): no eligible creator; the closest creator categories are "
    '{closest}: map them in [categories], e.g. "{category}" = ["{first}"]':
        "商品 {product}（类目“{category}”）：没有符合条件的达人；最接近的达人类目为 {closest}：请在类目映射"
        '（[categories]）中添加，例如 "{category}" = ["{first}"]',
    "product {product} (category '{category}'): no eligible creator; no creator category is close to it":
        "商品 {product}（类目“{category}”）：没有符合条件的达人；没有与之接近的达人类目",
    "product {product} (category '{category}'): no eligible creator; creators of this category exist, but none "
    "can be booked (no fee, max_products 0, or below the minimum experience)":
        "商品 {product}（类目“{category}”）：没有符合条件的达人；该类目有达人，但都无法签约（没有报价、可接商品数为 0，或带货口碑低于最低要求）",
    "no such id in the inputs": "输入数据中没有这个ID",
    "needs at least 2 collaborations with texts": "至少需要 2 条带文本的合作记录",
    # why there is no plan (plan.explain, pipeline)
    "product {product}: min {need} creators, but only {found} eligible creator(s) (category, experience and "
    "capacity rules)": "商品 {product}：至少需要 {need} 位达人，但只有 {found} 位符合条件（类目、带货口碑和可接商品数规则）",
    "product {product}: min {need} Top-KOLs, but only {found} eligible Top-KOL(s)":
        "商品 {product}：至少需要 {need} 位头部达人，但只有 {found} 位符合条件",
    "product {product}: its minimum creators cost at least {cost}, above its own budget of {budget}":
        "商品 {product}：最少所需达人的费用至少为 {cost}，超过该商品自身的预算 {budget}",
    "the products' minimum creators cost at least {cost} together, above the total budget of {budget}":
        "各商品最少所需达人的费用合计至少为 {cost}，超过总预算 {budget}",
    "the total budget of {budget}": "总预算 {budget}",
    "each creator's max products": "每位达人的可接商品数上限",
    "Top-KOLs at most {share:.0%} of the spend": "头部达人花费不超过总花费的 {share:.0%}",
    "no two creators with overlapping audiences on one product": "同一商品不签粉丝重合度过高的两位达人",
    "one brand per category for each creator": "每位达人在每个类目只服务一个品牌",
    "product {product}: its budget of {budget}": "商品 {product}：其预算 {budget}",
    "product {product}: at least {n} creators": "商品 {product}：至少 {n} 位达人",
    "product {product}: at most {n} creators": "商品 {product}：至多 {n} 位达人",
    "product {product}: at least {n} Top-KOLs": "商品 {product}：至少 {n} 位头部达人",
    "product {product}: at most {n} Top-KOLs": "商品 {product}：至多 {n} 位头部达人",
    "raise the budget": "提高预算",
    "raise that product's budget": "提高该商品的预算",
    "let creators take more products": "允许达人接更多商品",
    "lower the minimum creators": "降低最少达人数",
    "raise the maximum creators": "提高最多达人数",
    "lower the minimum Top-KOLs": "降低最少头部达人数",
    "raise the maximum Top-KOLs": "提高最多头部达人数",
    "raise the Top-KOL share cap": "提高头部达人花费占比上限",
    "raise max_overlap": "提高最大粉丝重合度",
    "turn off exclusivity": "关闭类目独占",
    "these rules cannot all hold together: {rules}. To find a plan, do one of: {fixes}.":
        "以下规则无法同时满足：{rules}。要得到方案，可以：{fixes}。",
    "no plan satisfies all the rules together (no smaller set of conflicting rules was found in time); try "
    "relaxing the budget or the per-product minimums":
        "没有方案能同时满足所有规则（在时限内未找到更小的冲突规则组合）；请尝试放宽预算或各商品的最低要求",
    "the budget of ¥{budget:,.0f} is below the cheapest eligible creator's fee (¥{fee:,.0f}): raise the budget":
        "预算 ¥{budget:,.0f} 低于最便宜的符合条件达人的费用（¥{fee:,.0f}）：请提高预算",
    "every eligible booking breaks a rule (a product's budget or maximums, the Top-KOL share cap, overlaps or "
    "exclusivity): relax them": "每个符合条件的签约都会违反某条规则（商品预算或上限、头部达人花费占比、粉丝重合或类目独占）：请放宽这些规则",
    "no creator may promote any product (categories, experience and capacity rules)":
        "没有任何达人可以推广任何商品（类目、带货口碑和可接商品数规则）",
    "the solver rejected the model, so no plan could be searched for: a fee or budget is too large for it; "
    "check the largest numbers in the inputs": "求解器拒绝了模型，无法搜索方案：某个费用或预算过大；请检查输入中最大的数字",
    "the search was interrupted before any plan was found": "在找到任何方案之前搜索已被中断",
    "no plan was found within the time limit of {limit:g} s and the greedy plan misses a minimum; the rules may "
    "still be satisfiable: raise the time limit, or relax the per-product minimums":
        "在 {limit:g} 秒时限内未找到方案，贪心方案未达到某项最低要求；规则仍可能可以满足：请提高求解时限，或放宽各商品的最低要求",
    # fit/engine.py
    'the Ray engine needs the optional extra: pip install "matchmaker[ray]" (or choose engine.kind = "local")':
        'Ray 引擎需要安装可选组件：pip install "matchmaker[ray]"（或设置 engine.kind = "local"）',
    "could not join Ray at this address ({error})": "无法连接到该地址的 Ray 集群（{error}）",
    "0..1000 (0: no floor)": "0..1000（0：不设下限）",
    "0..{top} (0: no cap)": "0..{top}（0：不设上限）",
    "an expected ROI of at least {roi:g}": "预期 ROI 至少为 {roi:g}",
    "an expected CPM of at most {cpm}": "预期 CPM 不超过 {cpm}",
    "expected commission of at most {cap}": "预期佣金不超过 {cap}",
    "lower the ROI floor (min_roi)": "降低 ROI 下限（min_roi）",
    "raise the CPM ceiling (max_cpm)": "提高 CPM 上限（max_cpm）",
    "raise the commission cap (max_commission)": "提高佣金上限（max_commission）",
    "the products' own budgets": "各商品自身的预算",
    "the products' minimum creators": "各商品的最少达人数",
    "the products' maximum creators": "各商品的最多达人数",
    "the products' minimum Top-KOLs": "各商品的最少头部达人数",
    "the products' maximum Top-KOLs": "各商品的最多头部达人数",
    "{creator} is locked for {product}, but that pair is not eligible (categories, experience, capacity, a missing quote, or a ban)":
        "{creator} 被锁定推广 {product}，但该组合不符合条件（类目、经验、可接商品数、缺少报价或已被排除）",
    "the {n} locked booking(s)": "{n} 个锁定的合作",
    "unlock some bookings": "解除部分锁定的合作",
    "the fit objective does not use what the pilot taught about sales; choose the gmv, profit or reach objective to plan by it":
        "匹配度目标不使用试投学到的销售信息；请选择 gmv、profit 或 reach 目标以据此规划",
    "{n} pilot booking(s) are not eligible pairs of this campaign; their results still teach, at a fit of 0.5":
        "{n} 个试投合作不是本次活动的合格组合；其结果仍按匹配度 0.5 参与学习",
    "expected creator_id:product_id, or a creator_id for any product": "应为 达人ID:商品ID，或只写达人ID（任一商品）",
    "this creator is also locked": "该达人同时被锁定",
    'expected a table of price band = multiplier ("0-100" = 1.3)': '应为“价格区间 = 倍数”的表（"0-100" = 1.3）',
    'expected a band of CNY such as "0-100" or "300+"': '应为价格区间（元），如 "0-100" 或 "300+"',
    "expected a multiplier in 0..100": "应为 0..100 之间的倍数",
    "reach: with {n:,} bookable creators (above {cap:,}) the audiences they share below max_overlap are counted twice; only those above it are kept apart":
        "覆盖目标：可签约达人 {n:,} 位（超过 {cap:,}），重合度低于 max_overlap 的粉丝会被重复计算；只有高于该值的达人不会同时推广一个商品",
    "booked for {products}": "签约推广 {products}",
    "not booked": "未签约",
    "{observed:.2%} conversion in the pilot against {prior:.2%} expected ({orders:,.0f} orders from {views:,.0f} views)":
        "试投转化率 {observed:.2%}，预估为 {prior:.2%}（{views:,.0f} 次播放带来 {orders:,.0f} 单）",
    "{creator}: {pilot}; now {booked} (before: {before})": "{creator}：{pilot}；现{booked}（之前：{before}）",
    "{creator}: {pilot}; now {booked}": "{creator}：{pilot}；现{booked}",
    "{category} creators": "{category}类达人",
    "the pilot": "整体试投",
    "{creator}: not in the pilot; {like} converted {factor:.2f}x the prior; now {booked} (before: {before})":
        "{creator}：未参与试投；{like}的转化为预估的 {factor:.2f} 倍；现{booked}（之前：{before}）",
    "{creator}: not in the pilot; {like} converted {factor:.2f}x the prior; now {booked}":
        "{creator}：未参与试投；{like}的转化为预估的 {factor:.2f} 倍；现{booked}",
    # run history, plan diffs, what-if, locks and bans
    "nothing to sweep: give --budgets, --thresholds or --rules": "没有要比较的方案：请给出 --budgets、--thresholds 或 --rules",
    "expected a number 0 or more": "应为 0 或更大的数",
    "needs the run store; it is switched off (--store \"\" or MATCHMAKER_STORE)":
        "需要运行记录库；它已关闭（--store \"\" 或 MATCHMAKER_STORE）",
    "expected numbers separated by commas": "应为以逗号分隔的数字",
    "expected 0..{top:g}": "应在 0..{top:g} 之间",
    "{reasons}": "{reasons}",
    "banned": "已排除",
    "locked to {products}": "锁定投放 {products}",
    "no longer locked": "不再锁定",
    "settings changed: {keys}": "设置已改：{keys}",
    "the budget went from ¥{before:,.0f} to ¥{after:,.0f}": "预算从 ¥{before:,.0f} 改为 ¥{after:,.0f}",
    "before: value {value:,.3f} for ¥{cash:,.0f} ({per} per ¥1,000)":
        "之前：价值 {value:,.3f}，花费 ¥{cash:,.0f}（每千元 {per}）",
    "now: value {value:,.3f} for ¥{cash:,.0f} ({per} per ¥1,000)":
        "现在：价值 {value:,.3f}，花费 ¥{cash:,.0f}（每千元 {per}）",
    "expected lock (锁定) or ban (排除)": "应为 锁定（lock）或 排除（ban）",
    "{creator} is locked (for any product), but no product is eligible for it (categories, experience, capacity, "
    "a missing quote, or a ban)": "{creator} 已锁定（任一商品），但没有商品对其符合条件（类目、经验、档期、缺少报价或已排除）",
    "no run with this id in the store {store} (matchmaker runs list shows them)":
        "记录库 {store} 中没有这个运行编号（matchmaker runs list 可列出全部）",
    "more than one run starts with this; give more of the id": "有多个运行编号以此开头；请写出更长的编号",
    # the HTTP API
    "not a setting a request may change; expected one of {choices}": "请求不能修改这个设置；可改的有 {choices}",
    "no API key: set MATCHMAKER_API_KEYS (or [server] api_keys), or allow requests from this machine only with "
    "--allow-local": "没有 API 密钥：请设置 MATCHMAKER_API_KEYS（或 [server] api_keys），或用 --allow-local 只允许本机访问",
    "the API needs the run store; it is switched off": "API 需要运行记录库；它已关闭",
    "no upload with this id (upload the file first, to /uploads)": "没有这个上传编号（请先上传文件到 /uploads）",
    "nothing to sweep: give budgets, thresholds or rules": "没有要比较的方案：请给出 budgets、thresholds 或 rules",
    "without API keys the server listens only on this machine (127.0.0.1); set MATCHMAKER_API_KEYS or [server] "
    "api_keys to serve other machines": "没有 API 密钥时服务只监听本机（127.0.0.1）；要服务其他机器，请设置 "
    "MATCHMAKER_API_KEYS 或 [server] api_keys",
    # the learned fit model
    "needs at least 5 good matches (past collaborations, or pilot bookings that converted at least at the median) "
    "that are eligible pairs, by at least 4 creators, and some that are not (found {n} by {k})":
        "至少需要 4 位达人的 5 个好的匹配（过往合作，或转化率不低于中位数的试投合作，且为符合条件的组合），"
        "以及一些不好的（现有 {k} 位达人的 {n} 个）",
    "train-fit needs --history (or, with --kind linear, --results)":
        "train-fit 需要 --history（或在 --kind linear 时用 --results）",
    "is not a JSON document: {error}": "不是 JSON 文件：{error}",
    "expected a fit model written by matchmaker train-fit --kind linear":
        "应为 matchmaker train-fit --kind linear 写出的匹配模型",
    # eval-fit
    "no creator has both a matching and a non-matching product ({n} of {total} pairs match by category), so a fit "
    "score cannot be measured; expected the creators' categories to be the products' (or a [categories] map "
    "between them)": "没有哪位达人既有类目匹配的商品又有不匹配的商品（{total} 个组合中 {n} 个按类目匹配），无法衡量匹配分；"
    "达人的类目应与商品类目一致（或在 [categories] 中写出两者的对应）",
}
