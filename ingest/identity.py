"""Who a CV is about: the display name and every other way a recruiter may name them.

Rules only (no model): front matter, 姓名 fields, a leading heading or first line that looks like a
name, "I'm X" plus the author name the CV emphasises, then aliases — the pinyin of a Chinese name in
both orders, Latin names in the CV that match that pinyin, and former names (曾用名, "formerly").
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin

_HAN = r"\u4e00-\u9fff\u3400-\u4dbf"
_HAN_NAME = re.compile(rf"^[{_HAN}]{{2,4}}$")
_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zà-öø-ÿ"   # Latin letters with accents: José Müller-Ñúñez
_LATIN_NAME = re.compile(rf"^[{_UP}][{_UP}{_LO}'\-]+(?: [{_UP}][{_UP}{_LO}'\-]+){{1,2}}$")
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                      "宇文", "司徒", "令狐", "夏侯", "端木", "独孤", "南宫", "西门", "轩辕")
# Lines that look like names but are headings or boilerplate.
_NOT_NAMES = {"about me", "curriculum vitae", "resume", "personal information", "contact", "education",
              "experience", "publications", "skills", "summary", "profile", "简历", "个人简历", "个人信息",
              "教育经历", "教育背景", "实习经历", "工作经历", "项目经历", "技能", "荣誉", "联系方式",
              "google scholar", "company name", "city state",
              # form field labels ("性别：男"), never a person's name
              "性别", "年龄", "民族", "籍贯", "电话", "手机", "邮箱", "地址", "学历", "政治面貌", "出生日期",
              "出生年月", "婚姻状况", "婚姻", "国籍", "身高", "体重", "照片", "健康状况", "宗教", "姓名"}
# Words that make a capitalised line a job title or heading rather than a person's name.
_ROLE_WORDS = set("""details detail skill skills education experience summary profile objective resume
curriculum vitae engineer engineering manager developer senior junior lead data project projects diploma
aggregate assistant accountant analyst consultant director officer specialist teacher chef designer
administrator coordinator executive intern associate representative technician supervisor scientist
researcher professor student support services service sales marketing finance human resources career
personal information contact about me overview qualifications highlights accomplishments certifications
work history employment company name city state bitcoin civil mechanical software hardware""".split())
_SKIP_LINE = re.compile(r"@|https?://|www\.|\d{3}|github|scholar|[|｜:：]|☎|✉", re.I)
_FORMER_ZH = re.compile(rf"曾用名\s*[:：]?\s*([A-Za-z][A-Za-z .'\-]{{1,40}}[A-Za-z]|[{_HAN}]{{2,4}})")
_FORMER_EN = re.compile(r"\b(?:formerly(?: known as)?|née|previously known as)\s+([A-Z][a-z]+(?: [A-Z][a-z]+){1,2})")
_FIELD_NAME = re.compile(rf"(?:姓\s*名|^name)\s*[:：]\s*([{_HAN}]{{2,4}}|[A-Z][a-z]+(?: [A-Z][a-z]+){{1,2}})", re.M | re.I)
_SELF_INTRO = re.compile(r"\b(?:I'm|I am|My name is)\s+([A-Z][a-z]+(?: [A-Z][a-z]+)?)")
_EMPHASISED = re.compile(r"\\textbf\{\s*([A-Z][a-z]+(?: [A-Z][a-z]+){1,2})\s*\*?\}|\*\*\s*([A-Z][a-z]+(?: [A-Z][a-z]+){1,2})\s*\*?\*\*"
                         r"|<b>\s*([A-Z][a-z]+(?: [A-Z][a-z]+){1,2})\s*</b>")
_LATIN_PAIR = re.compile(r"\b([A-Z][a-z]+(?:[- ]?[A-Z]?[a-z]+)?) ([A-Z][a-z]+)\b")


@dataclass
class Identity:
    name: str
    aliases: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)
    confident: bool = True   # False when the name is only the file stem


def _front_matter(text: str) -> tuple[dict, str]:
    """YAML-ish front matter (--- ... ---) as a flat dict, and the text after it."""
    m = re.match(r"\s*---\n(.*?)\n---\n", text, re.S)
    if not m:
        return {}, text
    fields = {}
    for line in m.group(1).splitlines():
        if ":" in line and not line.startswith((" ", "\t", "-")):
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip().strip("\"'")
    return fields, text[m.end():]


def _clean_line(line: str) -> str:
    line = re.sub(r"^#+\s*", "", line.strip())
    line = re.sub(rf"^([{_HAN}]{{2,4}})(?:先生|女士|博士|教授)$", r"\1", line)   # 苏红女士 -> 苏红
    line = line.replace("**", "").replace("__", "").strip()
    return re.sub(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]", "", line).strip()


def _looks_like_name(line: str) -> bool:
    if not line or line.casefold() in _NOT_NAMES or _SKIP_LINE.search(line):
        return False
    if _HAN_NAME.match(line):
        return True
    words = line.split()
    return (bool(_LATIN_NAME.match(line)) and not any(w.isupper() and len(w) > 1 for w in words)
            and not any(w.lower().strip("'") in _ROLE_WORDS for w in words)
            and not re.match(r"(?:I'm|I am|My|The|A|An)\b", line))


def split_han_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name."""
    for s in _COMPOUND_SURNAMES:
        if name.startswith(s) and len(name) > len(s):
            return s, name[len(s):]
    return name[0], name[1:]


