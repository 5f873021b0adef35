"""Synthetic scanned pages for the ingest tests and the OCR benchmark.

Real household folders cannot be checked into a repository (they are personal data), so the
tests and ``bench/ocr_quality.py`` build their own "scans": property-management text rendered
with Noto CJK in Simplified or Traditional Chinese, then degraded the way a flatbed or sheet-fed
scanner degrades paper (a slight skew, a page fed upside down, sensor noise, a little blur, JPEG
compression). Every page comes with its ground truth so the OCR can be scored with :func:`cer`.

Born-digital PDFs (a real text layer, no scan) are written with fpdf2 and the same Noto CJK
font: Pillow cannot write text layers, and fpdf2 embeds a subset of the CJK font with a
ToUnicode map, so ``pdftotext`` reads the text back exactly.
"""

from __future__ import annotations

import functools
import io
import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFilter, ImageFont

Script = Literal["simplified", "traditional"]
Style = Literal["sans", "serif"]

MM_PER_INCH = 25.4
PAPER_MM = {
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "A6": (105.0, 148.0),
    # A landscape strip of half an A5 page: a few lines of text, cheap to OCR in tests.
    "strip": (148.0, 70.0),
}


# ---------------------------------------------------------------------------------------------
# Sample texts with ground truth. Parallel Simplified / Traditional versions of the same record,
# so per-script results compare like with like. English words and identifiers are deliberate:
# real folders mix them in (unit numbers, receipt numbers, product names).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleText:
    key: str
    simplified: str
    traditional: str

    def in_script(self, script: Script) -> str:
        return self.simplified if script == "simplified" else self.traditional


SAMPLE_TEXTS: tuple[SampleText, ...] = (
    SampleText(
        key="renovation",
        simplified=(
            "业主装修申请表\n"
            "档案编号：ZH-2024-0381　房号：A-3-1201\n"
            "业主姓名：王建国　联系电话：138 0013 8000\n"
            "申请内容：本户拟于2024年5月6日至6月30日进行室内装修，施工单位为深圳市安居装饰工程有限公司，"
            "负责人李明。装修项目包括厨房及卫生间防水、客厅吊顶、电路改造。业主承诺遵守《装修管理规定》，"
            "不改变房屋承重结构，不占用公共通道，每日施工时间为上午八点至十二点、下午两点至六点。\n"
            "装修保证金：人民币3000元，已于2024年4月28日缴纳，收据号码 No.20240428-017。\n"
            "备注：请客服中心于完工后安排验收，验收合格后退还保证金。Dossier 系统扫描存档。"
        ),
        traditional=(
            "業主裝修申請表\n"
            "檔案編號：ZH-2024-0381　房號：A-3-1201\n"
            "業主姓名：王建國　聯繫電話：138 0013 8000\n"
            "申請內容：本戶擬於2024年5月6日至6月30日進行室內裝修，施工單位為深圳市安居裝飾工程有限公司，"
            "負責人李明。裝修項目包括廚房及衛生間防水、客廳吊頂、電路改造。業主承諾遵守《裝修管理規定》，"
            "不改變房屋承重結構，不佔用公共通道，每日施工時間為上午八點至十二點、下午兩點至六點。\n"
            "裝修保證金：人民幣3000元，已於2024年4月28日繳納，收據號碼 No.20240428-017。\n"
            "備註：請客服中心於完工後安排驗收，驗收合格後退還保證金。Dossier 系統掃描存檔。"
        ),
    ),
    SampleText(
        key="service-fee",
        simplified=(
            "物业服务费缴费通知单\n"
            "尊敬的业主：您好！您所在的B栋2单元1503室（房号 B-2-1503）建筑面积为98.6平方米，"
            "物业服务费按每月每平方米2.80元计收，本期为2024年7月至12月，共计人民币1656.48元。"
            "另收公共水电分摊费86.00元、车位管理费600.00元，合计2342.48元。请于8月15日前到客服中心"
            "缴纳，或通过微信、支付宝及银行转账办理，账户名称：安居物业服务有限公司。逾期未缴的，"
            "将按合同约定计收滞纳金。如有疑问，请致电客服热线 400-820-6688，或发送邮件至 service@anju-pm.cn。\n"
            "客服中心　2024年7月1日"
        ),
        traditional=(
            "物業服務費繳費通知單\n"
            "尊敬的業主：您好！您所在的B棟2單元1503室（房號 B-2-1503）建築面積為98.6平方米，"
            "物業服務費按每月每平方米2.80元計收，本期為2024年7月至12月，共計人民幣1656.48元。"
            "另收公共水電分攤費86.00元、車位管理費600.00元，合計2342.48元。請於8月15日前到客服中心"
            "繳納，或通過微信、支付寶及銀行轉賬辦理，賬戶名稱：安居物業服務有限公司。逾期未繳的，"
            "將按合同約定計收滯納金。如有疑問，請致電客服熱線 400-820-6688，或發送郵件至 service@anju-pm.cn。\n"
            "客服中心　2024年7月1日"
        ),
    ),
    SampleText(
        key="move-in",
        simplified=(
            "入住登记及钥匙领用表\n"
            "房号：C-1-0802　业主：陈晓红　身份证件已核验\n"
            "水电表编号：水表 W-0712-3345，电表 E-5521-0098，燃气表 G-3310-0457，"
            "入住时读数分别为 125、2046 和 318。\n"
            "领用钥匙：入户门钥匙3把、信箱钥匙2把、门禁卡4张（编号 IC-88012 至 IC-88015）。"
            "紧急联络人：陈伟，与业主关系为兄弟，电话 139 2266 7788。"
            "业主已阅读《临时管理规约》及《前期物业服务合同》，同意按约定缴纳物业服务费，"
            "并确认房屋交付时门窗、墙面、地面及水电设施完好。\n"
            "经办人：张丽　复核：刘强　日期：2023年11月18日"
        ),
        traditional=(
            "入住登記及鑰匙領用表\n"
            "房號：C-1-0802　業主：陳曉紅　身份證件已核驗\n"
            "水電錶編號：水錶 W-0712-3345，電錶 E-5521-0098，燃氣錶 G-3310-0457，"
            "入住時讀數分別為 125、2046 和 318。\n"
            "領用鑰匙：入戶門鑰匙3把、信箱鑰匙2把、門禁卡4張（編號 IC-88012 至 IC-88015）。"
            "緊急聯絡人：陳偉，與業主關係為兄弟，電話 139 2266 7788。"
            "業主已閱讀《臨時管理規約》及《前期物業服務合同》，同意按約定繳納物業服務費，"
            "並確認房屋交付時門窗、牆面、地面及水電設施完好。\n"
            "經辦人：張麗　復核：劉強　日期：2023年11月18日"
        ),
    ),
)

