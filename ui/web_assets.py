"""The web page's style sheet and scripts: layout, citation panel scrolling, marker and link clicks.

The scripts only turn clicks into Gradio events (cite, example, doc, back) and keep the chat and the
citation panel scrolled to what changed; all HTML comes from the render_* modules.
"""

CSS = """
.gradio-container { max-width: 100% !important; padding: 6px 12px !important; }
footer { display: none !important; }
.app-head { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; padding: 2px 2px 0; }
.app-head h1 { font-size: 1.1rem; margin: 0; white-space: nowrap; }
.status-line { font-size: 0.85rem; color: var(--body-text-color-subdued); display: flex; align-items: center; gap: 6px; flex-wrap: wrap; }
.status-line .dot { width: 9px; height: 9px; border-radius: 50%; background: #16a34a; display: inline-block; }
.status-line.remote .dot { background: #d97706; }
#left-col, #mid-col, #right-col { gap: 8px; }
#chat { height: calc(100vh - 262px); min-height: 250px; overflow-y: auto !important; border: 1px solid var(--border-color-primary);
        border-radius: 8px; padding: 8px 10px; background: var(--background-fill-secondary); }
#citation-panel { height: calc(100vh - 100px); min-height: 320px; overflow-y: auto !important; border: 1px solid var(--border-color-primary);
                  border-radius: 8px; padding: 8px 10px; }
#cand-list { max-height: 30vh; overflow-y: auto !important; }
#left-col { max-height: calc(100vh - 58px); overflow-y: auto !important; flex-wrap: nowrap !important; padding-right: 2px; }
.chat-log .turn { margin-bottom: 10px; }
.msg { display: flex; flex-direction: column; margin: 4px 0; }
.msg .who { font-size: 0.72rem; color: var(--body-text-color-subdued); margin: 0 4px 2px; }
.msg.user { align-items: flex-end; }
.msg.user .bubble { background: var(--color-accent-soft); max-width: 85%; }
.msg .bubble { border-radius: 10px; padding: 7px 10px; background: var(--background-fill-primary);
               border: 1px solid var(--border-color-primary); max-width: 100%; overflow-wrap: anywhere; }
.msg.bot.selected .bubble { border-color: var(--color-accent); box-shadow: 0 0 0 1px var(--color-accent); }
.msg.bot.abstained .bubble { background: #fffbeb; }
.answer-body { white-space: pre-wrap; line-height: 1.5; }
.answer-body.has-table { white-space: normal; }
.answer-body.error { color: #b91c1c; }
.answer-body .lead { margin: 0 0 4px; font-weight: 600; }
.answer-body .tail { margin: 4px 0 0; font-size: 0.8rem; }
table.answer-table { border-collapse: collapse; width: 100%; font-size: 0.88rem; margin: 2px 0; }
table.answer-table th, table.answer-table td { border: 1px solid var(--border-color-primary); padding: 4px 6px; vertical-align: top; text-align: left; }
table.answer-table th { background: var(--background-fill-secondary); font-weight: 600; }
table.answer-table td.cand { font-weight: 600; white-space: nowrap; }
table.answer-table td.num, table.answer-table td.score { white-space: nowrap; }
table.answer-table[data-intent="rank"] td:last-child { white-space: nowrap; }
.cp[data-mode="doc"] .back-link, .cp[data-mode="doc"] .cp-head { position: sticky; background: var(--background-fill-primary); z-index: 1; }
.cp[data-mode="doc"] .back-link { top: -8px; display: block; padding-top: 4px; text-align: left; }
.cp[data-mode="doc"] .cp-head { top: 16px; padding-bottom: 4px; border-bottom: 1px solid var(--border-color-primary); }
table.answer-table .cell-item + .cell-item { margin-top: 3px; padding-top: 3px; border-top: 1px dashed var(--border-color-primary); }
table.answer-table tr.muted-row td { color: var(--body-text-color-subdued); }
a.cite-marker { color: var(--color-accent); font-weight: 600; cursor: pointer; text-decoration: none; padding: 0 1px; border-radius: 3px; }
a.cite-marker:hover, a.cite-marker:focus { background: var(--color-accent-soft); }
.meta { display: flex; gap: 10px; align-items: center; margin-top: 5px; font-size: 0.75rem; }
.badge { background: var(--background-fill-secondary); border-radius: 9px; padding: 1px 7px; color: var(--body-text-color-subdued); }
.badge.abstained { background: #fef3c7; color: #92400e; }
a.show-sources, a.doc-link, a.back-link, a.example { color: var(--color-accent); cursor: pointer; text-decoration: underline; }
.note { font-size: 0.75rem; color: var(--body-text-color-subdued); margin-top: 3px; }
.preview { margin-top: 6px; padding: 6px; border-left: 3px solid var(--color-accent-soft); white-space: pre-wrap; opacity: 0.8; }
.scope-note { font-size: 0.72rem; color: var(--body-text-color-subdued); margin-top: 2px; }
.muted { color: var(--body-text-color-subdued); }
.small { font-size: 0.75rem; }
.empty-state { padding: 12px 6px; }
.empty-state h3 { margin: 0 0 6px; font-size: 1.05rem; }
.empty-state .secondary { margin-top: 14px; opacity: 0.7; font-size: 0.85rem; }
.empty-state .examples { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.empty-state a.example { border: 1px solid var(--border-color-primary); border-radius: 14px; padding: 3px 10px; text-decoration: none; font-size: 0.85rem; }
.dots::after { content: "…"; animation: blink 1s infinite; }
@keyframes blink { 50% { opacity: 0.2; } }
.cp-head { font-size: 0.85rem; margin-bottom: 6px; color: var(--body-text-color-subdued); }
.cp-head q { color: var(--body-text-color); }
.panel-empty { color: var(--body-text-color-subdued); padding: 10px 2px; }
.cite-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 8px; margin-bottom: 8px; scroll-margin: 8px; }
.cite-card.active { border-color: var(--color-accent); box-shadow: 0 0 0 2px var(--color-accent-soft); }
.cite-head { font-size: 0.85rem; display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; }
.cite-head .cite-n { color: var(--color-accent); font-weight: 700; }
.cite-head .src { color: var(--body-text-color-subdued); font-size: 0.78rem; overflow-wrap: anywhere; }
.ctx { white-space: pre-wrap; font-size: 0.82rem; line-height: 1.45; margin: 5px 0; color: var(--body-text-color-subdued);
       max-height: 220px; overflow-y: auto; overflow-wrap: anywhere; }
mark.hl { background: #fde68a; color: #111; padding: 0 1px; border-radius: 2px; }
.cite-foot { display: flex; justify-content: space-between; font-size: 0.78rem; }
.doc-text { white-space: pre-wrap; font-size: 0.82rem; line-height: 1.45; overflow-wrap: anywhere; margin-top: 6px; }
sup.doc-marker { color: var(--color-accent); font-weight: 700; scroll-margin: 60px; }
ul.cands { list-style: none; padding: 0; margin: 0; font-size: 0.85rem; }
ul.cands li { padding: 4px 2px; border-bottom: 1px solid var(--border-color-primary); }
ul.cands .aka { color: var(--body-text-color-subdued); font-size: 0.78rem; }
ul.cands .files { color: var(--body-text-color-subdued); font-size: 0.72rem; overflow-wrap: anywhere; }
.flag { display: inline-block; font-size: 0.72rem; color: #92400e; background: #fef3c7; border-radius: 4px; padding: 0 4px; margin-top: 2px; }
.cands.empty { color: var(--body-text-color-subdued); font-size: 0.85rem; padding: 4px; }
.ingest-results { font-size: 0.8rem; }
.ingest-results .summary { font-weight: 600; margin-bottom: 4px; }
.ingest-results .res { border-left: 3px solid #16a34a; padding: 2px 6px; margin-bottom: 4px; background: var(--background-fill-secondary); border-radius: 0 4px 4px 0; }
.ingest-results .res.st-failed { border-left-color: #dc2626; background: #fef2f2; }
.ingest-results .res.st-unchanged { border-left-color: var(--border-color-primary); }
.ingest-results .res.st-replaced { border-left-color: #2563eb; }
.ingest-results .res-head { display: flex; gap: 6px; align-items: baseline; flex-wrap: wrap; }
.ingest-results .mark { font-weight: 700; }
.ingest-results .fname { font-weight: 600; overflow-wrap: anywhere; }
.ingest-results .status { color: var(--body-text-color-subdued); }
.ingest-results .st-failed .status, .ingest-results .st-failed .mark { color: #b91c1c; }
.ingest-results .reason { font-family: var(--font-mono); font-size: 0.7rem; color: #b91c1c; }
.ingest-results .msg-text, .ingest-results .detail { overflow-wrap: anywhere; }
.ingest-results .warn { color: #92400e; }
#upload-box { min-height: 0; }
#confirm-box { border: 1px solid #fca5a5; border-radius: 8px; padding: 6px; background: #fef2f2; }
#scope-box label { font-size: 0.85rem; }
"""

