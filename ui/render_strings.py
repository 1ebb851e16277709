"""The web UI's own words in English and Chinese, and which of the two a browser asks for.

Empty states show both languages; the rest follows the browser's language.
"""
from __future__ import annotations

STRINGS = {
    "en": {
        "you": "You",
        "assistant": "Assistant",
        "thinking": "Finding the evidence…",
        "rewording": "The model is re-wording this answer; it is kept only if every sentence is backed by its sources…",
        "finishing": "checking the wording",
        "by_program": "composed from the CVs by the program",
        "by_model": "worded by the model, verified against the sources",
        "abstained": "not in the CVs",
        "sources_for": "Sources for",
        "show_sources": "sources",
        "show_source": "source",
        "sources_col": "Sources",
        "view_document": "View document",
        "back": "← Back to sources",
        "chars": "chars",
        "cited_here": "cited passages highlighted",
        "cited_here_1": "cited passage highlighted",
        "doc_missing": "This document is no longer in the store.",
        "doc_changed": "The document changed since this answer; showing the cited passage alone.",
        "doc_clipped": "Long document: showing the parts around the cited passages.",
        "no_sources": "This answer has no citations: the CVs don't state it.",
        "panel_empty": "Citations appear here. Click a [n] marker in an answer to see its passage in context.",
        "candidate": "Candidate",
        "evidence": "What the CV says",
        "count": "Evidence",
        "match": "Match",
        "rank": "#",
        "no_candidates": "No candidates yet.",
        "files": "files",
        "aka": "also",
        "flag": "flag",
        "added": "added",
        "replaced": "replaced",
        "unchanged": "unchanged",
        "failed": "failed",
        "passages": "passages",
        "upload_summary": "Upload results",
        "error": "Something went wrong",
        "scope": "Asking about",
        "with_jd": "matched against the job description",
        "note": "note",
    },
    "zh": {
        "you": "你",
        "assistant": "助手",
        "thinking": "正在查找证据…",
        "rewording": "模型正在改写这条回答；只有每句话都有出处支持时才会采用…",
        "finishing": "正在核对措辞",
        "by_program": "由程序根据简历生成",
        "by_model": "模型改写，已按出处核验",
        "abstained": "简历中没有",
        "sources_for": "出处：",
        "show_sources": "出处",
        "show_source": "出处",
        "sources_col": "出处",
        "view_document": "查看全文",
        "back": "← 返回出处",
        "chars": "字符",
        "cited_here": "处引用已高亮",
        "cited_here_1": "处引用已高亮",
        "doc_missing": "该文档已不在库中。",
        "doc_changed": "该文档在回答后已变更；只显示引用的段落。",
        "doc_clipped": "文档较长：只显示引用段落附近的内容。",
        "no_sources": "这条回答没有引用：简历中没有相关信息。",
        "panel_empty": "引用会显示在这里。点击回答中的 [n] 标记即可查看该段落及上下文。",
        "candidate": "候选人",
        "evidence": "简历内容",
        "count": "证据",
        "match": "匹配度",
        "rank": "#",
        "no_candidates": "还没有候选人。",
        "files": "文件",
        "aka": "又名",
        "flag": "标记",
        "added": "已添加",
        "replaced": "已替换",
        "unchanged": "未变化",
        "failed": "失败",
        "passages": "段",
        "upload_summary": "上传结果",
        "error": "出错了",
        "scope": "限定候选人",
        "with_jd": "按职位描述匹配",
        "note": "备注",
    },
}


def t(lang: str, key: str) -> str:
    return STRINGS.get(lang, STRINGS["en"]).get(key) or STRINGS["en"][key]


def lang_from_header(accept_language: str | None) -> str:
    """'zh-CN,zh;q=0.9,en;q=0.8' → 'zh'; anything else → 'en'."""
    first = (accept_language or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"