# A dense page: a property-management service contract, as most archive pages are (contracts,
# forms and notices fill the sheet). Clauses are taken in order from a starting clause that
# varies per page until the page holds 1,000-1,500 characters, about what a printed contract page
# at 10.5-12 pt carries. The Traditional text was converted with ICU (``uconv -x Hans-Hant``) and
# checked by hand.
CONTRACT_HEADER = SampleText(
    key="contract-header",
    simplified=(
        "物业服务合同\n"
        "合同编号：WY-2024-0917　签订地点：深圳市南山区\n"
        "甲方（业主）：王建国　身份证号：440305198207153216　房号：A-3-1201\n"
        "乙方（物业服务企业）：安居物业服务有限公司　统一社会信用代码：91440300MA5F2K7X3Q\n"
    ),
    traditional=(
        "物業服務合同\n"
        "合同編號：WY-2024-0917　簽訂地點：深圳市南山區\n"
        "甲方（業主）：王建國　身份證號：440305198207153216　房號：A-3-1201\n"
        "乙方（物業服務企業）：安居物業服務有限公司　統一社會信用代碼：91440300MA5F2K7X3Q\n"
    ),
)
CONTRACT_CLAUSES: tuple[SampleText, ...] = (
    SampleText(
        key="clause-1",
        simplified="第一条　物业基本情况。本物业位于深圳市南山区科技园北区安居花园，占地面积42000平方米，总建筑面积156800平方米，其中住宅1286户，商铺46间，地下车位980个。甲方所有的房屋建筑面积为98.6平方米，套内面积为79.2平方米。",
        traditional="第一條　物業基本情況。本物業位於深圳市南山區科技園北區安居花園，佔地面積42000平方米，總建築面積156800平方米，其中住宅1286戶，商鋪46間，地下車位980個。甲方所有的房屋建築面積為98.6平方米，套內面積為79.2平方米。",
    ),
    SampleText(
        key="clause-2",
        simplified="第二条　服务内容。乙方负责本物业共用部位及共用设施设备的日常维修、养护和管理，包括楼盖、屋顶、外墙面、承重结构、楼梯间、走廊通道、电梯、水泵、消防设施及监控系统；负责公共区域的清洁卫生、垃圾收集与清运、绿化养护、秩序维护和车辆停放管理。",
        traditional="第二條　服務內容。乙方負責本物業共用部位及共用設施設備的日常維修、養護和管理，包括樓蓋、屋頂、外牆面、承重結構、樓梯間、走廊通道、電梯、水泵、消防設施及監控系統；負責公共區域的清潔衛生、垃圾收集與清運、綠化養護、秩序維護和車輛停放管理。",
    ),
    SampleText(
        key="clause-3",
        simplified="第三条　服务标准。乙方应当设立客服中心，每日八点至二十点受理业主咨询、报修和投诉，夜间由值班人员处理紧急事项。一般报修应在接报后30分钟内到达现场，水电急修在2小时内完成处理；公共区域每日清扫两次，电梯每月保养不少于两次，消防设施每季度检测一次并记录存档。",
        traditional="第三條　服務標準。乙方應當設立客服中心，每日八點至二十點受理業主咨詢、報修和投訴，夜間由值班人員處理緊急事項。一般報修應在接報後30分鐘內到達現場，水電急修在2小時內完成處理；公共區域每日清掃兩次，電梯每月保養不少於兩次，消防設施每季度檢測一次並記錄存檔。",
    ),
    SampleText(
        key="clause-4",
        simplified="第四条　物业服务费。住宅物业服务费按建筑面积每月每平方米2.80元计收，商铺按每月每平方米6.50元计收。甲方应于每季度首月15日前缴纳当季费用，可通过银行转账、微信或支付宝支付，账户名称为安居物业服务有限公司，开户行为招商银行深圳科技园支行，账号 7559 0123 4567 890。",
        traditional="第四條　物業服務費。住宅物業服務費按建築面積每月每平方米2.80元計收，商鋪按每月每平方米6.50元計收。甲方應於每季度首月15日前繳納當季費用，可通過銀行轉賬、微信或支付寶支付，賬戶名稱為安居物業服務有限公司，開戶行為招商銀行深圳科技園支行，賬號 7559 0123 4567 890。",
    ),
    SampleText(
        key="clause-5",
        simplified="第五条　公共水电分摊。公共区域的水电费用按各户建筑面积比例分摊，乙方应每半年在小区公告栏及业主服务平台（https://anju-pm.cn/notice）公布分摊明细，接受业主监督。对分摊金额有异议的，甲方可在公布之日起30日内书面提出复核申请。",
        traditional="第五條　公共水電分攤。公共區域的水電費用按各戶建築面積比例分攤，乙方應每半年在小區公告欄及業主服務平台（https://anju-pm.cn/notice）公佈分攤明細，接受業主監督。對分攤金額有異議的，甲方可在公佈之日起30日內書面提出復核申請。",
    ),
    SampleText(
        key="clause-6",
        simplified="第六条　装修管理。甲方装修房屋前，应当向乙方申报登记，提交装修方案和施工单位资质证明，并缴纳装修保证金人民币3000元。装修期间不得拆改承重墙体，不得占用公共通道堆放材料，每日施工时间为上午八点至十二点、下午两点至六点，法定节假日不得进行产生噪声的作业。",
        traditional="第六條　裝修管理。甲方裝修房屋前，應當向乙方申報登記，提交裝修方案和施工單位資質證明，並繳納裝修保證金人民幣3000元。裝修期間不得拆改承重牆體，不得佔用公共通道堆放材料，每日施工時間為上午八點至十二點、下午兩點至六點，法定節假日不得進行產生噪聲的作業。",
    ),
    SampleText(
        key="clause-7",
        simplified="第七条　车位管理。小区地下车位实行登记管理，甲方租用车位的，应与乙方另行签订车位使用协议，车位管理费为每月300.00元。车辆进出须使用登记的电子标签（编号 CP-2024-0381），临时车辆按小区公示标准收费，首小时免费。",
        traditional="第七條　車位管理。小區地下車位實行登記管理，甲方租用車位的，應與乙方另行簽訂車位使用協議，車位管理費為每月300.00元。車輛進出須使用登記的電子標籤（編號 CP-2024-0381），臨時車輛按小區公示標準收費，首小時免費。",
    ),
    SampleText(
        key="clause-8",
        simplified="第八条　甲方的权利与义务。甲方有权监督乙方的服务质量，对不符合约定标准的服务提出整改意见；甲方应当遵守《临时管理规约》，按时缴纳物业服务费，不得擅自改变房屋用途，不得在共用部位私搭乱建，饲养宠物应当遵守有关规定并及时清理。",
        traditional="第八條　甲方的權利與義務。甲方有權監督乙方的服務質量，對不符合約定標準的服務提出整改意見；甲方應當遵守《臨時管理規約》，按時繳納物業服務費，不得擅自改變房屋用途，不得在共用部位私搭亂建，飼養寵物應當遵守有關規定並及時清理。",
    ),
    SampleText(
        key="clause-9",
        simplified="第九条　乙方的权利与义务。乙方应当按照国家标准和本合同约定提供服务，建立完整的物业管理档案，妥善保管业主资料，不得泄露业主个人信息；乙方可以将专项服务委托给专业单位，但不得将全部物业管理一并委托他人，并应对受托单位的服务承担责任。",
        traditional="第九條　乙方的權利與義務。乙方應當按照國家標準和本合同約定提供服務，建立完整的物業管理檔案，妥善保管業主資料，不得洩露業主個人信息；乙方可以將專項服務委託給專業單位，但不得將全部物業管理一併委託他人，並應對受託單位的服務承擔責任。",
    ),
    SampleText(
        key="clause-10",
        simplified="第十条　维修资金。共用部位、共用设施设备保修期满后的大中修和更新改造费用，从专项维修资金中列支。使用维修资金应当经专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主同意，乙方应当将使用情况向全体业主公示。",
        traditional="第十條　維修資金。共用部位、共用設施設備保修期滿後的大中修和更新改造費用，從專項維修資金中列支。使用維修資金應當經專有部分面積佔比三分之二以上的業主且人數佔比三分之二以上的業主同意，乙方應當將使用情況向全體業主公示。",
    ),
    SampleText(
        key="clause-11",
        simplified="第十一条　违约责任。甲方逾期缴纳物业服务费的，自逾期之日起按日加收欠缴金额万分之五的滞纳金；乙方未达到约定服务标准的，甲方可以要求限期整改，逾期未整改的，按当月物业服务费的百分之十向甲方支付违约金。因不可抗力造成损失的，双方均不承担责任。",
        traditional="第十一條　違約責任。甲方逾期繳納物業服務費的，自逾期之日起按日加收欠繳金額萬分之五的滯納金；乙方未達到約定服務標準的，甲方可以要求限期整改，逾期未整改的，按當月物業服務費的百分之十向甲方支付違約金。因不可抗力造成損失的，雙方均不承擔責任。",
    ),
    SampleText(
        key="clause-12",
        simplified="第十二条　合同期限。本合同期限自2024年1月1日起至2026年12月31日止，共三年。合同期满前三个月，双方应就续签事宜进行协商；业主大会选聘新物业服务企业的，乙方应当在30日内办理交接手续，移交全部档案资料及钥匙。",
        traditional="第十二條　合同期限。本合同期限自2024年1月1日起至2026年12月31日止，共三年。合同期滿前三個月，雙方應就續簽事宜進行協商；業主大會選聘新物業服務企業的，乙方應當在30日內辦理交接手續，移交全部檔案資料及鑰匙。",
    ),
    SampleText(
        key="clause-13",
        simplified="第十三条　争议解决。本合同履行过程中发生争议的，双方应当协商解决；协商不成的，可以向物业所在地的人民调解委员会申请调解，或者向深圳市南山区人民法院提起诉讼。",
        traditional="第十三條　爭議解決。本合同履行過程中發生爭議的，雙方應當協商解決；協商不成的，可以向物業所在地的人民調解委員會申請調解，或者向深圳市南山區人民法院提起訴訟。",
    ),
    SampleText(
        key="clause-14",
        simplified="第十四条　其他事项。本合同一式三份，甲乙双方各执一份，报街道办事处备案一份，具有同等法律效力。本合同未尽事宜，双方可另行签订补充协议，补充协议与本合同具有同等效力。联系邮箱：service@anju-pm.cn，客服热线：400-820-6688。",
        traditional="第十四條　其他事項。本合同一式三份，甲乙雙方各執一份，報街道辦事處備案一份，具有同等法律效力。本合同未盡事宜，雙方可另行簽訂補充協議，補充協議與本合同具有同等效力。聯繫郵箱：service@anju-pm.cn，客服熱線：400-820-6688。",
    ),
)
CONTRACT_FOOTER = SampleText(
    key="contract-footer",
    simplified="甲方签字：王建国　　乙方盖章：安居物业服务有限公司　　日期：2024年1月1日",
    traditional="甲方簽字：王建國　　乙方蓋章：安居物業服務有限公司　　日期：2024年1月1日",
)


