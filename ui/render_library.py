"""The candidate library as the web UI shows it: candidate labels and list, per-file upload results,
and the status line (which model words the answers, how many candidates)."""
from __future__ import annotations

from collections.abc import Sequence

from recruiter.ui.render_strings import t
from recruiter.ui.render_text import esc


def candidate_label(c) -> str:
    """A plain-text label (Gradio escapes it) for the scope checkboxes."""
    others = [n for n in list(c.aliases) + list(c.former_names) if n and n != c.name]
    return c.name + (f" · {', '.join(others[:3])}" if others else "")


def render_candidates(candidates: Sequence, lang: str = "en") -> str:
    if not candidates:
        return (f'<div class="cands empty">{t(lang, "no_candidates")} '
                f'{"上传简历开始。" if lang == "zh" else "Upload CVs to begin."}</div>')
    rows = []
    for c in candidates:
        aka = [n for n in list(c.aliases) + list(c.former_names) if n and n != c.name]
        flags = "".join(f'<span class="flag" title="{esc(f)}">⚠ {esc(f)}</span>' for f in c.flags)
        rows.append(f'<li data-candidate="{esc(c.id)}"><b class="cand">{esc(c.name)}</b>'
                    + (f' <span class="aka">{t(lang, "aka")}: {esc(", ".join(aka))}</span>' if aka else "")
                    + f'<div class="files">{esc(", ".join(c.sources))}</div>{flags}</li>')
    return f'<ul class="cands">{"".join(rows)}</ul>'


_STATUS_MARK = {"added": "+", "replaced": "~", "unchanged": "=", "failed": "✗"}


def render_ingest_results(results: Sequence, lang: str = "en") -> str:
    """One block per file: what happened to it and, when it failed, why and what to do."""
    if not results:
        return ""
    counts: dict[str, int] = {}
    rows = []
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status == "failed":
            detail = f'<div class="msg-text">{esc(r.message)}</div>'
        elif r.status == "unchanged":
            detail = f'<div class="detail">{esc(r.candidate)}</div>'
        else:
            detail = f'<div class="detail">→ {esc(r.candidate)} · {int(r.passages)} {t(lang, "passages")}</div>'
        detail += "".join(f'<div class="warn">⚠ {esc(w)}</div>' for w in r.warnings)
        status = t(lang, r.status) if r.status in _STATUS_MARK else esc(r.status)
        reason = f' <span class="reason">{esc(r.reason)}</span>' if r.status == "failed" and r.reason else ""
        rows.append(f'<div class="res st-{esc(r.status)}"><div class="res-head"><span class="mark">'
                    f'{_STATUS_MARK.get(r.status, "?")}</span><span class="fname">{esc(r.source)}</span>'
                    f'<span class="status">{status}</span>{reason}</div>{detail}</div>')
    summary = ", ".join(f"{n} {t(lang, s) if s in _STATUS_MARK else esc(s)}" for s, n in sorted(counts.items()))
    return (f'<div class="ingest-results"><div class="summary">{t(lang, "upload_summary")}: {summary}</div>'
            f'{"".join(rows)}</div>')


def render_status(desc: dict, n_candidates: int, lang: str = "en") -> str:
    """The status line: which model words the answers and whether anything leaves the machine."""
    provider = desc.get("provider") or "none"
    remote = bool(desc.get("remote"))
    model = desc.get("model")
    if provider == "none":
        who = "No language model" if lang != "zh" else "未使用语言模型"
        where = ("answers are composed from the CVs by the program; nothing leaves this machine."
                 if lang != "zh" else "回答由程序根据简历生成；数据不会离开本机。")
    elif remote:
        who = f"Model {model or provider}" if lang != "zh" else f"模型 {model or provider}"
        where = desc.get("summary") or ""
    else:
        who = f"Local model {model or ''}".strip() if lang != "zh" else f"本地模型 {model or ''}".strip()
        where = "everything stays on this machine." if lang != "zh" else "所有数据都留在本机。"
    cands = (f"{n_candidates} candidate{'s' if n_candidates != 1 else ''}" if lang != "zh"
             else f"{n_candidates} 位候选人")
    return (f'<div class="status-line {"remote" if remote else "local"}"><span class="dot"></span>'
            f'<b>{esc(who)}</b> — {esc(where)} <span class="muted">· {cands}</span></div>')
