"""Demo parties and intake: people with checksum-valid ID numbers, mobiles, plates, amounts and
each plugin's sample intake varied and dated to the case's day, drawn from a seeded
``random.Random`` so that every run tells the same story."""
from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

from app.demo_kinds import kind_of
from app.validation.identity import check_digit

SURNAMES = "林黄陈吴郑蔡李张刘彭许庄钟卢杨王曾余叶何罗徐周苏郭洪温谢邱朱"
GIVEN_MALE = ["晓明", "志强", "文斌", "建华", "海波", "伟东", "振宇", "家豪", "俊杰", "国平", "少华", "锦荣", "永强",
              "树林", "天佑", "宏伟", "子轩", "泽民", "汉生", "炳坤"]
GIVEN_FEMALE = ["丽娟", "海燕", "秀英", "美玲", "少芬", "晓玲", "丽华", "雪梅", "佩珊", "婉婷", "玉珍", "春燕",
                "淑贞", "慧敏", "嘉欣", "素娥", "彩霞", "月娥", "小红", "丹丹"]
# Shanwei: Chengqu, Haifeng, Lufeng, Luhe — where the parties were born (ID number region).
REGIONS = ("441502", "441502", "441502", "441521", "441581", "441523")
ROADS = {
    "香洲街道": ["通港路", "香城路", "汕尾大道中", "二马路"],
    "凤山街道": ["红海大道", "凤山路", "品清路", "奎山路"],
    "新港街道": ["新港路", "海滨大道", "金湾路"],
    "马宫街道": ["马宫大道", "金町湾路", "盐町路"],
    "红草镇": ["红草圩", "三和路", "埔边村"],
    "东涌镇": ["东涌大道", "品清村", "新湖村"],
    "捷胜镇": ["捷胜大道", "沙坑村", "城内村"],
}
MOBILE_PREFIXES = ("134", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "182", "183", "187",
                   "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "189", "177", "199")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

EMPLOYERS = ["汕尾市城区海丰水产加工有限公司", "汕尾市城区恒达建材有限公司", "汕尾市城区鑫源电子厂", "汕尾市城区海港物流有限公司",
             "汕尾市城区金湾酒店管理有限公司", "汕尾市城区品清湖餐饮有限公司"]
HOSPITALS = ["汕尾市城区人民医院", "汕尾市城区妇幼保健院", "汕尾市城区香洲街道社区卫生服务中心", "汕尾市城区某民营口腔门诊部"]
MERCHANTS = ["汕尾市城区某某食品商行", "汕尾市城区海韵家电销售部", "汕尾市城区新潮手机店", "汕尾市城区乐学教育培训中心",
             "汕尾市城区美颜美容会所", "汕尾市城区惠民生鲜超市"]
PROPERTY_COMPANIES = ["汕尾市海韵物业服务有限公司", "汕尾市城区金町湾物业管理有限公司", "汕尾市品清湖物业服务有限公司"]
ESTATES = ["海韵花园", "金町湾花园", "品清湖畔", "凤山名苑", "香城华府", "新港湾小区"]
INSURERS = ["中国人民财产保险股份有限公司汕尾市分公司", "中国平安财产保险股份有限公司汕尾中心支公司",
            "中国太平洋财产保险股份有限公司汕尾中心支公司"]
GOODS = [("进口牛奶（1L×12盒）", "food_safety"), ("冰箱一台", "quality"), ("手机一部", "quality"),
         ("少儿英语培训课程", "service"), ("美容护理套餐", "service"), ("海鲜礼盒", "food_safety")]
DEPARTMENTS = ["骨科", "妇产科", "普外科", "口腔科", "儿科", "急诊科"]


def id_number(rng: random.Random, birth: dt.date, female: bool) -> str:
    """A checksum-valid resident ID (GB 11643) of a person born on ``birth`` in Shanwei."""
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)  # the 17th digit is odd for men
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def credit_code(rng: random.Random) -> str:
    """A unified social credit code with a correct GB 32100 check character (a company in Chengqu)."""
    body = "91441502" + "".join(rng.choice(_CREDIT_ALPHABET) for _ in range(9))
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=True))
    return body + _CREDIT_ALPHABET[(31 - total % 31) % 31]


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def plate(rng: random.Random) -> str:
    """A Shanwei plate number (粤N)."""
    tail = "".join(rng.choice(PLATE_LETTERS + "0123456789") for _ in range(3)) + f"{rng.randrange(100):02d}"
    return f"粤N{rng.choice(PLATE_LETTERS)}{tail}"