def contract_text(script: Script, index: int = 0, *, target_chars: int = 1300) -> str:
    """A dense contract page in the given script: the header, then consecutive clauses (starting
    at a clause that depends on ``index``) until about ``target_chars`` characters, then the
    signature line."""
    parts = [CONTRACT_HEADER.in_script(script).rstrip("\n")]
    length = len(parts[0]) + len(CONTRACT_FOOTER.in_script(script))
    start = (index * 5) % len(CONTRACT_CLAUSES)
    for k in range(len(CONTRACT_CLAUSES)):
        clause = CONTRACT_CLAUSES[(start + k) % len(CONTRACT_CLAUSES)].in_script(script)
        if length + len(clause) > target_chars + 60 and length >= target_chars - 200:
            break
        parts.append(clause)
        length += len(clause)
    parts.append(CONTRACT_FOOTER.in_script(script))
    return "\n".join(parts)


# Short texts for the test suite: a handful of lines keeps each tesseract run well under a second.
SHORT_TEXTS: dict[Script, str] = {
    "simplified": "物业服务费缴费通知\n房号 A-3-1201 业主王建国\n装修申请已经批准\nDossier ABC-123",
    "traditional": "物業服務費繳費通知\n房號 A-3-1201 業主王建國\n裝修申請已經批准\nDossier ABC-123",
}


