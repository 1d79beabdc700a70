// app.js — the boxagent dashboard: login, sessions with a streamed chat view, agents,
// audit log and usage. Talks only to /api/v1 on its own origin.
import { renderMarkdown, escapeHtml as esc } from './markdown.js';

const $ = (sel, el = document) => el.querySelector(sel);
const main = () => $('#main');

class ApiError extends Error { constructor(status, code, msg) { super(msg); this.status = status; this.code = code; } }

async function api(method, path, body) {
  const opts = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
  const r = await fetch('/api/v1' + path, opts);
  let j = null;
  try { j = await r.json(); } catch { /* empty body */ }
  if (!r.ok) {
    if (r.status === 401 && path !== '/login') showLogin();
    throw new ApiError(r.status, j?.error?.code || 'http', j?.error?.message || `HTTP ${r.status}`);
  }
  return j;
}

// ---------------------------------------------------------------- login

function showLogin(msg = '') {
  $('#app').hidden = true; $('#login').hidden = false;
  $('#login-error').textContent = msg;
  $('#login-token').focus();
}

async function login(token) {
  try { await api('POST', '/login', { token }); start(); }
  catch (e) { showLogin(e.message); }
}

$('#login-form').addEventListener('submit', e => { e.preventDefault(); login($('#login-token').value.trim()); });
$('#logout').addEventListener('click', async () => { try { await api('POST', '/logout', {}); } catch { } showLogin(); });

// ---------------------------------------------------------------- routing

const pages = { sessions: pageSessions, session: pageChat, agents: pageAgents, audit: pageAudit, usage: pageUsage };
let leavePage = null;

function route() {
  if (leavePage) { leavePage(); leavePage = null; }
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  let page = parts[0] || 'sessions';
  if (page === 'sessions' && parts[1]) page = 'session';
  for (const a of document.querySelectorAll('.sidebar a'))
    a.classList.toggle('active', a.dataset.page === (page === 'session' ? 'sessions' : page));
  (pages[page] || pageSessions)(parts[1] ? decodeURIComponent(parts[1]) : null)
    .catch(e => { main().innerHTML = `<p class="error">${esc(e.message)}</p>`; });
}

async function start() {
  try { await api('GET', '/me'); } catch { return; }
  $('#login').hidden = true; $('#app').hidden = false;
  route();
}

window.addEventListener('hashchange', route);

// ---------------------------------------------------------------- sessions list

function fmtTime(ms) { return ms ? new Date(ms).toLocaleString() : ''; }

async function pageSessions() {
  const [s, a] = await Promise.all([api('GET', '/sessions'), api('GET', '/agents')]);
  const opts = a.agents.map(g => `<option value="${esc(g.name)}">${esc(g.name)} (${esc(g.access)})</option>`).join('');
  main().innerHTML = `
    <h2>Sessions</h2>
    <form id="new-session" class="row card filters">
      <label>Agent <select name="agent">${opts}</select></label>
      <input name="title" class="grow" placeholder="title (optional)">
      <button type="submit">New session</button>
    </form>
    ${s.sessions.length ? `<table><thead><tr><th>Title</th><th>Agent</th><th>Status</th><th>Updated</th><th>Tokens</th></tr></thead><tbody>
      ${s.sessions.map(x => `<tr class="clickable" data-id="${esc(x.id)}"><td>${esc(x.title || x.id)}</td><td>${esc(x.agent || '')}</td>
        <td><span class="badge ${esc(x.status || 'done')}">${esc(x.status || 'idle')}</span></td><td>${esc(fmtTime(x.updated))}</td>
        <td>${(x.input_tokens || 0) + (x.output_tokens || 0)}</td></tr>`).join('')}
    </tbody></table>` : '<div class="empty card">No sessions yet.</div>'}`;
  $('#new-session').addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(e.target);
    const r = await api('POST', '/sessions', { agent: f.get('agent'), title: f.get('title') || undefined });
    location.hash = '#/sessions/' + encodeURIComponent(r.session.id);
  });
  for (const tr of document.querySelectorAll('tr[data-id]'))
    tr.addEventListener('click', () => { location.hash = '#/sessions/' + encodeURIComponent(tr.dataset.id); });
}

// ---------------------------------------------------------------- chat