HEAD = """
<script>
window.recruiterUI = {
  scrollTo(el, center) {
    const box = document.getElementById('citation-panel');
    if (!box || !el) return;
    const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    box.scrollTop = Math.max(0, center ? top - box.clientHeight / 3 : top - 8);
  },
  activate(cp, n) {
    cp.querySelectorAll('.cite-card.active').forEach(e => e.classList.remove('active'));
    const card = n ? cp.querySelector('#cite-' + cp.dataset.turn + '-' + n) : cp.querySelector('.cite-card');
    if (card) { card.classList.add('active'); this.scrollTo(card, false); }
    document.querySelectorAll('#chat .msg.bot.selected').forEach(e => e.classList.remove('selected'));
    const b = document.querySelector('#chat #turn-' + cp.dataset.turn + ' .msg.bot');
    if (b) b.classList.add('selected');
  },
  focusCite(turn, n) {
    const cp = document.querySelector('#citation-panel .cp');
    if (!cp || cp.dataset.mode !== 'cites' || parseInt(cp.dataset.turn) !== turn) return false;
    this.activate(cp, n);
    return true;
  },
  afterPanel(root) {
    const cp = root.querySelector('.cp');
    if (!cp) return;
    if (cp.dataset.mode === 'cites') {
      const n = parseInt(cp.dataset.active || '0');
      if (n) this.activate(cp, n); else { const box = document.getElementById('citation-panel'); if (box) box.scrollTop = 0; }
    } else if (cp.dataset.mode === 'doc') {
      const f = cp.dataset.focus;
      const m = root.querySelector('#doc-cite-' + f) || root.querySelector('mark.hl');
      this.scrollTo(m, true);
    } else {
      const box = document.getElementById('citation-panel');
      if (box) box.scrollTop = 0;
    }
  }
};
</script>
"""

