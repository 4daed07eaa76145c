/**
 * The web UI's page and script, as strings so they ship inside the compiled output. Plain DOM
 * code against the registry's own API (catalog, tags, manifests, config blobs, v1 search); all
 * registry data is inserted with textContent, never as HTML.
 *
 * Auth: under basic auth the browser's own credentials go along. Under token auth the script
 * follows Docker's flow itself: a 401 with `WWW-Authenticate: Bearer realm,service,scope` makes
 * it ask the realm for a token (anonymously first, then with the user's name and password from
 * the sign-in form, as an OAuth2 password grant), covering every scope seen so far, and retry
 * with `Authorization: Bearer`. The password stays in page memory only.
 */
export const UI_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wharf registry</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#222}
header{background:#123;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:center}
header h1{font-size:1.1em;margin:0}
main{display:flex;gap:1em;padding:1em}
#repos{min-width:16em}
#repos li{cursor:pointer;padding:.2em 0}
#repos li.active{font-weight:bold}
table{border-collapse:collapse}
td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left;font-size:.9em;vertical-align:top}
code{font-size:.85em}
#status{color:#a00}
</style></head>
<body>
<header><h1>wharf registry</h1><input id="search" type="search" placeholder="Search repositories">
<form id="login" hidden><input id="user" autocomplete="username" placeholder="Username" required>
<input id="password" type="password" autocomplete="current-password" placeholder="Password" required>
<button type="submit">Sign in</button></form><span id="who"></span></header>
<div id="status" role="status"></div>
<main>
<section><h2>Repositories</h2><ul id="repos"></ul></section>
<section><h2 id="repo-title">Tags</h2>
<table id="tags"><thead><tr><th>Tag</th><th>Digest</th><th>Size</th><th>Created</th><th>Platform</th><th>Layers</th><th></th></tr></thead><tbody></tbody></table>
</section>
</main>
<script src="/ui/app.js"></script>
</body></html>`;

export const UI_SCRIPT = String.raw`'use strict';
const ACCEPT = ['application/vnd.oci.image.index.v1+json','application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json','application/vnd.docker.distribution.manifest.v2+json'].join(',');
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
const status = (msg) => { $('status').textContent = msg || ''; };
function human(n) { const u = ['B','kB','MB','GB','TB']; let i = 0; while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; } return (i ? n.toFixed(1) : n) + u[i]; }
const session = { user: '', password: '', token: '', scopes: new Set(), waiting: null };
function bearerChallenge(res) {
  const h = res.headers.get('WWW-Authenticate') || '';
  if (!/^Bearer\s/i.test(h)) return null;
  const c = {};
  for (const m of h.matchAll(/(\w+)="([^"]*)"/g)) c[m[1]] = m[2];
  return c.realm ? c : null;
}
/** A token for every scope seen so far; false when the realm refuses the credentials. */
async function requestToken(c) {
  if (c.scope) for (const s of c.scope.split(' ')) session.scopes.add(s);
  if (session.scopes.size > 64) session.scopes = new Set((c.scope || '').split(' ').filter(Boolean));
  const scopes = [...session.scopes];
  let res;
  if (session.user) {
    const form = new URLSearchParams({ grant_type: 'password', username: session.user, password: session.password, service: c.service || '', scope: scopes.join(' '), client_id: 'wharf-ui' });
    res = await fetch(c.realm, { method: 'POST', credentials: 'omit', body: form });
  } else {
    const q = new URLSearchParams({ service: c.service || '' });
    for (const s of scopes) q.append('scope', s);
    res = await fetch(c.realm + '?' + q, { credentials: 'omit' });
  }
  if (!res.ok) { session.token = ''; return false; }
  session.token = (await res.json()).token;
  return true;
}
/** Show the sign-in form; every caller waiting for credentials resumes on one submit. */
function signIn(message) {
  if (!session.waiting) session.waiting = new Promise((resolve) => {
    const form = $('login');
    form.hidden = false;
    status(message);
    form.onsubmit = (ev) => {
      ev.preventDefault();
      session.user = $('user').value;
      session.password = $('password').value;
      session.token = '';
      form.hidden = true;
      session.waiting = null;
      $('who').textContent = 'signed in as ' + session.user;
      status('');
      resolve();
    };
  });
  return session.waiting;
}
async function api(path, opts) {
  opts = opts || {};
  let granted = false;
  for (let tries = 0; tries < 4; tries++) {
    const headers = Object.assign({}, opts.headers || {});
    if (session.token) headers.Authorization = 'Bearer ' + session.token;
    const res = await fetch(path, Object.assign({ credentials: 'same-origin' }, opts, { headers }));
    const c = res.status === 401 ? bearerChallenge(res) : null;
    if (c && !granted) {
      if (await requestToken(c)) granted = true;
      else { await signIn(session.user ? 'invalid username or password' : 'sign in required'); tries--; }
      continue;
    }
    if (c && !session.user) { granted = false; await signIn('sign in required'); tries--; continue; }
    if (!res.ok) { let msg = res.status + ''; try { msg = (await res.json()).errors[0].message; } catch (e) {} throw new Error(msg); }
    return res;
  }
  throw new Error('not authorised');
}