def sample_text(script: Script, index: int = 0) -> str:
    """The ``index``-th sample text (cycling) in the given script."""
    return SAMPLE_TEXTS[index % len(SAMPLE_TEXTS)].in_script(script)


# ---------------------------------------------------------------------------------------------
# Character error rate
# ---------------------------------------------------------------------------------------------


def _strip_ws(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def levenshtein(a: Sequence[str], b: Sequence[str]) -> int:
    """Edit distance (insertions, deletions, substitutions) in O(len(b)) memory."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str, *, nfkc: bool = False) -> float:
    """Character error rate: edit distance over the reference length, whitespace ignored.

    Whitespace is ignored because tesseract spaces CJK text arbitrarily and line breaks depend on
    layout, neither of which matters to a reader or to search. ``nfkc=True`` additionally folds
    full-width/half-width variants (``：`` vs ``:``), which OCR engines confuse and which the
    search analyser folds anyway; the benchmark reports both.
    """
    ref, hyp = _strip_ws(reference), _strip_ws(hypothesis)
    if nfkc:
        ref, hyp = unicodedata.normalize("NFKC", ref), unicodedata.normalize("NFKC", hyp)
    if not ref:
        return 0.0 if not hyp else 1.0
    return levenshtein(ref, hyp) / len(ref)


# ---------------------------------------------------------------------------------------------
# Fonts
# ---------------------------------------------------------------------------------------------

_FAMILY = {
    ("sans", "simplified"): "Noto Sans CJK SC",
    ("sans", "traditional"): "Noto Sans CJK TC",
    ("serif", "simplified"): "Noto Serif CJK SC",
    ("serif", "traditional"): "Noto Serif CJK TC",
}


def find_cjk_font(script: Script = "simplified", style: Style = "sans") -> tuple[str, int]:
    """(font file, face index) of the Noto CJK face for the script (see ``dossier.fonts``).

    The region matters: SC and TC faces draw some shared code points differently, and a scan of a
    Taiwanese or Hong Kong document uses the Traditional forms.
    """
    from dossier.fonts import find_font

    return find_font(_FAMILY[(style, script)])


@functools.lru_cache(maxsize=32)
def _font(script: Script, style: Style, size_px: int) -> ImageFont.FreeTypeFont:
    path, index = find_cjk_font(script, style)
    return ImageFont.truetype(path, size_px, index=index)


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def page_size_px(paper: str | tuple[float, float], dpi: int) -> tuple[int, int]:
    width_mm, height_mm = PAPER_MM[paper] if isinstance(paper, str) else paper
    return round(width_mm / MM_PER_INCH * dpi), round(height_mm / MM_PER_INCH * dpi)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width_px: int) -> list[str]:
    """Greedy line breaking that keeps Latin words and numbers whole."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens: list[str] = []
        for ch in paragraph:
            # Glue runs of ASCII letters/digits/punctuation into one token.
            if (
                tokens
                and ch.isascii()
                and not ch.isspace()
                and tokens[-1][-1].isascii()
                and not tokens[-1][-1].isspace()
            ):
                tokens[-1] += ch
            else:
                tokens.append(ch)
        line = ""
        for token in tokens:
            candidate = line + token
            if line and font.getlength(candidate) > width_px:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def render_page(
    text: str,
    *,
    script: Script = "simplified",
    paper: str | tuple[float, float] = "A4",
    dpi: int = 300,
    font_pt: float = 12.0,
    style: Style = "sans",
    margin_mm: float = 15.0,
    line_spacing: float = 1.6,
    skew: float = 0.0,
    rotate: int = 0,
    noise: float = 0.0,
    blur: float = 0.0,
    jpeg_quality: int | None = None,
    seed: int = 0,
) -> Image.Image:
    """Render ``text`` as a grayscale scan of the given paper size.

    ``skew`` rotates the content by that many degrees counter-clockwise inside the page (a sheet
    fed crookedly); ``rotate`` (0/90/180/270, counter-clockwise) turns the whole page (a sheet fed
    sideways or upside down). ``noise`` is the standard deviation of gaussian sensor noise in grey
    levels, ``blur`` a gaussian radius in pixels, ``jpeg_quality`` a JPEG round-trip. Everything is
    seeded, so the same arguments give the same pixels.
    """
    if rotate % 90:
        raise ValueError("rotate must be a multiple of 90 degrees")
    width, height = page_size_px(paper, dpi)
    font = _font(script, style, max(8, round(font_pt / 72 * dpi)))
    margin = round(margin_mm / MM_PER_INCH * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    line_height = round(font.size * line_spacing)
    y = margin
    for line in _wrap(text, font, width - 2 * margin):
        if y + line_height > height - margin:
            raise ValueError("text does not fit on the page; use a larger paper or smaller font")
        draw.text((margin, y), line, font=font, fill=20)
        y += line_height
    if skew:
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if rotate % 360:
        image = image.rotate(rotate % 360, expand=True)
    return degrade(image, noise=noise, blur=blur, jpeg_quality=jpeg_quality, seed=seed)


def degrade(
    image: Image.Image,
    *,
    noise: float = 0.0,
    blur: float = 0.0,
    jpeg_quality: int | None = None,
    seed: int = 0,
) -> Image.Image:
    """Scanner-like degradation: blur, then gaussian noise, then a JPEG round-trip."""
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        import numpy as np

        rng = np.random.default_rng(seed)
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels + rng.normal(0.0, noise, pixels.shape).astype(np.float32)
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    if jpeg_quality:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=jpeg_quality)
        buffer.seek(0)
        image = Image.open(buffer)
        image.load()
    return image


def save_page(image: Image.Image, path: str | Path, *, dpi: int = 300, **options) -> Path:
    """Save with the resolution recorded in the file (PNG pHYs, JPEG JFIF, TIFF tags)."""
    path = Path(path)
    image.save(path, dpi=(dpi, dpi), **options)
    return path


def make_pdf(images: Iterable[Image.Image], path: str | Path, *, dpi: int = 300) -> Path:
    """A scanned multi-page PDF: one image per page, page size from ``dpi`` (Pillow's PDF writer)."""
    images = list(images)
    path = Path(path)
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


def make_tiff(
    images: Iterable[Image.Image], path: str | Path, *, dpi: int = 300, compression: str = "tiff_lzw"
) -> Path:
    """A multi-page TIFF, as sheet-fed scanners write by default."""
    images = list(images)
    path = Path(path)
    images[0].save(
        path, "TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi), compression=compression
    )
    return path


def make_born_digital_pdf(
    pages: Sequence[str], path: str | Path, *, script: Script = "simplified", font_pt: float = 12.0
) -> Path:
    """A born-digital PDF (word processor output): real text, no image, one text per page."""
    from fpdf import FPDF

    font_path, index = find_cjk_font(script, "sans")
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("NotoCJK", "", font_path, collection_font_number=index)
    pdf.set_font("NotoCJK", size=font_pt)
    pdf.set_auto_page_break(True, margin=15)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, font_pt * 0.6, text)
    path = Path(path)
    pdf.output(str(path))
    return path


