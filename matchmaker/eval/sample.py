"""The bundled bilingual sample campaign, made reproducibly: `python -m matchmaker.eval.sample data/`.

Fictional creators (Chinese and English bios written the way creators describe themselves, CNY fees,
audience profiles, both tiers, 9 categories) and fictional products of several brands. The creator
file is written the way a Chinese marketplace exports it: Chinese headers, numbers such as "12.3w",
"¥5,000" and "3.2%", categories joined with 、 or /. Everything is drawn from one seeded generator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261122
CATEGORIES = {  # Chinese name -> (English name, female share range, Chinese fragments, English fragments)
    "美妆": ("Beauty", (0.80, 0.97), ["日常妆容分享", "平价彩妆测评", "口红试色", "新手化妆教程", "眼妆博主",
                                     "底妆持妆实测", "国货彩妆爱好者"],
           ["everyday makeup looks", "drugstore makeup reviews", "lipstick swatches",
            "beginner makeup tutorials", "long-wear foundation tests"]),
    "护肤": ("Skincare", (0.75, 0.95), ["敏感肌护肤心得", "成分党", "油皮控油", "抗老精华测评", "早C晚A",
                                       "皮肤科知识科普", "换季修护"],
           ["sensitive skin routines", "ingredient-first skincare", "anti-aging serum reviews",
            "dermatologist tips", "barrier repair"]),
    "服饰": ("Fashion", (0.55, 0.90), ["小个子穿搭", "通勤穿搭", "微胖女生显瘦搭配", "男装潮牌", "汉服日常",
                                      "一周穿搭不重样", "街头风"],
           ["petite outfit ideas", "office wear", "streetwear drops", "capsule wardrobe",
            "plus-size styling"]),
    "食品": ("Food", (0.45, 0.75), ["探店美食", "家常菜教程", "零食测评", "减脂餐", "烘焙日记", "地方特产",
                                   "咖啡爱好者"],
           ["home cooking recipes", "snack taste tests", "healthy meal prep", "baking at home",
            "coffee lover"]),
    "母婴": ("Mom & Baby", (0.85, 0.97), ["二胎宝妈", "科学育儿", "辅食制作", "早教亲子游戏", "孕期记录",
                                         "宝宝用品测评"],
           ["mom of two", "baby food recipes", "parenting tips", "pregnancy diary",
            "baby gear reviews"]),
    "数码": ("Tech", (0.15, 0.40), ["手机测评", "科技开箱", "电脑装机", "耳机发烧友", "智能家居体验",
                                   "摄影器材", "数码好物推荐"],
           ["phone reviews", "tech unboxing", "PC builds", "headphone nerd", "smart home gadgets"]),
    "家居": ("Home", (0.60, 0.85), ["收纳整理", "小户型改造", "租房好物", "家居软装", "清洁神器测评",
                                   "厨房好物"],
           ["small apartment makeovers", "organizing hacks", "cleaning gadget tests",
            "cozy home decor", "kitchen finds"]),
    "运动": ("Fitness", (0.35, 0.65), ["健身教练", "跑步爱好者", "瑜伽日常", "户外徒步露营", "居家燃脂训练",
                                      "骑行"],
           ["personal trainer", "marathon runner", "daily yoga", "hiking and camping",
            "home HIIT workouts"]),
    "宠物": ("Pets", (0.60, 0.85), ["猫奴日常", "柴犬一家", "宠物医生科普", "宠物用品测评", "铲屎官",
                                   "领养代替购买"],
           ["cat dad life", "dog training tips", "vet explains", "pet product reviews",
            "adopt don't shop"]),
}
STYLES_ZH = ["真实测评不恰饭", "搞笑剧情", "温柔治愈", "干货分享", "直播带货", "vlog记录生活", "专业讲解"]
STYLES_EN = ["honest reviews only", "funny skits", "calm and cozy vibes", "no-nonsense tips",
             "live shopping every week", "daily vlogs", "expert deep dives"]
CLOSINGS_ZH = ["商务合作请私信", "每晚8点直播", "关注我一起变美", "周更", "合作看主页"]
NAMES_ZH = ["小鹿", "阿杰", "糖糖", "大橙子", "七七", "木子", "老王", "一只", "安安", "小鱼", "乔乔", "晴天",
            "橘子", "豆豆", "阿满", "栗子", "北北", "十一", "六六", "米粒"]
SUFFIX_ZH = ["日记", "研究所", "的小屋", "说", "实验室", "频道", "笔记", "同学", "酱", "姐姐"]
NAMES_EN = ["Lily", "Mia", "Jay", "Noah", "Ava", "Leo", "Zoe", "Max", "Ivy", "Sam", "Kai", "Emma"]
SUFFIX_EN = ["Glow Lab", "Daily", "Studio", "Tries Things", "at Home", "Reviews", "Club"]
REGIONS = ["华东", "华南", "华北", "西南", "华中"]
MCNS = ["无忧传媒", "遥望网络", "美腕", "谦寻", "", "", ""]

PRODUCTS = [  # product_id, brand, name, category, description, price, min, max, min_top, max_top, gender, age
    ("P01", "澜樱", "澜樱丝绒雾面口红", "美妆", "丝绒雾面质地，持久不拔干，黄皮显白的日常通勤口红", 129, 2, 6, 0, 1, "female", "18-24;25-34"),
    ("P02", "澜樱", "澜樱持妆粉底液", "美妆", "轻薄遮瑕，油皮12小时持妆不暗沉，适合夏季", 239, 2, 5, 1, 1, "female", "18-24;25-34"),
    ("P03", "澜樱", "澜樱九色眼影盘", "美妆", "大地色眼影盘，新手也能画出自然眼妆，粉质细腻不飞粉", 159, 1, 4, 0, 1, "female", "18-24"),
    ("P04", "Glowup Lab", "Retinol Night Serum", "Skincare", "0.3% encapsulated retinol serum that smooths fine lines overnight, gentle enough for sensitive skin", 299, 2, 5, 0, 1, "female", "25-34;35+"),
    ("P05", "Glowup Lab", "积雪草修护面霜", "护肤", "积雪草舒缓修护屏障，敏感肌换季泛红救星，无香精无酒精", 189, 2, 6, 0, 1, "female", "18-24;25-34"),
    ("P06", "Glowup Lab", "氨基酸洁面乳", "护肤", "温和氨基酸洁面，洗后不紧绷，油皮干皮都适用", 79, 1, 5, 0, 0, "all", "18-24;25-34"),
    ("P07", "云裳", "云裳高腰阔腿裤", "服饰", "垂感高腰阔腿裤，小个子显高显瘦，通勤百搭", 199, 2, 6, 0, 1, "female", "18-24;25-34"),
    ("P08", "云裳", "云裳羊毛大衣", "服饰", "双面羊毛大衣，简约版型，秋冬通勤保暖有型", 899, 1, 4, 1, 1, "female", "25-34;35+"),
    ("P09", "鲜味坊", "鲜味坊低脂鸡胸肉", "食品", "即食低脂鸡胸肉，高蛋白减脂餐好搭档，多种口味", 59, 2, 6, 0, 1, "all", "18-24;25-34"),
    ("P10", "鲜味坊", "鲜味坊云南小粒咖啡", "食品", "云南保山小粒咖啡豆，中度烘焙，坚果可可风味", 88, 1, 4, 0, 0, "all", "25-34"),
    ("P11", "鲜味坊", "Spicy Sichuan Hot Pot Base", "Food", "Authentic Sichuan hot pot base with beef tallow and chili, ready in ten minutes at home", 39, 1, 5, 0, 1, "all", "18-24;25-34;35+"),
    ("P12", "小橙宝", "小橙宝有机米粉", "母婴", "有机大米婴儿辅食米粉，高铁配方，6个月以上宝宝", 98, 2, 5, 0, 1, "female", "25-34"),
    ("P13", "小橙宝", "小橙宝婴儿推车", "母婴", "轻便可登机婴儿推车，一键收车，可坐可躺", 1299, 1, 3, 1, 1, "female", "25-34;35+"),
    ("P14", "极客", "极客降噪蓝牙耳机", "数码", "主动降噪真无线耳机，40小时续航，通勤地铁安静听歌", 399, 2, 5, 0, 1, "all", "18-24;25-34"),
    ("P15", "极客", "Geekon 65W GaN Charger", "Tech", "Compact 65W gallium nitride charger that fast-charges a laptop, phone and tablet at once", 149, 1, 4, 0, 0, "male", "18-24;25-34"),
    ("P16", "极客", "极客智能手表", "数码", "血氧心率睡眠监测，100种运动模式，14天续航", 699, 1, 4, 1, 1, "all", "25-34;35+"),
    ("P17", "暖居", "暖居真空收纳袋", "家居", "加厚真空压缩收纳袋，换季衣物被子省空间，租房必备", 49, 1, 5, 0, 0, "female", "18-24;25-34"),
    ("P18", "暖居", "暖居无线吸尘器", "家居", "大吸力无线吸尘器，除螨吸毛发，小户型清洁神器", 899, 1, 4, 0, 1, "all", "25-34;35+"),
    ("P19", "山野", "山野轻量徒步鞋", "运动", "防水透气轻量徒步鞋，户外登山露营抓地防滑", 459, 1, 4, 0, 1, "all", "18-24;25-34"),
    ("P20", "山野", "Shanye Yoga Mat", "Fitness", "6mm non-slip TPE yoga mat with alignment lines, light enough to carry to class", 129, 1, 4, 0, 0, "female", "18-24;25-34"),
    ("P21", "PawPal", "PawPal 冻干猫粮", "宠物", "鲜肉冻干猫粮，高蛋白无谷配方，挑嘴猫也爱吃", 169, 2, 5, 0, 1, "all", "18-24;25-34"),
    ("P22", "PawPal", "PawPal Self-Cleaning Litter Box", "Pets", "Automatic self-cleaning litter box with odor control and app alerts for multi-cat homes", 1599, 1, 3, 0, 1, "all", "25-34;35+"),
    ("P23", "Glowup Lab", "Vitamin C Brightening Toner", "Skincare", "Brightening vitamin C toner that fades dark spots and evens skin tone", 159, 1, 4, 0, 1, "female", "18-24;25-34"),
    ("P24", "云裳", "云裳运动休闲卫衣", "服饰", "宽松加绒连帽卫衣，男女同款街头风，秋冬必备", 259, 1, 5, 0, 1, "all", "18-24"),
]

CAMPAIGN_TOML = """# Sample campaign for the bundled data (see docs, "Campaign config").
[inputs]
creators = "creators.csv"
products = "products.csv"

