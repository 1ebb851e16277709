"""The assistant: resolve who is meant → plan → find evidence → compose a cited answer → (phrase) → verify."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from recruiter.assistant.answer import Answer
from recruiter.assistant.aggregates import answer_aggregate, answer_rank
from recruiter.assistant.compose import Context, abstain, answer_compare, answer_single, detect_slots
from recruiter.assistant.degrees import (answer_current_study, answer_date_order, answer_degree_holders,
                                         asks_current_study, asks_date_order, asks_degree_holders)
from recruiter.assistant.evidence import CandidateText, build_candidate_text, score_lines
from recruiter.assistant.lexicon import Lexicon, idf_weights, is_han
from recruiter.assistant.planner import plan as make_plan, question_language
from recruiter.assistant.profile_answers import answer_paper_counts, asks_about_papers
from recruiter.assistant.profile_rankings import (HOW_LONG, answer_profile_rank, answer_tenure, answer_worked_at,
                                                  profile_measure)
from recruiter.assistant.profile_views import (answer_advisor, answer_advisor_not_stated, answer_duties,
                                               answer_former_name, answer_overview, answer_own_paper_count,
                                               asks_advisor, asks_advisor_missing, asks_duties, asks_former_name,
                                               experience_entries, experience_entry, wants_filtered_papers,
                                               wants_overview, wants_own_paper_count)
from recruiter.assistant.resolve import person_names, resolve, romanised_candidate
from recruiter.assistant.tables import answer_table, table_aspects
from recruiter.assistant.prep_pack import prep_pack
from recruiter.assistant.workflows import answer_match, answer_prep, prep_has_topic, role_from_question
from recruiter.ingest.injection import instruction_spans
from recruiter.ingest.protected import protected_spans
from recruiter.ingest.models import Candidate


WHOLE_STORE_LIMIT = 50        # up to this many candidates, every CV is read for every question
MAX_NAMED_QUESTION_CHARS = 200   # a longer text is a pasted JD, whose names (a contact) name no candidate
SHORTLIST_PASSAGES = 300      # beyond it, the candidates owning the top hybrid passages are read

# About the store, not a CV: "how many candidates are there?", "列出所有候选人"
_WHO_IS_LOADED = re.compile(r"how many candidates|^\s*(?:please )?list (?:all )?(?:the )?candidates\W*$|who are the candidates|"
                            r"which candidates are (?:loaded|there|in)|有多少(?:位|个|名)?候选人|候选人有哪些|列出(?:所有)?候选人|"
                            r"有哪些候选人\W*$", re.I)


def loaded_candidates(question: str, candidates: list[Candidate]) -> Answer:
    zh = question_language(question) == "zh"
    names = [display_name(c, None) + f" ({', '.join(c.sources)})" for c in candidates]
    head = f"已载入 {len(names)} 位候选人：" if zh else f"{len(names)} candidate{'s' if len(names) != 1 else ''} loaded:"
    return Answer(text=head + "\n" + "\n".join(f"- {n}" for n in names), intent="candidates",
                  candidate_ids=[c.id for c in candidates])


_NAMED_THING = re.compile(r"^[\w.\-]*[A-Z][\w.\-]*[A-Z0-9][\w.\-]*$")   # HuatuoGPT-II, FuseChat, ACL


def names_a_thing(words) -> bool:
    """Some word is a name of its own (HuatuoGPT-II, FuseChat, ACL): the question has its own topic."""
    return any(_NAMED_THING.match(w.strip("?？,，.。!！")) for w in words)


@dataclass
class Conversation:
    """One chat: earlier turns and who they were about (for "he"/"她" follow-ups)."""
    focus: list[str] = field(default_factory=list)
    turns: list[tuple[str, Answer]] = field(default_factory=list)

    def record(self, question: str, answer: Answer) -> None:
        self.turns.append((question, answer))
        if answer.candidate_ids:
            self.focus = list(answer.candidate_ids)


def unknown_person_answer(question: str, unknown: list[str], candidates: list[Candidate]) -> Answer:
    """A person no CV names. When a loaded candidate's name is the same in pinyin (何柯庆 ~ Keqing He),
    say so, but do not answer for them: 何/贺/和 all read "he", so it may be someone else."""
    zh = question_language(question, unknown) == "zh"
    text = (f"已载入的候选人中没有{'、'.join(unknown)}，请对照候选人列表核对姓名。" if zh else
            f"No loaded candidate is named {', '.join(unknown)}; check the name against the candidate list.")
    for name in unknown:
        if (latin := romanised_candidate(name, candidates)) is not None:
            text += (f"简历中没有写“{name}”；拼音相同的是 {latin}，如指此人请用这个名字提问。" if zh else
                     f" No CV writes “{name}”; {latin} reads the same in pinyin: ask about {latin} if that is who "
                     f"you mean.")
    return Answer(text=text, abstained=True, intent="none")


def display_name(c: Candidate, mention: str | None) -> str:
    alt = mention if mention and mention.casefold() != c.name.casefold() else None
    if alt is None and is_han(c.name) and c.aliases:
        alt = c.aliases[0]
    return f"{c.name} ({alt})" if alt else c.name


class Assistant:
    def __init__(self, store, *, lexicon: Lexicon | None = None, phraser=None, audit=None, describe_llm=None):
        self.store = store
        self.audit = audit                  # AuditLog: every question, who it touched, what it cited
        self.describe_llm = describe_llm    # -> the model's describe(), for the audit's "what left the machine"
        self.lexicon = lexicon or Lexicon()
        self.phraser = phraser          # optional: re-words program answers with a model, verified
        self._texts: dict[str, tuple[tuple, CandidateText]] = {}

    def candidate_text(self, c: Candidate) -> CandidateText:
        docs = self.store.documents_for(c.id)
        key = tuple(sorted(d.doc_id for d in docs))
        cached = self._texts.get(c.id)
        if cached and cached[0] == key:
            return cached[1]
        passages = self.store.passages(c.id)
        excluded = [(d.doc_id, s, e) for d in docs for s, e in instruction_spans(d.text)]
        masked = [(d.doc_id, s, e) for d in docs for _, s, e in protected_spans(d.text)]
        ct = build_candidate_text(c, docs, passages, excluded, masked)
        self._texts[c.id] = (key, ct)
        return ct

    def jd_gaps(self, candidate_id: str, jd: str) -> list[str]:
        """The JD's requirements this candidate's CV shows no evidence for."""
        from recruiter.assistant.workflows import jd_requirements
        c = self.store.candidate(candidate_id)
        ct = self.candidate_text(c)
        pool = [ln.low for cand in self.store.candidates() for ln in self.candidate_text(cand).lines]
        gaps = []
        for text, groups, _ in jd_requirements(self.lexicon, jd):
            idf_weights(groups, pool)
            ranked = score_lines(ct, groups, None, context=2)
            total = sum(g.weight for g in groups) or 1.0
            if not ranked or ranked[0][0] / total < 0.3:
                gaps.append(text)
        return gaps

    def _profiles(self, ctx) -> dict[str, dict]:
        return {cid: prof for cid in ctx.order if (prof := self.store.profile(cid)) is not None}


    def _profile_view(self, ctx) -> Answer | None:
        """One candidate, a question the stored profile answers whole: overview, own paper count, duties."""
        cid = ctx.order[0]
        profile = self.store.profile(cid)
        if profile is None or cid not in ctx.texts:
            return None
        if wants_own_paper_count(ctx.question):
            return answer_own_paper_count(ctx, cid, profile)
        if ctx.plan.intent == "list" and wants_filtered_papers(ctx.question):
            return answer_own_paper_count(ctx, cid, profile, show=12)
        if asks_current_study(ctx.question) and (studying := answer_current_study(ctx, cid, profile)) is not None:
            return studying
        if wants_overview(ctx.question, ctx.groups):
            return answer_overview(ctx, cid, profile)
        if asks_advisor(ctx.question):
            if asks_advisor_missing(ctx, profile):   # the degree is listed; its advisor is not
                return answer_advisor_not_stated(ctx, cid, profile) or abstain(ctx, [cid])
            advised = answer_advisor(ctx, cid, profile)
            if advised is not None:
                return advised
        if asks_former_name(ctx.question):
            return answer_former_name(ctx, cid)
        if HOW_LONG.search(ctx.question) and (at := experience_entries(profile, ctx.groups)) and \
                (tenure := answer_tenure(ctx, cid, profile, at)) is not None:
            return tenure
        entry = experience_entry(profile, ctx.groups) if asks_duties(ctx.question) else None
        if entry is not None and entry.get("details"):
            return answer_duties(ctx, cid, profile, entry)
        return None

    def _shortlist(self, query: str, order: list[str]) -> list[str]:
        allowed = set(order)
        hits = self.store.search(query, k=SHORTLIST_PASSAGES, candidate_ids=order)
        ids = [h.passage.candidate_id for h in hits if h.passage.candidate_id in allowed]
        return list(dict.fromkeys(ids))[:WHOLE_STORE_LIMIT]

    def _retrieval_boost(self, question: str, order: list[str], groups) -> dict[str, float]:
        """Hybrid (dense + BM25, fused) passages per candidate → a small bonus for their lines."""
        if not hasattr(self.store, "search_per_candidate") or not order:
            return {}
        unit = 0.1 * (sum(g.weight for g in groups) or 1.0)
        hits = self.store.search_per_candidate(question, order, k_each=5)
        return {h.passage.id: unit / rank for per in hits.values() for rank, h in enumerate(per, 1)}

    def _compose(self, ctx: Context, jd: str | None, top: int, all_names: list[str]) -> Answer:
        """The program's cited answer for the planned intent (no model)."""
        p, question, order, names = ctx.plan, ctx.question, ctx.order, ctx.names
        read: list[dict[str, dict]] = []

        def profiles() -> dict[str, dict]:   # read from the store once per answer, and only if a branch asks
            if not read:
                read.append(self._profiles(ctx))
            return read[0]

        if p.intent == "match":
            ans = answer_match(ctx, self.lexicon, jd or question, top=top)
        elif p.intent == "prep" and len(order) == 1 and not prep_has_topic(ctx.groups) \
                and (profile := self.store.profile(order[0])) is not None:
            # no topic named: the whole pack, as `recruiter prep NAME` prints it
            ans = prep_pack(ctx.texts[order[0]], profile, names[order[0]], lang=p.lang,
                            jd_gaps=self.jd_gaps(order[0], jd) if jd else [])
        elif p.intent == "prep":
            ans = answer_prep(ctx, self.lexicon)
        elif p.intent in ("compare", "rank", "aggregate") and \
                (measure := profile_measure(question, [n for pr in profiles().values() for n in pr.get("names") or []])) \
                is not None and (measure[2] or p.intent == "aggregate") and \
                (ranked := answer_profile_rank(ctx, profiles(), *measure)) is not None:
            ans = ranked
        elif p.intent in ("compare", "rank") and (p.intent == "rank" or p.wants_more) and asks_about_papers(question) \
                and profiles() and (counted := answer_paper_counts(ctx, profiles())) is not None:
            ans = counted
        elif p.intent == "compare" and asks_date_order(question) and \
                (dated := answer_date_order(ctx, profiles())) is not None:
            ans = dated
        elif p.intent == "compare" and (aspects := table_aspects(question, all_names)) is not None:
            # "compare X and Y (on education, awards …)": the side-by-side table from the profiles
            ans = answer_table(p.lang, "compare", [ctx.texts[c] for c in order], names, aspects, profiles())
        elif p.intent == "compare":
            ans = answer_compare(ctx)
        elif p.intent == "rank":
            ans = answer_rank(ctx)
        elif p.intent == "aggregate" and (employed := answer_worked_at(ctx, profiles())) is not None:
            ans = employed
        elif p.intent == "aggregate" and asks_degree_holders(question, ctx.groups) and \
                (holders := answer_degree_holders(ctx, profiles())) is not None:
            ans = holders
        elif p.intent == "aggregate":
            ans = answer_aggregate(ctx)
        elif len(order) == 1 and (viewed := self._profile_view(ctx)) is not None:
            ans = viewed
        else:
            ans = answer_single(ctx)
        return ans

    def ask(self, question: str, *, conversation: Conversation | None = None, scope: list[str] | None = None,
            jd: str | None = None, use_model: bool = True, top: int = 3,
            on_evidence: Callable[[Answer], None] | None = None,
            on_token: Callable[[str], None] | None = None) -> Answer:
        t0 = time.perf_counter()
        candidates = self.store.candidates()
        if not candidates:
            return Answer(text="No CVs are loaded yet. Run `recruiter ingest <folder>` or upload CVs first.",
                          abstained=True, intent="none")
        conv = conversation or Conversation()
        live = {c.id for c in candidates}
        for gone in [cid for cid in self._texts if cid not in live]:
            del self._texts[gone]   # a removed candidate's CV text must not outlive its removal
        if _WHO_IS_LOADED.search(question):
            return self._finish(question, loaded_candidates(question, candidates), conv, candidates, t0, on_evidence)
        res = resolve(question, candidates, focus=conv.focus, scope=scope)
        if not res.mentions and not jd and len(question) <= MAX_NAMED_QUESTION_CHARS and \
                (unknown := self._unknown_people(question)):
            # "What is John Smith's email?" while Ke Ji is in focus: not Ke Ji, and not everyone
            return self._finish(question, unknown_person_answer(question, unknown, candidates), conv, candidates,
                                t0, on_evidence)
        ans, lang = self._answer(question, res, candidates, conv, scope, jd, top)
        focus = None
        if ans.abstained and res.focus_guessed and names_a_thing(question.split()):
            # "What is HuatuoGPT-II?" just after a question about Jinyi Han: not in her CV, so anyone's
            alt, alt_lang = self._answer(question, resolve(question, candidates, scope=scope), candidates,
                                         Conversation(), scope, jd, top)
            if not alt.abstained:
                ans, lang = alt, alt_lang
                focus = list(conv.focus)     # "her" in the next turn still means who the chat was about
        if res.ambiguous:
            ans.notes.append("ambiguous name(s): " + ", ".join(res.ambiguous))
        ans = self._finish(question, ans, conv, candidates, t0, on_evidence,
                           phrase=use_model and self.phraser is not None, lang=lang, on_token=on_token)
        if focus is not None:
            conv.focus = focus
        return ans

    def _answer(self, question: str, res, candidates: list[Candidate], conv: Conversation,
                scope: list[str] | None, jd: str | None, top: int) -> tuple[Answer, str]:
        """The program's cited answer for a resolved question, and the language to word it in."""
        if jd is None and (role := role_from_question(question)) is not None:
            jd = role      # "the best candidate for a dialogue system role": matched against that role
        by_id = {c.id: c for c in candidates}
        mention_of = {m.candidate_id: m.text for m in res.mentions}
        named = [cid for cid in res.candidate_ids if cid in by_id]
        if not named and not res.wants_all and len(candidates) == 1:
            named = [candidates[0].id]
        n_named = 0 if res.wants_all and not res.mentions and not res.from_focus else len(named)
        p = make_plan(question, n_named, res.wants_all, bool(jd), names=[m.text for m in res.mentions])
        order = named if n_named else [c.id for c in candidates if not scope or c.id in scope]
        if not n_named and p.intent in ("single", "list"):
            p.intent = "aggregate"
        names = {cid: display_name(by_id[cid], mention_of.get(cid)) for cid in by_id}
        all_names = [n for c in candidates for n in c.all_names()] + [m.text for m in res.mentions]
        groups = self.lexicon.question_terms(question, drop=all_names)
        own_groups = None
        if res.from_focus and conv.turns and len(groups) < 2 and not names_a_thing(g.surface for g in groups):
            # "When did it end?": the topic is the previous question's ("What is HuatuoGPT-II?" has its own)
            own_groups, seen = list(groups), {g.surface.lower() for g in groups}
            groups = groups + [g for g in self.lexicon.question_terms(conv.turns[-1][0], drop=all_names)
                               if g.surface.lower() not in seen]
        if len(order) > WHOLE_STORE_LIMIT:
            # a large store: judge only the candidates hybrid retrieval finds for the question
            order = self._shortlist(jd or question, order)
        pool = order if len(candidates) > WHOLE_STORE_LIMIT else [c.id for c in candidates]
        texts = {cid: self.candidate_text(by_id[cid]) for cid in dict.fromkeys(pool + order)}
        pool_lines = [ln.low for ct in texts.values() for ln in ct.lines]
        idf_weights(groups, pool_lines)
        ctx = Context(question, p, groups, {cid: texts[cid] for cid in order}, order, names,
                      slots=detect_slots(question), boost=self._retrieval_boost(question, order, groups),
                      own_groups=own_groups)
        ans = self._compose(ctx, jd, top, all_names)
        if ans.abstained and own_groups and len(own_groups) < len(groups):
            # the borrowed topic did not fit ("Which team was that?" → "她的本科呢？"): the question alone
            idf_weights(own_groups, pool_lines)
            ans = self._compose(replace(ctx, groups=own_groups, own_groups=None,
                                        boost=self._retrieval_boost(question, order, own_groups)), jd, top, all_names)
        return ans, p.lang

    def _unknown_people(self, question: str) -> list[str]:
        """Person names in the question that no stored CV contains (so no candidate is meant)."""
        mentions = getattr(self.store, "mentions", None)
        return [] if mentions is None else [n for n in person_names(question) if not mentions(n)]

    def _finish(self, question: str, ans: Answer, conv: Conversation, candidates, t0: float, on_evidence,
                *, phrase: bool = False, lang: str = "en", on_token=None) -> Answer:
        """Evidence out, the model's wording (verified), the turn recorded and audited."""
        ans.timings["evidence_s"] = round(time.perf_counter() - t0, 3)
        if on_evidence:
            on_evidence(ans)
        if phrase and not ans.abstained:
            ans = self.phraser.phrase(question, ans, lang, on_token=on_token)
        ans.timings["total_s"] = round(time.perf_counter() - t0, 3)
        conv.record(question, ans)
        if self.audit is not None:
            sent = phrase and ans.wording == "model" or any("model wording rejected" in n for n in ans.notes)
            self.audit.record_answer(question, ans, names={c.id: c.name for c in candidates},
                                     llm=self.describe_llm() if sent and self.describe_llm else None)
        return ans