function toolCard(name, args) {
  const d = document.createElement('details');
  d.className = 'tool pending';
  let pretty = args;
  try { pretty = JSON.stringify(JSON.parse(args), null, 2); } catch { }
  d.innerHTML = `<summary><span class="badge running">running</span><span class="name">${esc(name)}</span>
    <span class="reason"></span></summary>
    <div class="inner"><div class="label">arguments</div><pre>${esc(pretty || '{}')}</pre>
    <div class="label">decision</div><div class="decision muted">pending</div>
    <div class="label">result</div><pre class="result muted">…</pre></div>`;
  return d;
}

function settleCard(card, ev) {
  const decision = ev.decision || (ev.is_error ? 'error' : 'allowed');
  card.classList.remove('pending');
  card.classList.toggle('denied', decision !== 'allowed' || !!ev.is_error);
  const badge = card.querySelector('.badge');
  badge.className = 'badge ' + (decision === 'allowed' ? (ev.is_error ? 'error' : 'allowed') : 'denied');
  badge.textContent = decision === 'allowed' && ev.is_error ? 'error' : decision;
  card.querySelector('.reason').textContent = ev.reason || '';
  card.querySelector('.decision').textContent = `${decision}${ev.reason ? ' — ' + ev.reason : ''}`;
  const res = card.querySelector('.result');
  res.classList.remove('muted');
  res.textContent = (ev.text || '') + (ev.truncated ? '\n[output truncated]' : '');
}

function renderStored(list, msgs) {
  const cards = new Map();
  for (const m of msgs) {
    if (m.role === 'user') {
      const texts = m.content.filter(b => b.type === 'text').map(b => b.text).join('\n');
      if (texts) list.append(msgEl('user', texts));
      for (const b of m.content) if (b.type === 'tool_result' && cards.has(b.id)) settleCard(cards.get(b.id), { text: b.text, is_error: b.is_error, decision: b.decision, reason: b.reason });
    } else if (m.role === 'assistant') {
      const el = msgEl('assistant', '');
      const body = el.querySelector('.body');
      let md = '';
      for (const b of m.content) {
        if (b.type === 'text') md += b.text;
        else if (b.type === 'tool_call') { const c = toolCard(b.name, b.arguments); cards.set(b.id, c); body.append(c); }
      }
      if (md) body.insertAdjacentHTML('afterbegin', renderMarkdown(md));
      list.append(el);
    } else if (m.role === 'tool') {
      for (const b of m.content) if (b.type === 'tool_result' && cards.has(b.id)) settleCard(cards.get(b.id), { text: b.text, is_error: b.is_error, decision: b.decision, reason: b.reason });
    }
  }
}

function msgEl(role, md) {
  const el = document.createElement('div');
  el.className = 'msg ' + role;
  el.innerHTML = `<div class="who">${role === 'user' ? 'you' : 'agent'}</div><div class="body">${md ? renderMarkdown(md) : ''}</div>`;
  return el;
}

// Reads a server-sent-event stream with fetch (so the cookie and same-origin checks apply).
async function readEvents(url, onEvent, signal) {
  const r = await fetch(url, { credentials: 'same-origin', signal, headers: { Accept: 'text/event-stream' } });
  if (!r.ok) throw new ApiError(r.status, 'http', `event stream: HTTP ${r.status}`);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const chunk = buf.slice(0, i); buf = buf.slice(i + 2);
      let type = 'message', data = '', id = null;
      for (const line of chunk.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trimStart();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
      }
      if (data) onEvent(type, JSON.parse(data), id);
    }
  }
}

