"""Protected attributes in a CV: found at ingest so that ranking, matching and comparing never use them.

A CV may state the candidate's birth date or age, gender, marital status, nationality or origin,
ethnicity, religion, health, political affiliation, or carry a photo. None of these is job-relevant
evidence. ``protected_spans`` finds them (Chinese and English, rules only) as character spans of the
text, so callers can leave those spans out of scoring (``mask_protected`` blanks them and keeps every
offset, so citations stay exact) and flag the candidate (``protected_flag``).

What counts as a marker: a labelled field (性别：男, "Gender: female", 出生年月：1990.01, "DOB: …"),
a bare field value in a header line (张三 | 男 | 已婚, 高勇：男，中国国籍), an honorific that states
gender (苏红女士, 刘先生, Ms. Lee), and free phrases that state the attribute (出生于1979年7月,
1966年出生, 现年45岁, "29 years old", "born in 1990", 汉族, 中共党员, 无境外居留权, 已婚).
Third-person pronouns (he/she, 他/她) are grammar, not fields: they are not reported.
"""
from __future__ import annotations

import re

KINDS = ("birth_date", "age", "gender", "marital_status", "nationality", "ethnicity", "religion",
         "health", "photo", "political")

_HAN = "\u4e00-\u9fff\u3400-\u4dbf"
# Characters that end or start a field in a header line ("张三 | 男 | 1990年出生", "高勇：男，中国国籍").
_SEP = r"\s,，、:：;；|｜/（）()•·\[\]【】"
_BEFORE = rf"(?<![^{_SEP}])"         # start of text or a separator before
_AFTER = rf"(?![^{_SEP}。.])"        # end of text, a separator or a full stop after

# ---- labelled fields ----------------------------------------------------------------------------
# label regex -> kind. The value runs to the end of the field (a separator, two spaces or the line end).
_ZH_LABELS = {
    r"出生(?:年月日?|日期|年份|年月)|生日|出生时间": "birth_date",
    r"年龄|年纪": "age",
    r"性别": "gender",
    r"婚姻(?:状况|状态|情况)?|婚否|婚育(?:状况|情况)?": "marital_status",
    r"国籍|籍贯|户籍(?:所在地)?|户口(?:所在地)?|出生地|生源地": "nationality",
    r"民族": "ethnicity",
    r"宗教(?:信仰)?|信仰": "religion",
    r"健康(?:状况|情况)?|身体(?:状况|情况)|身高|体重|血型|视力": "health",
    r"照片|相片|头像|证件照": "photo",
    r"政治面貌|党派": "political",
}
_EN_LABELS = {
    r"date of birth|birth ?date|birthday|d\.?o\.?b\.?|born": "birth_date",
    r"age": "age",
    r"gender|sex|pronouns": "gender",
    r"marital status|civil status|family status|marital": "marital_status",
    r"nationality|citizenship|national origin|place of birth|country of birth|hometown": "nationality",
    r"ethnicity|ethnic (?:origin|group|background)|race": "ethnicity",
    r"religion|religious (?:affiliation|belief)s?|faith": "religion",
    r"health(?: status)?|medical (?:condition|history)|disabilit(?:y|ies)|height|weight|blood (?:type|group)":
        "health",
    r"photo(?:graph)?|picture|headshot": "photo",
    r"political (?:affiliation|party|views)|party membership": "political",
}
_ZH_VALUE = r"[^\n，,、;；|｜。]{0,30}?(?=\s{2,}|[\n，,、;；|｜。]|$)"
_EN_VALUE = (r"[^\n;；|｜]{0,40}?(?=\s*[,，]\s*[A-Za-z][A-Za-z .]{0,25}[:：]|\s{2,}|\s*[\n;；|｜]|\s*$)")


def _label_rx(labels: dict[str, str], value: str, flags: int) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(rf"{_BEFORE}(?:{lab})\s*[:：]\s*{value}", flags), kind) for lab, kind in labels.items()]


_LABELLED = _label_rx(_ZH_LABELS, _ZH_VALUE, re.M) + _label_rx(_EN_LABELS, _EN_VALUE, re.M | re.I)

