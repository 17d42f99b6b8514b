"""Write each built-in plugin's default agreement template (DOCX with docxtpl tags).

    .venv/bin/python tools/build_agreement_templates.py

The files are committed in ``plugins/<type>/templates/``; this script is how they were
made, so that a change of layout is made once for all types. Administrators replace a
file from the admin page, not with this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

ROOT = Path(__file__).resolve().parent.parent

# type code -> (file, title, closing clauses specific to the type)
TEMPLATES = {
    "family": ("agreement.docx", "婚姻家庭纠纷人民调解协议书", [
        "涉及未成年子女抚养、探望的约定，应当以有利于未成年子女身心健康为原则履行。",
        "本协议不涉及解除婚姻关系；解除婚姻关系须依法向婚姻登记机关申请或者向人民法院起诉。",
    ]),
    "property": ("agreement.docx", "物业服务及商品房纠纷人民调解协议书", [
        "物业服务企业（开发企业）应当按照本协议约定整改有关问题，业主应当按照本协议约定履行付款义务。",
        "本协议履行完毕后，各方就本协议所涉事项再无其他争议。",
    ]),
    "debt": ("agreement.docx", "债务纠纷人民调解协议书", [
        "债务人未按本协议约定履行的，债权人可以依法申请司法确认，并向人民法院申请强制执行。",
        "本协议履行完毕后，双方之间就本笔债务的债权债务关系终结。",
    ]),
    "consumer": ("agreement.docx", "消费纠纷人民调解协议书", [
        "经营者按本协议约定退款、更换、修理或者赔偿后，消费者不再就本次消费主张其他权利。",
    ]),
    "medical": ("agreement.docx", "医疗纠纷人民调解协议书", [
        "本协议约定的赔偿款项包含患方因本次医疗纠纷产生的全部损失。",
        "患者的病历资料及个人健康信息仅用于本纠纷的处理，各方负有保密义务。",
    ]),
    "labour": ("agreement.docx", "劳动争议调解协议书", [
        "一方当事人在协议约定期限内不履行本协议的，另一方当事人可以依法申请劳动争议仲裁。",
        "用人单位在协议约定期限内不履行支付拖欠劳动报酬、工伤医疗费、经济补偿或者赔偿金事项的，"
        "劳动者可以持本协议书依法向人民法院申请支付令。",
    ]),
    "traffic": ("agreement.docx", "道路交通事故损害赔偿人民调解协议书", [
        "本协议约定的赔偿款项包含因本次交通事故产生的医疗费、误工费、护理费、交通费、财产损失等全部损失，"
        "涉及保险公司赔付的部分，由保险公司按保险合同约定赔付。",
        "本协议履行完毕后，各方就本次交通事故的损害赔偿再无其他争议。",
    ]),
}


def _east_asian(run_or_style, font="宋体"):
    rpr = run_or_style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def build(path: Path, title: str, clauses: list[str]) -> None:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    _east_asian(normal)

    def para(text="", *, bold=False, size=None, align=None):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align:
            p.alignment = align
        return p

    para("{{ committee }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(title, bold=True, size=18, align=WD_ALIGN_PARAGRAPH.CENTER)
    para("编号：{{ case_no }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para("当事人", bold=True)
    table = doc.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["身份", "姓名（名称）", "身份证件号码", "住址", "联系电话"], strict=True):
        cell.text = text
    # docxtpl repeats the rows between the {%tr %} rows (which disappear).
    table.rows[1].cells[0].text = "{%tr for p in parties %}"
    fields = ["{{ p.role }}", "{{ p.name }}", "{{ p.id_number }}", "{{ p.address }}", "{{ p.mobile }}"]
    for cell, text in zip(table.rows[2].cells, fields, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    para("纠纷主要事实、争议事项", bold=True)
    para("纠纷类型：{{ dispute_type }}。{{ summary }}")
    para("{{ facts }}")
    para("{%p for r in facts_rows %}")
    para("{{ r.label }}：{{ r.value }}")
    para("{%p endfor %}")
    para("经调解，各方当事人自愿达成如下协议：", bold=True)
    para("{%p for t in terms %}")
    para("{{ t.n }}. {{ t.text }}{% if t.manner %}（履行方式：{{ t.manner }}）{% endif %}"
         "{% if t.due %}（履行期限：{{ t.due }}前）{% endif %}")
    para("{%p endfor %}")
    for clause in clauses:
        para(clause)
    para("本协议经各方当事人签名（盖章或按指印）、调解员签名并加盖人民调解委员会印章后生效。"
         "本协议一式{{ copies }}份，当事人各执一份，人民调解委员会留存一份。")
    para("{%p for p in parties %}")
    para("{{ p.role }}（签名、盖章或按指印）：________________　{{ p.name }}")
    para("{%p endfor %}")
    para("调解员（签名）：________________　{{ mediator }}")
    para("{{ committee }}（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para("{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def main(codes: list[str]) -> None:
    for code in codes or sorted(TEMPLATES):
        filename, title, clauses = TEMPLATES[code]
        target = ROOT / "plugins" / code / "templates" / filename
        build(target, title, clauses)
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