def person(rng: random.Random, role: str, town: str, on: dt.date, surname: str | None = None) -> dict:
    """A party who is a person: name, ID number, mobile and address."""
    female = rng.random() < 0.5
    name = (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    birth = on - dt.timedelta(days=rng.randrange(20 * 365, 70 * 365))
    return {"kind": "person", "role": role, "name": name, "id_number": id_number(rng, birth, female),
            "mobile": mobile(rng), "address": f"汕尾市城区{town}{rng.choice(ROADS[town])}{rng.randrange(1, 200)}号"}


def organization(rng: random.Random, role: str, name: str, town: str) -> dict:
    """A party that is an organisation, with its unified social credit code."""
    return {"kind": "organization", "role": role, "name": name, "id_number": credit_code(rng),
            "mobile": mobile(rng), "address": f"汕尾市城区{town}{rng.choice(ROADS[town])}{rng.randrange(1, 200)}号"}


def shift_dates(value, days: int):
    """``value`` (a sample intake) with every ISO date moved by ``days``."""
    if isinstance(value, dict):
        return {k: shift_dates(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_dates(v, days) for v in value]
    if isinstance(value, str) and _ISO_DATE.match(value):
        return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()
    return value


def _latest_date(value) -> dt.date | None:
    found = []

    def walk(v):
        """Collect the ISO dates anywhere in ``v``."""
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and _ISO_DATE.match(v):
            found.append(dt.date.fromisoformat(v))

    walk(value)
    return max(found) if found else None


def _money(rng: random.Random, low: int, high: int, step: int = 100) -> Decimal:
    return Decimal(rng.randrange(low // step, high // step + 1) * step)


def payload(rng: random.Random, dispute_type: str, sample: dict, day: dt.date, town: str) -> dict:
    """An API payload for a case of ``dispute_type`` registered on ``day``: the plugin's sample,
    its dates moved to just before ``day``, names, numbers and amounts varied."""
    latest = _latest_date(sample)
    intake = shift_dates(sample, (day - latest).days - rng.randrange(1, 6)) if latest else dict(sample)
    applicant = person(rng, "applicant", town, day)
    respondent = person(rng, "respondent", town, day)
    amount = _money(rng, 3000, 60000)
    kind = kind_of(dispute_type)
    vary = _VARY.get(kind)
    if vary is not None:
        respondent, amount = vary(rng, intake, applicant, respondent, day, town)
    return {
        "title": f"{applicant['name']}与{respondent['name']}{_TITLE.get(kind, '纠纷')}",
        "description": f"{applicant['name']}到{town}综治中心反映与{respondent['name']}之间的{_TITLE.get(kind, '纠纷')}，申请调解。",
        "claim_amount": str(amount),
        "parties": [applicant, respondent],
        "intake": intake,
    }


# By the demo's kind of dispute (app.demo_kinds), not by type.
_TITLE = {"accident": "机动车交通事故责任纠纷", "loan": "民间借贷纠纷", "support": "抚养费纠纷", "wages": "劳动争议",
          "clinic": "医疗损害责任纠纷", "estate_fees": "物业服务合同纠纷", "purchase": "消费者权益纠纷"}


def _traffic(rng, intake, applicant, respondent, day, town):
    share = rng.choice([(100, 0), (70, 30), (60, 40), (50, 50)])
    for vehicle, party, liability in zip(intake.get("vehicles", []), (respondent, applicant), share):
        vehicle.update(plate=plate(rng), driver=party["name"], liability=str(liability), insurer=rng.choice(INSURERS),
                       policy_no=f"PDAA{day.year}4415{rng.randrange(10**12):012d}")
    medical = _money(rng, 800, 60000, 50)
    loss = _money(rng, 500, 20000, 100)
    intake.update(medical_expenses=f"{medical:.2f}", property_loss=f"{loss:.2f}", injured_count=rng.choice([0, 1, 1, 2]),
                  accident_place=f"汕尾市城区{town}{rng.choice(ROADS[town])}路段",
                  determination_no=f"汕公交认字〔{day.year}〕第{rng.randrange(1, 3000):05d}号")
    return respondent, medical + loss


def _debt(rng, intake, applicant, respondent, day, town):
    principal = _money(rng, 5000, 300000, 1000)
    guarantor = person(rng, "third_party", town, day)["name"]
    intake.update(principal=f"{principal:.2f}", interest_rate=f"{rng.choice([0, 6, 8, 10, 12, 15]):.2f}",
                  guarantor=guarantor if intake.get("security") == "guarantee" else "")
    return respondent, principal


def _family(rng, intake, applicant, respondent, day, town):
    surname = applicant["name"][0]
    for child in intake.get("children", []):
        child["name"] = surname + rng.choice(["小雨", "小川", "子涵", "梓轩", "欣怡", "浩然", "思琪", "俊熙"])
    monthly = _money(rng, 800, 3000, 100)
    intake.update(support_monthly_amount=f"{monthly:.2f}")
    return respondent, monthly * 12


def _labour(rng, intake, applicant, respondent, day, town):
    employer = organization(rng, "respondent", rng.choice(EMPLOYERS), town)
    wage = _money(rng, 3000, 8000, 100)
    intake.update(employer=employer["name"], employer_credit_code=employer["id_number"],
                  position=rng.choice(["冷库搬运工", "仓管员", "厨师", "装配工", "货车司机", "前台接待"]),
                  monthly_wage=f"{wage:.2f}", mediation_applied_on=day.isoformat())
    return employer, wage * rng.randrange(2, 8)


def _medical(rng, intake, applicant, respondent, day, town):
    hospital = organization(rng, "respondent", rng.choice(HOSPITALS), town)
    intake.update(hospital=hospital["name"], department=rng.choice(DEPARTMENTS))
    return hospital, _money(rng, 10000, 150000, 500)


def _property(rng, intake, applicant, respondent, day, town):
    company = organization(rng, "applicant", rng.choice(PROPERTY_COMPANIES), town)
    months = rng.randrange(6, 30)
    fee = _money(rng, 120, 300, 10)
    applicant.update(company)  # the company sues the owner for the fees
    estate = rng.choice(ESTATES)
    intake.update(property_company=company["name"], estate=f"汕尾市城区{town}{estate}{rng.randrange(1, 12)}栋",
                  owners_committee=f"{estate}业主委员会", arrears_months=months, arrears_amount=f"{fee * months:.2f}")
    return respondent, fee * months


def _consumer(rng, intake, applicant, respondent, day, town):
    merchant = organization(rng, "respondent", rng.choice(MERCHANTS), town)
    goods, basis = rng.choice(GOODS)
    price = _money(rng, 100, 8000, 10)
    intake.update(merchant=merchant["name"], goods_or_service=goods, claim_basis=basis, price_paid=f"{price:.2f}",
                  loss=f"{price * rng.choice([1, 2, 3]):.2f}", order_no=f"MT{rng.randrange(10**16):016d}",
                  platform=rng.choice(["美团", "淘宝", "拼多多", "抖音", ""]))
    return merchant, price * 3


_VARY = {"accident": _traffic, "loan": _debt, "support": _family, "wages": _labour, "clinic": _medical,
         "estate_fees": _property, "purchase": _consumer}


def agreed_terms(rng: random.Random, dispute_type: str, applicant: str, respondent: str, amount: Decimal,
                 first_due: dt.date) -> list[tuple]:
    """The terms a demo agreement settles on: ``(text, manner, due[, kind])``, the first due on
    ``first_due``; a term without a kind is "other"."""
    pay = (amount * Decimal(rng.choice([60, 70, 80, 90, 100])) / 100).quantize(Decimal(1))
    half = (pay / 2).quantize(Decimal(1))
    later = first_due + dt.timedelta(days=rng.choice([15, 30]))
    terms = {
        "accident": [(f"被申请人{respondent}及其车辆投保的保险公司于{first_due:%Y年%m月%d日}前赔偿申请人{applicant}医疗费、误工费、"
                     f"车辆维修费等各项损失共计人民币{pay}元", "银行转账", first_due),
                    ("双方就本次交通事故再无其他争议", "书面确认", None)],
        "loan": [(f"被申请人{respondent}于{first_due:%Y年%m月%d日}前偿还申请人{applicant}借款本金人民币{half}元", "银行转账", first_due),
                 (f"被申请人{respondent}于{later:%Y年%m月%d日}前偿还余款人民币{pay - half}元，申请人放弃利息", "银行转账", later)],
        "support": [(f"被申请人{respondent}自{first_due:%Y年%m月}起每月10日前支付子女抚养费人民币{(amount / 12).quantize(Decimal(1))}元，"
                    "至子女年满十八周岁时止", "银行转账", first_due, "support"),
                   (f"被申请人{respondent}每月可探望子女两次，申请人{applicant}应当予以协助", "双方协商", None, "custody")],
        "wages": [(f"被申请人{respondent}支付申请人{applicant}拖欠工资及经济补偿共计人民币{pay}元", "银行转账", first_due),
                   (f"被申请人{respondent}为申请人出具解除劳动合同证明，并办理社会保险关系转移手续", "书面证明、现场办理", later)],
        "clinic": [(f"被申请人{respondent}一次性赔偿申请人{applicant}医疗费、误工费、护理费等各项损失共计人民币{pay}元",
                     "银行转账", first_due),
                    ("申请人收到全部款项后撤回向汕尾市城区卫生健康局提出的投诉", "书面撤回", later)],
        "estate_fees": [(f"被申请人{respondent}分两期支付所欠物业服务费共计人民币{pay}元：{first_due:%Y年%m月%d日}前支付{half}元，"
                      f"{later:%Y年%m月%d日}前支付余款{pay - half}元", "银行转账", first_due),
                     (f"申请人{applicant}减免滞纳金，并于{later:%Y年%m月%d日}前完成公共区域维修整改", "现场整改", later)],
        "purchase": [(f"被申请人{respondent}退还申请人{applicant}货款并赔偿损失共计人民币{pay}元", "银行转账", first_due),
                     ("双方就本次消费纠纷再无其他争议", "书面确认", None)],
    }
    return terms.get(kind_of(dispute_type), [(f"被申请人{respondent}向申请人{applicant}支付人民币{pay}元", "银行转账", first_due)])