async function pageChat(id) {
  const s = await api('GET', '/sessions/' + encodeURIComponent(id));
  main().innerHTML = `<div class="chat">
    <div class="chat-head"><a href="#/sessions" class="muted">← sessions</a><h2 class="grow">${esc(s.session.title || s.session.id)}</h2>
      <span class="muted">agent ${esc(s.session.agent || '')}</span>
      <span id="status" class="badge done">idle</span><button id="cancel" class="secondary" disabled>Cancel</button></div>
    <div id="messages" class="messages"></div>
    <form id="composer" class="composer"><textarea id="prompt" placeholder="Ask the agent… (Enter sends, Shift+Enter for a new line)"></textarea><button id="send" type="submit">Send</button></form>
  </div>`;
  const list = $('#messages');
  renderStored(list, s.messages || []);
  list.scrollTop = list.scrollHeight;
  const ctl = new AbortController();
  leavePage = () => ctl.abort();
  let lastSeq = s.last_event || 0;
  let running = false;
  const setRunning = on => {
    running = on;
    $('#status').className = 'badge ' + (on ? 'running' : 'done');
    $('#status').textContent = on ? 'running' : 'idle';
    $('#cancel').disabled = !on; $('#send').disabled = on;
  };

  let cur = null, curText = '', cards = new Map(), renderPending = false;
  const assistant = () => {
    if (!cur) { cur = msgEl('assistant', ''); curText = ''; list.append(cur); }
    return cur;
  };
  const flushText = () => {
    renderPending = false;
    if (!cur) return;
    const body = cur.querySelector('.body');
    let t = body.querySelector('.text');
    if (!t) { t = document.createElement('div'); t.className = 'text'; body.prepend(t); }
    t.innerHTML = renderMarkdown(curText);
    list.scrollTop = list.scrollHeight;
  };
  const notice = text => { const n = document.createElement('div'); n.className = 'notice'; n.textContent = text; list.append(n); };
  // Event types: "user" and "end" come from the gateway around a turn; the rest are the
  // agent's own events (the same stream `boxagent run --json` prints).
  const onEvent = (type, ev, seq) => {
    if (seq) lastSeq = Math.max(lastSeq, +seq);
    switch (type) {
      case 'user': setRunning(true); list.append(msgEl('user', ev.text)); cur = null; break;
      case 'text': assistant(); curText += ev.text || ''; if (!renderPending) { renderPending = true; requestAnimationFrame(flushText); } break;
      case 'tool_call': { flushText(); const c = toolCard(ev.tool, ev.arguments); cards.set(ev.id, c); assistant().querySelector('.body').append(c); cur = null; break; }
      case 'tool_result': { const c = cards.get(ev.id); if (c) settleCard(c, { decision: ev.decision, reason: ev.reason, text: ev.output, is_error: ev.is_error }); break; }
      case 'guard': notice(`guard ${ev.guard}: ${ev.text || ''}`); break;
      case 'compacted': notice(`context compacted: ${ev.text || ''}`); break;
      case 'error': notice(ev.text || ev.message || 'error'); break;
      case 'reset': location.reload(); break;
      case 'end': flushText(); cur = null; setRunning(false);
        if (ev.status && ev.status !== 'done') notice(`turn ended: ${ev.status}${ev.message ? ' — ' + ev.message : ''}`);
        break;
    }
    list.scrollTop = list.scrollHeight;
  };
  const follow = async () => {
    for (let tries = 0; tries < 50 && !ctl.signal.aborted; tries++) {
      try {
        await readEvents(`/api/v1/sessions/${encodeURIComponent(id)}/events?after=${lastSeq}`, onEvent, ctl.signal);
        if (!running) return;
      } catch (e) { if (ctl.signal.aborted) return; }
      await new Promise(r => setTimeout(r, 500));   // reconnect and resume after lastSeq
    }
  };
  if (s.session.status === 'running') { setRunning(true); follow(); }

  const send = async () => {
    const text = $('#prompt').value.trim();
    if (!text || running) return;
    $('#prompt').value = '';
    try { await api('POST', `/sessions/${encodeURIComponent(id)}/messages`, { text }); setRunning(true); follow(); }
    catch (e) { notice(e.message); }
  };
  $('#composer').addEventListener('submit', e => { e.preventDefault(); send(); });
  $('#prompt').addEventListener('keydown', e => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(); } });
  $('#cancel').addEventListener('click', () => api('POST', `/sessions/${encodeURIComponent(id)}/cancel`, {}).catch(e => notice(e.message)));
}

// ---------------------------------------------------------------- agents

async function pageAgents() {
  const a = await api('GET', '/agents');
  main().innerHTML = `<h2>Agents</h2>
    <table><thead><tr><th>Name</th><th>Model</th><th>Access</th><th>Capabilities</th><th></th></tr></thead><tbody>
    ${a.agents.map(g => `<tr><td><strong>${esc(g.name)}</strong>${g.manager ? ' <span class="badge running">manager</span>' : ''}</td>
      <td class="mono">${esc(g.model || '(default)')}</td><td>${esc(g.access)}</td>
      <td class="caps">${g.capabilities.map(c => `<span class="cap">${esc(c)}</span>`).join(' ')}</td>
      <td><button class="secondary" data-edit="${esc(g.name)}">Edit</button></td></tr>`).join('')}
    </tbody></table><div id="editor"></div>`;
  for (const b of document.querySelectorAll('[data-edit]')) b.addEventListener('click', () => editAgent(a.agents.find(g => g.name === b.dataset.edit)));
}