CHAT_JS = """
element.addEventListener('click', (ev) => {
  const ex = ev.target.closest('[data-example]');
  if (ex) { ev.preventDefault(); trigger('example', {q: ex.dataset.example}); return; }
  const a = ev.target.closest('[data-cite]');
  if (!a) return;
  ev.preventDefault();
  const turn = parseInt(a.dataset.turn), n = parseInt(a.dataset.cite);
  if (window.recruiterUI && window.recruiterUI.focusCite(turn, n)) return;
  trigger('cite', {turn: turn, n: n});
});
element.addEventListener('keydown', (ev) => {
  if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.matches('[role=button]')) { ev.preventDefault(); ev.target.click(); }
});
let lastKey = '';
watch('value', () => {
  // a new question or a new stage of the last answer: bring the last turn into view
  const turns = element.querySelectorAll('.turn');
  const last = turns[turns.length - 1];
  const key = last ? turns.length + ':' + last.dataset.state : '';
  if (key === lastKey) return;
  lastKey = key;
  const box = document.getElementById('chat');
  if (!box || !last) return;
  const top = last.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
  box.scrollTop = last.offsetHeight <= box.clientHeight - 16 ? box.scrollHeight : Math.max(0, top - 8);
});
"""

PANEL_JS = """
element.addEventListener('click', (ev) => {
  const d = ev.target.closest('[data-doc]');
  if (d) { ev.preventDefault(); trigger('doc', {turn: parseInt(d.dataset.turn), doc: d.dataset.doc, n: parseInt(d.dataset.cite || '0')}); return; }
  const b = ev.target.closest('[data-back]');
  if (b) { ev.preventDefault(); trigger('back', {turn: parseInt(b.dataset.turn)}); return; }
});
element.addEventListener('keydown', (ev) => {
  if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.matches('[role=button]')) { ev.preventDefault(); ev.target.click(); }
});
watch('value', () => { if (window.recruiterUI) window.recruiterUI.afterPanel(element); });
"""