async function loadRepos(query) {
  const list = $('repos');
  list.replaceChildren();
  let names;
  if (query) names = (await (await api('/v1/search?n=100&q=' + encodeURIComponent(query))).json()).results.map((r) => r.name);
  else names = (await (await api('/v2/_catalog?n=1000')).json()).repositories;
  for (const name of names) {
    const li = el('li', name);
    li.dataset.repo = name;
    li.onclick = () => showRepo(name);
    list.append(li);
  }
  if (!names.length) list.append(el('li', 'no repositories'));
}

async function describe(repo, tag) {
  const res = await api('/v2/' + repo + '/manifests/' + encodeURIComponent(tag), { headers: { Accept: ACCEPT } });
  const digest = res.headers.get('Docker-Content-Digest');
  const m = await res.json();
  const info = { digest, size: 0, created: '', platform: '', layers: 0 };
  if (m.manifests) {
    info.platform = m.manifests.filter((d) => d.platform).map((d) => d.platform.os + '/' + d.platform.architecture + (d.platform.variant ? '/' + d.platform.variant : '')).join(', ');
    info.size = m.manifests.reduce((n, d) => n + d.size, 0);
    info.layers = '-';
    return info;
  }
  info.layers = (m.layers || []).length;
  info.size = (m.config ? m.config.size : 0) + (m.layers || []).reduce((n, l) => n + l.size, 0);
  if (m.config && /json/.test(m.config.mediaType) && m.config.size < 1e6) {
    try {
      const cfg = await (await api('/v2/' + repo + '/blobs/' + m.config.digest)).json();
      info.created = cfg.created || '';
      if (cfg.os) info.platform = cfg.os + '/' + cfg.architecture + (cfg.variant ? '/' + cfg.variant : '');
    } catch (e) {}
  }
  return info;
}

async function showRepo(repo) {
  status('');
  for (const li of $('repos').children) li.classList.toggle('active', li.dataset.repo === repo);
  $('repo-title').textContent = 'Tags of ' + repo;
  const body = $('tags').tBodies[0];
  body.replaceChildren();
  const access = await (await api('/ui/access/' + repo)).json();
  const tags = (await (await api('/v2/' + repo + '/tags/list')).json()).tags || [];
  for (const tag of tags) {
    const row = el('tr');
    row.dataset.tag = tag;
    body.append(row);
    const info = await describe(repo, tag).catch((e) => ({ digest: 'error: ' + e.message, size: 0, created: '', platform: '', layers: '' }));
    const digest = el('td'); digest.append(el('code', info.digest));
    // untrusted: a config's created may be anything; an unreadable one shows as it is (as text)
    const when = typeof info.created === 'string' ? new Date(info.created) : null;
    const created = when && !isNaN(when.getTime()) ? when.toISOString().replace('T', ' ').slice(0, 19) : String(info.created ?? '').slice(0, 40);
    row.append(el('td', tag, 'tag'), digest, el('td', human(info.size), 'size'), el('td', created, 'created'), el('td', info.platform, 'platform'), el('td', String(info.layers), 'layers'));
    const actions = el('td');
    if (access.delete) {
      const btn = el('button', 'Delete', 'delete');
      btn.onclick = async () => {
        if (!confirm('Delete tag ' + repo + ':' + tag + '?')) return;
        try { await api('/v2/' + repo + '/manifests/' + encodeURIComponent(tag), { method: 'DELETE' }); row.remove(); status('deleted ' + repo + ':' + tag); }
        catch (e) { status('delete failed: ' + e.message); }
      };
      actions.append(btn);
    }
    row.append(actions);
  }
}

$('search').addEventListener('input', (ev) => { loadRepos(ev.target.value.trim()).catch((e) => status(e.message)); });
loadRepos('').catch((e) => status(e.message));
`;