def pinyin_names(han_name: str) -> list[str]:
    """冀轲 -> ["Ke Ji", "Ji Ke"]: given-name-first (as on English papers) and surname-first."""
    surname, given = split_han_name(han_name)
    sur = "".join(lazy_pinyin(surname, style=Style.NORMAL)).capitalize()
    giv = "".join(lazy_pinyin(given, style=Style.NORMAL)).capitalize()
    if not sur.isascii() or not giv.isascii():
        return []
    return [f"{giv} {sur}", f"{sur} {giv}"]


def _reversed(latin: str) -> str:
    parts = latin.split()
    return " ".join([parts[-1], *parts[:-1]]) if len(parts) >= 2 else latin


def _detect_name(text: str, fields: dict, body: str) -> str | None:
    for key in ("name", "author", "title"):
        v = fields.get(key, "")
        if v and _looks_like_name(_clean_line(v)):
            return _clean_line(v)
    m = _FIELD_NAME.search(body[:3000])
    if m:
        return m.group(1)
    for raw in body.splitlines()[:12]:
        line = _clean_line(raw)
        if not line:
            continue
        if _looks_like_name(line):
            return line
        # "冀轲  PhD candidate": a name followed by a title on the same line
        head = _clean_line(re.split(r"\s{2,}|\t|,|，|：|:", line)[0])
        if head != line and _looks_like_name(head):
            return head
    # No name line (e.g. a homepage): "I'm Keqing" + the full name the CV emphasises in author lists.
    emphasised = Counter(next(g for g in m.groups() if g) for m in _EMPHASISED.finditer(text))
    intro = _SELF_INTRO.search(body)
    if intro:
        first = intro.group(1).split()[0]
        for full, _ in emphasised.most_common():
            if full.split()[0] == first:
                return full
        if len(intro.group(1).split()) >= 2:
            return intro.group(1)
    if emphasised:
        full, n = emphasised.most_common(1)[0]
        if n >= 3:
            return full
    return None


def detect_identity(text: str, source: str) -> Identity:
    fields, body = _front_matter(text)
    name = _detect_name(text, fields, body)
    confident = name is not None
    if not name:
        stem = re.sub(r"\.[A-Za-z0-9]+$", "", source)
        name = stem
    aliases: list[str] = []
    former: list[str] = []
    for m in _FORMER_ZH.finditer(text):
        former.append(m.group(1).strip())
    for m in _FORMER_EN.finditer(text):
        former.append(m.group(1).strip())
    if _HAN_NAME.match(name):
        aliases += pinyin_names(name)
        # A Latin name in the CV whose letters equal the pinyin (e.g. "Jinyi Han", "Jin-yi Han").
        pinyin_keys = {re.sub(r"[^a-z]", "", a.lower()) for a in aliases}
        for m in _LATIN_PAIR.finditer(text):
            latin = f"{m.group(1)} {m.group(2)}"
            if re.sub(r"[^a-z]", "", latin.lower()) in pinyin_keys and latin not in aliases:
                aliases.append(latin)
    elif confident and " " in name:
        aliases.append(_reversed(name))
    for f in list(former):
        if " " in f:
            rev = _reversed(f)
            if rev not in former:
                former.append(rev)
        elif _HAN_NAME.match(f):
            former += pinyin_names(f)
    seen = {name.casefold()}
    aliases = [a for a in aliases if not (a.casefold() in seen or seen.add(a.casefold()))]
    former = [f for f in former if not (f.casefold() in seen or seen.add(f.casefold()))]
    return Identity(name=name, aliases=aliases, former_names=former, confident=confident)