def bench_page(
    index: int, *, seed: int = 0, paper: str = "A4", dpi: int = 300, dense: bool = False
) -> tuple[Image.Image, str, Script]:
    """The ``index``-th benchmark page: alternating scripts, random skew (±2°), noise, blur, JPEG.

    ``dense=False`` renders one of the short sample records (300-400 characters, a few
    paragraphs at the top of the sheet); ``dense=True`` a contract page filled with 1,000-1,500
    characters at 10.5-12 pt, like most pages of a real folder (the OCR throughput benchmark
    uses these: tesseract's time grows with the text on the page, fixed per-page costs do not).
    Returns (image, ground truth, script). Deterministic for a given (index, seed, dense).
    """
    rng = random.Random(f"{seed}:{index}" + (":dense" if dense else ""))
    script: Script = "simplified" if index % 2 == 0 else "traditional"
    # (The draws stay in this order so that the sparse pages are the ones earlier figures used.)
    target = 0
    if dense:
        target = rng.randint(1000, 1500)
        text = contract_text(script, index // 2, target_chars=target)
        line_spacing = rng.choice([1.5, 1.6])
    else:
        text = sample_text(script, index // 2)
        line_spacing = 1.6
    style: Style = "serif" if rng.random() < 0.5 else "sans"
    font_pt = rng.choice([10.5, 11.0, 12.0] if dense else [10.5, 12.0])
    options = dict(
        skew=rng.uniform(-2.0, 2.0),
        noise=rng.uniform(6.0, 14.0),
        blur=rng.uniform(0.4, 1.0),
        jpeg_quality=rng.choice([70, 80, 90]),
        seed=rng.randrange(2**31),
    )
    while True:
        try:
            image = render_page(
                text,
                script=script,
                paper=paper,
                dpi=dpi,
                style=style,
                font_pt=font_pt,
                line_spacing=line_spacing,
                **options,
            )
            break
        except ValueError:
            if not dense or target <= 600:
                raise
            target -= 150  # 1,500 characters of short clauses at 12 pt can overrun the sheet
            text = contract_text(script, index // 2, target_chars=target)
    return image, text, script


# ---------------------------------------------------------------------------------------------
# OCR'd samples shared by the ingest tests
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OcrSample:
    script: Script
    truth: str
    prepared: object  # ingest.preprocess.PreparedPage
    result: object  # ingest.ocr.OcrResult


@functools.lru_cache(maxsize=1)
def ocr_samples() -> dict[Script, OcrSample]:
    """One small Simplified and one small Traditional page, prepared and OCR'd once per process.

    Tesseract is the slow part of the test suite, so the OCR and derivatives tests share these
    (four tesseract runs in all) instead of each reading its own pages. The files live in a
    temporary directory removed at exit.
    """
    import atexit
    import shutil
    import tempfile

    from ingest.ocr import ocr_page
    from ingest.preprocess import prepare_for_ocr

    workdir = Path(tempfile.mkdtemp(prefix="dossier-ocr-samples-"))
    atexit.register(shutil.rmtree, workdir, True)
    samples: dict[Script, OcrSample] = {}
    for script, skew in (("simplified", 0.0), ("traditional", 0.8)):
        truth = SHORT_TEXTS[script]
        image = render_page(
            truth, script=script, paper="strip", dpi=300, skew=skew, noise=6, blur=0.5, seed=5
        )
        page = save_page(image, workdir / f"{script}.png")
        prepared = prepare_for_ocr(page, workdir / f"{script}.prepared.png")
        result = ocr_page(prepared, workdir / f"{script}.pdf")
        samples[script] = OcrSample(script, truth, prepared, result)
    return samples