async function editAgent(g) {
  const tools = await api('GET', `/agents/${encodeURIComponent(g.name)}/tools`).catch(() => ({ tools: [] }));
  const levels = ['search-only', 'read-only', 'workspace-write', 'full'];
  $('#editor').innerHTML = `<form id="agent-form" class="card editor">
    <h3>Edit ${esc(g.name)}</h3>
    <label>Model <input name="model" value="${esc(g.model || '')}" placeholder="provider/model"></label>
    <label>Access <select name="access">${levels.map(l => `<option ${l === g.access ? 'selected' : ''}>${l}</option>`).join('')}</select></label>
    <label>Capabilities and limits, one per line<br><textarea name="caps" rows="7" class="wide">${esc(g.capabilities.join('\n'))}</textarea></label>
    <div class="muted">Tools offered: ${tools.tools.map(t => `<code>${esc(t.name)}</code>`).join(' ') || '—'}</div>
    <div class="row"><button type="submit">Save</button><span id="agent-msg" class="error"></span></div></form>`;
  $('#agent-form').addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = { model: f.get('model') || null, access: f.get('access'),
      capabilities: f.get('caps').split('\n').map(s => s.trim()).filter(Boolean) };
    try { await api('PUT', `/agents/${encodeURIComponent(g.name)}`, body); pageAgents(); }
    catch (err) { $('#agent-msg').textContent = err.message; }
  });
}

// ---------------------------------------------------------------- audit

async function pageAudit() {
  const q = new URLSearchParams(location.hash.split('?')[1] || '');
  const params = new URLSearchParams();
  for (const k of ['session', 'tool', 'decision']) if (q.get(k)) params.set(k, q.get(k));
  params.set('limit', '200');
  const a = await api('GET', '/audit?' + params);
  const chain = a.chain || {};
  main().innerHTML = `<h2>Audit log <span id="chain" class="badge ${chain.ok ? 'verified' : 'broken'}">${chain.ok ? 'chain verified' : 'chain broken'}</span></h2>
    ${chain.ok ? '' : `<p class="error">${esc(chain.message || '')}</p>`}
    <form id="audit-filter" class="row filters">
      <input name="session" placeholder="session id" value="${esc(q.get('session') || '')}">
      <input name="tool" placeholder="tool" value="${esc(q.get('tool') || '')}">
      <select name="decision"><option value="">any decision</option>${['allowed', 'denied', 'error'].map(d => `<option ${q.get('decision') === d ? 'selected' : ''}>${d}</option>`).join('')}</select>
      <button type="submit" class="secondary">Filter</button></form>
    ${a.records.length ? `<table><thead><tr><th>#</th><th>Time</th><th>Agent</th><th>Tool</th><th>Decision</th><th>Rule</th><th>Arguments</th><th>Used</th></tr></thead><tbody>
    ${a.records.map(r => `<tr><td>${r.id}</td><td>${esc(fmtTime(r.time_ms))}</td><td>${esc(r.agent || '')}</td><td class="mono nowrap">${esc(r.tool || '')}</td>
      <td><span class="badge ${esc(r.decision)}">${esc(r.decision)}</span></td><td class="mono">${esc(r.rule || '')}</td>
      <td class="mono">${esc(r.args || '')}</td><td class="muted">${r.wall_ms ?? ''} ms${r.fuel ? `, ${r.fuel} fuel` : ''}</td></tr>`).join('')}
    </tbody></table>` : '<div class="empty card">No audit records match.</div>'}`;
  $('#audit-filter').addEventListener('submit', e => {
    e.preventDefault();
    const f = new URLSearchParams(new FormData(e.target));
    for (const [k, v] of [...f]) if (!v) f.delete(k);
    location.hash = '#/audit?' + f;
  });
}

// ---------------------------------------------------------------- usage

async function pageUsage() {
  const u = await api('GET', '/usage');
  const stat = (k, v) => `<div class="card stat"><div class="v">${esc(String(v ?? 0))}</div><div class="k">${esc(k)}</div></div>`;
  main().innerHTML = `<h2>Usage</h2><div class="stats">
    ${stat('sessions', u.sessions)}${stat('input tokens', u.input_tokens)}${stat('output tokens', u.output_tokens)}
    ${stat('cached tokens', u.cached_tokens)}${stat('tool calls', u.tool_calls)}${stat('denied calls', u.denied_calls)}</div>`;
}

// ---------------------------------------------------------------- boot

const m = location.hash.match(/token=([0-9a-f]+)/);
if (m) { history.replaceState(null, '', location.pathname + '#/sessions'); login(m[1]); }
else start();