# ---- free phrases --------------------------------------------------------------------------------
_DATE_ZH = r"(?:19|20)\d{2}\s*(?:年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|[./-]\s*\d{1,2}(?:\s*[./-]\s*\d{1,2})?)"
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_ETHNIC_ZH = ("汉|回|满|蒙古|藏|维吾尔|壮|苗|彝|土家|朝鲜|侗|瑶|白|哈尼|哈萨克|黎|傣|畲|傈僳|仡佬|东乡|"
              "拉祜|水|佤|纳西|羌|土|仫佬|锡伯|柯尔克孜|达斡尔|景颇|毛南|撒拉|布依|布朗|塔吉克|阿昌|普米|"
              "鄂温克|怒|京|基诺|德昂|保安|俄罗斯|裕固|乌孜别克|门巴|鄂伦春|独龙|塔塔尔|赫哲|高山|珞巴")
_PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
              "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门")
# "负责人", "创始人" … end in 人 but name a role, not where someone is from.
_ROLE_REN = "负责|创始|联系|发起|候选|合伙|经纪|代理|责任|带头|接班|领导|管理|监护|保荐|代表|推荐|承包|主持|法定"

_FREE: list[tuple[re.Pattern, str]] = [(re.compile(rx, fl), kind) for rx, fl, kind in [
    # birth date
    (rf"(?:出生于|生于|出生在)\s*{_DATE_ZH}", 0, "birth_date"),
    (rf"{_DATE_ZH}\s*(?:出生|生人|生)(?![{_HAN}]{{0,1}}(?:产|活|物|态|命|成|效|意))", 0, "birth_date"),
    (r"\bborn\b(?:\s+(?:on|in))?[^.\n;|]{0,30}?\b(?:19|20)\d{2}\b", re.I, "birth_date"),
    (rf"\bborn\s+(?:on\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTHS}", re.I, "birth_date"),
    # age
    (r"(?:现年|今年|年龄\s*[:：]?)\s*\d{1,3}\s*(?:周?岁)?", 0, "age"),
    (r"(?<![\d.])\d{2}\s*周?岁(?!以[上下]|之前|之后|起|时|那年|开始)", 0, "age"),
    (r"\b(?:aged?)\s*[:：]?\s*\d{1,3}\b(?!\s*(?:%|years? of|yrs? of))", re.I, "age"),
    (r"\b\d{1,3}[- ]?(?:years?|yrs?)[- ]old\b", re.I, "age"),
    # gender: a bare 男/女 field, a name run into it (郑志华男，), an honorific, an English title
    (rf"{_BEFORE}[男女](?:性)?{_AFTER}", 0, "gender"),
    (rf"(?m)(?<=^[{_HAN}]{{2}})[男女](?=[，,、;；])|(?<=^[{_HAN}]{{3}})[男女](?=[，,、;；])", 0, "gender"),
    (rf"(?<=[{_HAN}])(?:先生|女士|男士|小姐)", 0, "gender"),
    (r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?(?=\s+[A-Z])", 0, "gender"),
    (r"(?m)(?:^|(?<=[|｜•·/,;]))\s*(?:male|female|man|woman|non-binary)\s*(?=$|[|｜•·/,;])", re.I, "gender"),
    (r"\b(?:he/him|she/her|they/them)(?:/(?:his|hers|theirs))?\b", re.I, "gender"),
    # marital status
    (r"已婚(?:已育|未育)?|未婚(?:未育)?|离异|丧偶|已育|未育|育有[一二两三1-3][子女个孩]", 0, "marital_status"),
    (r"\b(?:married|unmarried|divorced|widowed|separated)\b(?:\s+with\s+(?:\w+\s+)?(?:children|kids|a child))?",
     re.I, "marital_status"),
    (r"(?m)(?:^|(?<=[|｜•·/,;]))\s*single\s*(?=$|[|｜•·/,;])", re.I, "marital_status"),
    # nationality, citizenship, origin
    (rf"[{_HAN}]{{0,4}}国国?籍|{_BEFORE}(?:外|港|澳|台)籍", 0, "nationality"),
    (r"无境外(?:永久)?居留权|(?:拥有|有|持有)[^，,。；;\n]{0,8}?(?:永久)?居留权|[^，,。；;\n]{0,6}绿卡", 0, "nationality"),
    (rf"{_BEFORE}(?:中国)?(?:台湾|香港|澳门)(?:居民|同胞|籍)?{_AFTER}", 0, "nationality"),
    (rf"{_BEFORE}(?:{_PROVINCES})[{_HAN}]{{0,6}}?(?<!{_ROLE_REN})人(?=[{_SEP}。]|$)", 0, "nationality"),
    (r"\b(?:[A-Z][a-z]+|U\.?S\.?|U\.?K\.?)\s+(?:citizen(?:ship)?|national)\b", 0, "nationality"),
    # ethnicity
    (rf"(?:{_ETHNIC_ZH})族(?![{_HAN}]{{0,1}}(?:语|文|群))|少数民族", 0, "ethnicity"),
    # religion
    (r"(?:信仰|信奉|皈依)\s*(?:基督教|天主教|伊斯兰教|佛教|道教|东正教|犹太教)|基督徒|穆斯林|佛教徒|天主教徒", 0,
     "religion"),
    (r"\b(?:a |devout |practi[cs]ing )(?:Christian|Catholic|Muslim|Buddhist|Hindu|Jew|Sikh|Mormon)\b", 0,
     "religion"),
    # health
    (r"身体健康|健康状况良好|身高\s*[:：]?\s*\d{3}\s*(?:cm|CM|厘米|公分)?|体重\s*[:：]?\s*\d{2,3}\s*(?:kg|KG|公斤|斤)?"
     r"|残疾|残障|怀孕|孕期", 0, "health"),
    (r"\b(?:I am|I'm|currently) (?:disabled|pregnant)\b|\b(?:my|a) (?:chronic illness|medical condition|disability)\b",
     re.I, "health"),
    # photo
    (r"(?:免冠|证件|个人|生活|彩色|近期)?(?:照片|相片)|证件照|免冠照|近照|头像", 0, "photo"),
    (r"\[(?:photo|picture|headshot)\]|\b(?:photo|headshot|picture)\s+(?:attached|enclosed|of (?:me|myself))\b",
     re.I, "photo"),
    # political affiliation (common on Chinese CVs)
    (r"中共(?:预备)?党员|中国共产党党员|共产党员|共青团员|预备党员|民主党派(?:成员)?|民革党员|民盟盟员|九三学社社员", 0,
     "political"),
]]

_ALL = _LABELLED + _FREE


def protected_spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every protected-attribute marker in ``text``, sorted; spans of one kind
    that overlap or touch are merged. ``kind`` is one of KINDS."""
    if not text:
        return []
    found: dict[str, list[tuple[int, int]]] = {}
    for rx, kind in _ALL:
        for m in rx.finditer(text):
            s, e = m.span()
            # trim whitespace at the edges so spans are tight
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                found.setdefault(kind, []).append((s, e))
    out: list[tuple[str, int, int]] = []
    for kind, spans in found.items():
        spans.sort()
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        out += [(kind, s, e) for s, e in merged]
    out.sort(key=lambda t: (t[1], t[2], t[0]))
    return out


def protected_kinds(text: str) -> list[str]:
    """The kinds present, in KINDS order."""
    present = {k for k, _, _ in protected_spans(text)}
    return [k for k in KINDS if k in present]


def mask_protected(text: str, spans: list[tuple[str, int, int]] | None = None, fill: str = " ") -> str:
    """``text`` with every protected span blanked (same length, newlines kept): scoring on the result
    cannot see the attributes, and every offset still points into the original text."""
    spans = protected_spans(text) if spans is None else spans
    if not spans:
        return text
    chars = list(text)
    for _, s, e in spans:
        for i in range(max(0, s), min(len(chars), e)):
            if chars[i] != "\n":
                chars[i] = fill
    return "".join(chars)


def protected_flag(text: str) -> str | None:
    """A candidate flag (like injection_flag), or None when the CV states no protected attribute."""
    kinds = protected_kinds(text)
    if not kinds:
        return None
    return ("protected attributes stated (" + ", ".join(k.replace("_", " ") for k in kinds) +
            "): never used in rankings, matches or comparisons")