[campaign]
name = "sample-double-11"
budget = 1_200_000        # CNY for all products
max_overlap = 0.3         # creators above this estimated audience overlap never share a product
top_kol_max_share = 0.6   # at most 60% of the spend on Top-KOLs
max_booking_share = 0.25  # no booking above a quarter of the budget
min_experience = 3.8      # Douyin 带货口碑 score, 0..5
exclusivity = true        # no creator promotes two brands in one category

[scoring]
backend = "use"
w_style = 0.5
w_audience = 0.2
w_performance = 0.3

[solver]
time_limit = 10
seed = 0
workers = 2

[categories]              # product category -> creator categories that may promote it
"美妆" = ["Beauty", "彩妆"]
"护肤" = ["Skincare", "Beauty"]
"服饰" = ["Fashion", "穿搭"]
"食品" = ["Food"]
"母婴" = ["Mom & Baby"]
"数码" = ["Tech"]
"家居" = ["Home"]
"运动" = ["Fitness"]
"宠物" = ["Pets"]
"Skincare" = ["护肤", "Beauty", "美妆"]
"Food" = ["食品"]
"Tech" = ["数码"]
"Fitness" = ["运动"]
"Pets" = ["宠物"]
"""


def _wan(n: float, rng: np.random.Generator) -> str:
    """Follower/view counts as marketplaces print them: 12.3w, 1.2万, 3,400, 2.1M."""
    style = rng.integers(4)
    if n >= 10_000 and style == 0:
        return f"{n / 10_000:.1f}w"
    if n >= 10_000 and style == 1:
        return f"{n / 10_000:.1f}万"
    if n >= 1_000_000 and style == 2:
        return f"{n / 1_000_000:.1f}M"
    return f"{int(n):,}"


def creators(rng: np.random.Generator, n_alliance: int = 280, n_top: int = 40) -> pd.DataFrame:
    cats = list(CATEGORIES)
    rows = []
    for i in range(n_alliance + n_top):
        top = i >= n_alliance
        english = rng.random() < 0.25
        main = cats[rng.integers(len(cats))]
        second = cats[rng.integers(len(cats))] if rng.random() < 0.35 else main
        mine = list(dict.fromkeys([main, second]))
        en_name, (lo, hi), zh_frag, en_frag = CATEGORIES[main]
        followers = float(np.exp(rng.uniform(np.log(1.2e6), np.log(3e7)))) if top else \
            float(np.exp(rng.uniform(np.log(8e3), np.log(8e5))))
        fee = round(followers * rng.uniform(0.015, 0.05) + 800, -2)
        if english:
            frags = list(rng.choice(en_frag, 2, replace=False)) + [STYLES_EN[rng.integers(len(STYLES_EN))]]
            if second != main:
                frags.insert(1, CATEGORIES[second][3][rng.integers(len(CATEGORIES[second][3]))])
            bio = " | ".join(frags)
            name = f"{NAMES_EN[rng.integers(len(NAMES_EN))]} {SUFFIX_EN[rng.integers(len(SUFFIX_EN))]}"
            cat_text = " / ".join(CATEGORIES[k][0] for k in mine)
        else:
            frags = list(rng.choice(zh_frag, 2, replace=False))
            if second != main:
                frags.append(CATEGORIES[second][2][rng.integers(len(CATEGORIES[second][2]))])
            bio = "｜".join(frags) + f"｜{STYLES_ZH[rng.integers(len(STYLES_ZH))]}，" \
                  f"{CLOSINGS_ZH[rng.integers(len(CLOSINGS_ZH))]}"
            name = f"{NAMES_ZH[rng.integers(len(NAMES_ZH))]}{CATEGORIES[main][0] if rng.random() < 0.2 else main}" \
                   f"{SUFFIX_ZH[rng.integers(len(SUFFIX_ZH))]}"
            cat_text = ("、" if rng.random() < 0.5 else "/").join(mine)
        ages = rng.dirichlet([3, 4, 2] if main != "母婴" else [1, 6, 3])
        rows.append({
            "达人ID": f"dy{10000 + i}",
            "达人昵称": name,
            "达人层级": "头部" if top else "腰部" if followers > 1e5 else "尾部",
            "粉丝数": _wan(followers, rng),
            "带货类目": cat_text,
            "简介": "" if rng.random() < 0.02 else bio,
            "报价": f"¥{fee:,.0f}",
            "可接商品数": int(rng.integers(1, 4)) if not top else int(rng.integers(1, 3)),
            "互动率": f"{rng.uniform(0.8, 12):.1f}%",
            "平均播放": _wan(followers * rng.uniform(0.03, 0.3), rng),
            "女性粉丝占比": f"{rng.uniform(lo, hi) * 100:.0f}%",
            "18-24岁占比": f"{ages[0] * 100:.0f}%",
            "25-34岁占比": f"{ages[1] * 100:.0f}%",
            "35岁以上占比": f"{ages[2] * 100:.0f}%",
            "粉丝地域": "海外" if english and rng.random() < 0.5 else REGIONS[rng.integers(len(REGIONS))],
            "带货口碑": round(float(rng.uniform(3.5, 5.0)), 1),
            "MCN机构": MCNS[rng.integers(len(MCNS))],
        })
    return pd.DataFrame(rows)


VARIANTS = [("礼盒装", "节日礼盒装，送礼自用两相宜"), ("旅行装", "小容量旅行装，出差随身带"), ("升级款", "全新升级配方，效果更进一步"),
            ("家庭装", "大份量家庭装，全家一起用更划算"), ("限定款", "季节限定配色，数量有限"),
            ("mini", "mini size to try it first"), ("Pro", "the Pro edition with every upgrade")]


def products(n: int = len(PRODUCTS)) -> pd.DataFrame:
    """The 24 sample products; with n above 24, variants of them too (P01-2: a gift box, a travel size,
    ...: the same category and brand, a text of its own), for measurements at scale."""
    columns = ["product_id", "brand", "name", "category", "description", "price", "min_creators",
               "max_creators", "min_top_kol", "max_top_kol", "target_gender", "target_age"]
    rows = [list(row) for row in PRODUCTS[:n]]
    for k in range(len(PRODUCTS), n):
        row = list(PRODUCTS[k % len(PRODUCTS)])
        copy = k // len(PRODUCTS)
        label, text = VARIANTS[(copy - 1 + k) % len(VARIANTS)]
        row[0], row[2], row[4] = f"{row[0]}-{copy + 1}", f"{row[2]} {label}", f"{row[4]}; {text}"
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def write_sample(folder: str | Path, seed: int = SEED, n_creators: int = 320, n_products: int = len(PRODUCTS)
                 ) -> None:
    """The sample campaign; with `n_creators` other than 320, a larger (or smaller) creator list of the
    same kind, one in eight a Top-KOL, and with `n_products` above 24 product variants too, for
    measurements at scale (the campaign file stays: pass --budget for a larger catalogue)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_top = n_creators // 8
    creators(rng, n_creators - n_top, n_top).to_csv(folder / "creators.csv", index=False, encoding="utf-8-sig")
    products(n_products).to_csv(folder / "products.csv", index=False, encoding="utf-8-sig")
    (folder / "campaign.toml").write_text(CAMPAIGN_TOML, encoding="utf-8")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="write the sample campaign (creators.csv, products.csv, campaign.toml)")
    parser.add_argument("folder", nargs="?", default="data")
    parser.add_argument("--creators", type=int, default=320, help="creators to write (the bundled sample: 320)")
    parser.add_argument("--products", type=int, default=len(PRODUCTS),
                        help="products to write (the bundled sample: 24; more are variants of those)")
    args = parser.parse_args()
    write_sample(args.folder, n_creators=args.creators, n_products=args.products)
