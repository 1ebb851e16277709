"""The model's only job: re-word the program's cited answer. Its text survives only if verified."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

from recruiter.assistant.answer import Answer
from recruiter.assistant.lexicon import Lexicon
from recruiter.assistant.verify import verify_model_text
from recruiter.prompts import load

# Structured answers (tables of computed scores, prep packs) are the program's; the model re-words
# plain answers only.
PHRASED_INTENTS = ("single", "list", "compare", "aggregate")


MAX_DRAFT_CHARS = 400
MAX_DRAFT_CITATIONS = 4
# Every prompt token delays the first model token (the 1.5B reads ~50-70 tokens/s on 2 cores), and the
# draft already quotes the facts: passages the draft repeats are left out, the rest cut to this budget.
EVIDENCE_TOKEN_BUDGET = 120
CARRIED_SHARE = 0.8           # a passage whose words are this much in the draft adds nothing to read
# v2: every instruction sits in the system prompt, which llama.cpp keeps in its prompt cache between
# turns; the user message carries only what changes (evidence, question, draft).
SYSTEM_PROMPT, ANSWER_PROMPT = "system.v2", "answer.v2"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+|[\u3400-\u9fff]", text.lower())     # CJK: one character per word


def _carried_by_draft(passage: str, draft_words: set[str]) -> bool:
    words = _words(passage)
    return bool(words) and sum(w in draft_words for w in words) >= CARRIED_SHARE * len(words)


def _evidence_block(answer: Answer, budget: int = EVIDENCE_TOKEN_BUDGET) -> str:
    """Cited passages the draft does not already carry, numbered, inside <cv> delimiters (a CV's own
    "</cv>" can't close the block early), cut to a token budget counted with tiktoken."""
    from recruiter.runtime.tokens import count_tokens, truncate_to_tokens

    draft_words = set(_words(answer.text))
    rows, used = [], 0
    for c in answer.citations:
        if _carried_by_draft(c.text, draft_words):
            continue
        row = f"[{c.n}] ({c.candidate}) {c.text.replace('</cv>', '< /cv>')}"
        n = count_tokens(row)
        if used + n > budget:
            rows.append(truncate_to_tokens(row, max(0, budget - used)))
            break
        rows.append(row)
        used += n
    return "\n".join(r for r in rows if r)


class Phraser:
    def __init__(self, chat, *, lexicon: Lexicon | None = None, max_tokens: int = 220,
                 evidence_budget: int = EVIDENCE_TOKEN_BUDGET):
        self.chat = chat
        self.lexicon = lexicon or Lexicon()
        self.max_tokens = max_tokens
        self.evidence_budget = evidence_budget
        self.system = load(SYSTEM_PROMPT)
        self.template = load(ANSWER_PROMPT)

    def messages(self, question: str, answer: Answer, lang: str) -> list[dict]:
        user = self.template.format(evidence=_evidence_block(answer, self.evidence_budget), question=question,
                                    draft=answer.text, language="in Chinese" if lang == "zh" else "in English")
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]

    def warm_up(self):
        """Let a local model load and cache the system prompt now (see LLMHandle.warm_up); a no-op elsewhere."""
        warm = getattr(self.chat, "warm_up", None)
        return warm([{"role": "system", "content": self.system}]) if warm else None

    @staticmethod
    def will_phrase(answer: Answer) -> bool:
        # long structured answers (lists, several candidates) read best as the program wrote them;
        # a small model re-wording them is slow and mangles markers
        return (answer.intent in PHRASED_INTENTS and bool(answer.citations) and not answer.abstained
                and len(answer.text) <= MAX_DRAFT_CHARS and len(answer.citations) <= MAX_DRAFT_CITATIONS)

    def phrase(self, question: str, answer: Answer, lang: str,
               on_token: Callable[[str], None] | None = None) -> Answer:
        if not self.will_phrase(answer):
            return answer
        pieces: list[str] = []
        try:
            from recruiter.runtime.tokens import count_tokens
            budget = min(self.max_tokens, int(count_tokens(answer.text) * 1.5) + 24)
            for piece in self.chat.stream(self.messages(question, answer, lang), max_tokens=budget,
                                          temperature=0.0):
                pieces.append(piece)
                if on_token:
                    on_token(piece)
        except Exception as e:   # a model outage must never cost the recruiter the answer
            return replace(answer, notes=answer.notes + [f"model unavailable ({type(e).__name__}); program wording kept"])
        text = re.sub(r"^\s*(?:answer|回答|答案)\s*[:：]\s*", "", "".join(pieces).strip(), flags=re.I)
        names = sorted({c.candidate for c in answer.citations} | {n for c in answer.citations
                                                                   for n in re.split(r"[()]", c.candidate)})
        verdict = verify_model_text(text, answer.citations, question=question, program_text=answer.text,
                                    allowed_names=names, lexicon=self.lexicon,
                                    candidate_ids=answer.candidate_ids)
        if not verdict.ok:
            return replace(answer, notes=answer.notes + [f"model wording rejected: {verdict.reason}"])
        used = {int(n) for n in re.findall(r"\[(\d+)\]", verdict.text)}
        cits = [c for c in answer.citations if c.n in used] or answer.citations
        return replace(answer, text=verdict.text, citations=cits, wording="model",
                       notes=answer.notes + ([f"dropped {len(verdict.dropped)} unsupported sentence(s)"]
                                             if verdict.dropped else []))
