// The page guard: nothing typed or tapped is lost, and the connection is always in view.
//
// The outbox (window.kitOutbox) keeps every change the page makes in this browser until the
// kernel says it is saved: each keystroke of a text field, each tap of a result or a chip (in
// localStorage: kit-draft:<person>:<inspection>:<path>, with the version of the field it was
// made over), each photo, file and signature (in IndexedDB, its bytes with where it belongs).
// What is kept is the person's own: on a shared tablet the next sign-in never sees, offers or
// saves it. When the kernel answers again (a dropped connection back, or a new kernel after a
// reload), everything still kept goes to it: a change made over the version still stored is
// saved; one made over a version someone has changed since is offered back beside its field
// (text) or said (a tap), never written over their change. The page pings its kernel every
// second; a compact state at the top of the page says saved / saving / offline and how many
// changes wait. When the kernel stays silent while the server answers (it was culled or
// killed), the page loads again: a new kernel, and everything kept replayed to it.
// A form's box that is not a field of the record (a verdict's reason, an override's: class
// kf:<name>) keeps what is typed or chosen in it as well, under kit-form:<person>:
// <inspection>:<name>, until the kernel empties it (the form's action done): after a reload it
// shows it again and the new kernel gets it, as if typed.
const PREFIX = "kit-draft:";   // kit-draft:<person>:<inspection>:<path> -> {v, t, base}
const FORMS = "kit-form:";     // kit-form:<person>:<inspection>:<name> -> {v, t}
const FILES = "kit-file:";     // kit-file:<person>:<inspection>:<id> -> {target, name, ...}
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;
const OFFLINE_MS = 3500;       // no answer for this long: the server is asked why (within 5 s)
const RESEND_MS = 6000;        // what still waits this long while connected is sent again
const STUCK_MS = 20000;        // an idle kernel the server has answered for, unreachable this
                               // long after the network is back: a new page

// The element at or above ``el`` with a class starting ``prefix`` (kp: a field's record path,
// kf: a form's box, kn: a "now" button's field), and the rest of that class
function classed(el, prefix) {
  const root = el.closest(`[class*="${prefix}"]`);
  if (!root) return null;
  for (const c of root.classList) if (c.startsWith(prefix)) return [root, c.slice(prefix.length)];
  return null;
}
const pathOf = (el) => classed(el, "kp:");
const formOf = (el) => classed(el, "kf:");

// a form's box: its text, or the option chosen ("" for a drop-down's first, "choose" option)
function formValue(input) {
  if (input instanceof HTMLSelectElement) return input.selectedIndex > 0 ? input.value : "";
  return input.value;
}

function readEntry(key) {
  try {
    const d = JSON.parse(localStorage.getItem(key) || "null");
    if (d && "v" in d && Date.now() - d.t < MAX_AGE_MS) return d;
  } catch (e) { /* a damaged entry is nothing kept */ }
  return null;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// IndexedDB for the bytes of photos, files and signatures (localStorage holds a few MB).
function blobs() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open("kit-outbox", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("files");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function blobOp(mode, fn) {
  const db = await blobs();
  return new Promise((resolve, reject) => {
    const tx = db.transaction("files", mode);
    const req = fn(tx.objectStore("files"));
    tx.oncomplete = () => { db.close(); resolve(req ? req.result : undefined); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

// What was kept longer ago than MAX_AGE_MS, by anyone on this device, is let go (a shared
// tablet keeps no one's old typing for ever)
function forgetOld() {
  const old = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (!k || !(k.startsWith(PREFIX) || k.startsWith(FORMS))) continue;
    try {
      const d = JSON.parse(localStorage.getItem(k) || "null");
      if (!d || !(Date.now() - d.t < MAX_AGE_MS)) old.push(k);
    } catch (e) { old.push(k); }
  }
  for (const k of old) localStorage.removeItem(k);
}

function render({ model, el }) {
  forgetOld();
  const inspection = () => model.get("inspection");
  const person = () => model.get("person");
  const scope = () => `${encodeURIComponent(person())}:${inspection()}:`;
  const key = (path) => `${PREFIX}${scope()}${path}`;
  const ready = () => Boolean(inspection() && person());

  // -- the connection, in view --------------------------------------------------------------
  const state = h("div", "kit-conn");
  state.setAttribute("role", "status");
  state.setAttribute("aria-live", "polite");
  const banner = h("div", "kit-offline");
  banner.setAttribute("role", "alert");
  banner.hidden = true;
  // on the page itself, not in the widget: a box between (Voila's panels) that scrolls or
  // transforms would carry a fixed element away with what it scrolls
  for (const old of document.querySelectorAll("body > .kit-conn, body > .kit-offline")) old.remove();
  document.body.append(state, banner);
  onTap(state, () => { if (said.size) { said.clear(); changed(); } });
  let lastBeat = Date.now();
  let online = true;
  let why = "";        // offline: "network" (the server cannot be reached) or "kernel"
  let askedAt = 0;
  let answeredSince = 0;  // when the server first answered during this silence (0: not yet)
  const config = (() => {  // Voila's page names its kernel and the server's base
    try { return JSON.parse(document.getElementById("jupyter-config-data").textContent); }
    catch (e) { return {}; }
  })();
  const listeners = new Set();

  // -- the outbox -------------------------------------------------------------------------
  const typed = new Set();      // text fields typed into on this page
  const conflicts = new Set();  // kept texts offered beside their field
  const said = new Map();       // kept taps refused: path -> why (said in the state's panel)
  const entries = (prefix) => {
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(prefix)) out.push(k);
    }
    return out;
  };
  const drafts = () => {
    const out = [];
    const prefix = PREFIX + scope();
    for (const k of entries(prefix)) {
      const d = readEntry(k);
      if (d) out.push([k.slice(prefix.length), d]);
      else localStorage.removeItem(k);
    }
    return out;
  };
  const files = () => entries(FILES + scope()).map((k) => {
    try { return [k, JSON.parse(localStorage.getItem(k))]; } catch (e) { return [k, null]; }
  }).filter(([, f]) => f);
  const count = () => (ready() ? drafts().length + files().length : 0);
  const changed = () => { show(); for (const cb of listeners) cb(); };

  const outbox = {
    ready,
    version: (path) => model.get("versions")[path] ?? null,
    pending: (path) => ready() && readEntry(key(path)) !== null,
    /** The change kept at a path, not yet confirmed (undefined: none). */
    value: (path) => {
      const d = ready() ? readEntry(key(path)) : null;
      return d ? d.v : undefined;
    },
    count,
    on: (cb) => { listeners.add(cb); return () => listeners.delete(cb); },
    /** Keep a change (any JSON value) at a path until the kernel says it is saved. */
    put(path, value) {
      if (!ready()) return;
      const old = readEntry(key(path));
      const base = old ? old.base : outbox.version(path);
      localStorage.setItem(key(path), JSON.stringify({ v: value, t: Date.now(), base }));
      said.delete(path);
      changed();
    },
    /** Forget a change the kernel refused for a reason said beside it. */
    drop(path) { if (ready()) { localStorage.removeItem(key(path)); changed(); } },
    /** Keep a photo, a file or a signature and send it; kept until the kernel has it. */
    async putFile(target, name, data, extra = {}) {
      if (!ready()) return null;
      const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      const meta = { target, name, t: Date.now(), ...extra };
      try {
        await blobOp("readwrite", (store) => store.put(data, FILES + scope() + id));
        localStorage.setItem(FILES + scope() + id, JSON.stringify(meta));
      } catch (e) { /* no room to keep it: sent all the same, and said if refused */ }
      changed();
      sendFile(id, meta, data);
      return id;
    },
  };
  window.kitOutbox = outbox;

  const sendFile = (id, meta, data) => {
    try {
      model.send({ kind: "attach", id, ...meta }, undefined, [data]);
    } catch (e) { /* the kernel is gone: kept, sent again when it answers */ }
  };
  const fileDone = async (id) => {
    localStorage.removeItem(FILES + scope() + id);
    try { await blobOp("readwrite", (store) => store.delete(FILES + scope() + id)); }
    catch (e) { /* nothing kept there */ }
    changed();
  };

  // -- fields: every keystroke and every tap kept -----------------------------------------
  // A text field keeps what is typed. Any other field (a drop-down, a checkbox, toggle
  // buttons, a date or a number typed) keeps what it shows, {shown: ...}, which the kernel
  // reads as that field's value (kit.widgets._fields.BoundField.kept).
  const formKey = (name) => `${FORMS}${scope()}${name}`;
  const onInput = (event) => {
    const t = event.target;
    const form = ready() && formOf(t);
    if (form && (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement ||
                 t instanceof HTMLSelectElement)) {
      const value = formValue(t);
      if (value) localStorage.setItem(formKey(form[1]), JSON.stringify({ v: value, t: Date.now() }));
      else localStorage.removeItem(formKey(form[1]));
      return;
    }
    const found = pathOf(t);
    if (!found || !ready()) return;
    const [root, path] = found;
    if (root.classList.contains("kit-shown")) {
      if (t instanceof HTMLSelectElement) {
        const o = t.selectedOptions[0];
        if (o) outbox.put(path, { shown: o.value });
      } else if (t instanceof HTMLInputElement) {
        outbox.put(path, { shown: t.type === "checkbox" ? t.checked : t.value });
      }
      return;
    }
    if (!(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement)) return;
    typed.add(path);
    conflicts.delete(path);
    outbox.put(path, t.value);
  };
  // A "now" button (class kn:<path>): the time field at that path gets now, Beijing time,
  // to the minute, typed into it as a person would (the field's change then kept and sent)
  const onNow = (event) => {
    const found = event.target instanceof Element && classed(event.target, "kn:");
    if (!found || found[0].disabled) return;
    const root = document.querySelector(`.${CSS.escape("kp:" + found[1])}`);
    const input = root && root.querySelector("input");
    if (!input || input.disabled) return;
    const part = {};
    for (const p of new Intl.DateTimeFormat("en-CA", {
      timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date()))
      part[p.type] = p.value;
    input.value = `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const onPick = (event) => {  // toggle buttons: the label of the one tapped
    const button = event.target instanceof Element && event.target.closest("button[data-value]");
    const found = button && pathOf(button);
    if (!found || !ready() || !found[0].classList.contains("kit-shown")) return;
    outbox.put(found[1], { shown: decodeURIComponent(button.getAttribute("data-value")) });
  };
  const latest = () => {
    const values = {};
    for (const path of typed) {
      const draft = readEntry(key(path));
      if (draft && typeof draft.v === "string") values[path] = draft.v;
    }
    return values;
  };
  // The widgets' own updates go one at a time, and the last may still wait when a page is
  // left: the flush carries the latest text of every field typed into.
  const flush = () => {
    try { model.send({ kind: "flush", values: latest() }); } catch (e) { /* kernel gone */ }
  };
  const onHidden = () => { if (document.visibilityState === "hidden") flush(); };
  document.addEventListener("input", onInput, true);
  document.addEventListener("change", onInput, true);
  document.addEventListener("click", onPick, true);
  document.addEventListener("click", onNow, true);
  document.addEventListener("focusout", flush, true);
  document.addEventListener("visibilitychange", onHidden);
  window.addEventListener("pagehide", flush);
  window.addEventListener("beforeunload", flush);

  // -- everything kept, to the kernel (on opening, after a reconnect, now and then) --------
  let sentAt = 0;
  const replay = async () => {
    if (!ready()) return;
    sentAt = Date.now();
    const items = drafts().filter(([path]) => !conflicts.has(path))
      .map(([path, d]) => ({ path, value: d.v, base: d.base }));
    try {
      if (items.length) model.send({ kind: "kept", person: person(), items });
    } catch (e) { return; }
    for (const [k, meta] of files()) {
      const id = k.slice((FILES + scope()).length);
      let data = null;
      try { data = await blobOp("readonly", (store) => store.get(k)); } catch (e) { /* gone */ }
      if (data) sendFile(id, meta, data);
      else fileDone(id);
    }
  };

  // -- the state at the top of the page ---------------------------------------------------
  function show() {
    const n = count();
    const waiting = n ? ` · ${n} 项待保存 waiting` : "";
    let text;
    if (!online && why === "busy") text = `● 服务器正忙 busy${waiting}`;
    else if (!online && why === "kernel") text = `● 正在重新连接 reconnecting${waiting}`;
    else if (!online) text = `● 离线 offline${waiting}`;
    else if (n) text = `● 保存中 saving${waiting}`;
    else text = "● 已保存 saved";
    state.textContent = text;
    state.className = `kit-conn kit-conn-${!online ? "offline" : n ? "saving" : "saved"}`;
    if (said.size) {  // taps kept over someone's newer change: said until read (a tap)
      const list = h("div", "kit-conn-refused");
      for (const [path, reason] of said) list.append(h("div", "", `${path}：${reason}`));
      state.append(list);
    }
    banner.hidden = online || why === "busy";
    banner.textContent = n
      ? `与服务器的连接已中断。${n} 项修改保存在本机，连接恢复后会自动保存，无需刷新页面。` +
        ` / The connection is lost. ${n} change(s) are kept on this device and will be ` +
        "saved by themselves once it is back: no need to reload."
      : "与服务器的连接已中断；恢复后会自动重新连接，您的输入会保存在本机。 / The connection " +
        "is lost; it reconnects by itself, and what you enter meanwhile is kept here.";
    document.body.classList.toggle("kit-is-offline", !online);
  }

  const ping = () => {
    try { model.send({ kind: "ping" }); } catch (e) { /* the kernel is gone: said below */ }
  };
  const pinger = setInterval(ping, model.get("beat_ms"));
  // Silent: ask the server about this page's kernel. Unreachable: offline. Gone (culled after
  // a long cut, killed): the page loads again, a new kernel, and everything kept is replayed.
  // Busy with a long task (a PDF): wait. Idle yet unreachable for long: the page loads again.
  const ask = async () => {
    askedAt = Date.now();
    let answer = "network";
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 3000);  // a network that drops: no answer
    try {
      const res = await fetch(`${config.baseUrl || "/"}api/kernels/${config.kernelId}`,
                              { cache: "no-store", credentials: "same-origin",
                                signal: stop.signal });
      if (res.status === 404) answer = "gone";
      else if (res.ok) {
        const k = await res.json();
        answer = k.execution_state === "busy" ? "busy" : "kernel";
      } else answer = "kernel";
    } catch (e) { answer = "network"; } finally { clearTimeout(timer); }
    if (Date.now() - lastBeat < OFFLINE_MS) return;  // it answered meanwhile
    why = answer === "gone" ? "kernel" : answer;
    changed();
    if (answer === "network") answeredSince = 0;
    else if (!answeredSince) answeredSince = Date.now();
    // the websocket reconnects by itself once the network is back, with its own back-off:
    // only a kernel the server has vouched for this long without reaching it is a new page
    if (answer === "gone" || (answer === "kernel" && Date.now() - answeredSince > STUCK_MS)) {
      window.location.reload();  // a new kernel; what is kept here goes to it
    }
  };
  const watch = setInterval(() => {
    const silent = Date.now() - lastBeat;
    const wasOnline = online;
    online = silent < OFFLINE_MS;
    if (online) { why = ""; answeredSince = 0; }
    if (online !== wasOnline) changed();
    if (online && !wasOnline) replay();  // back: everything kept goes to the kernel
    else if (online && count() && Date.now() - sentAt > RESEND_MS) replay();
    if (!online && config.kernelId && Date.now() - askedAt > 3500) ask();
  }, 500);

  // -- kept texts someone changed since: offered beside their field ------------------------
  const offer = (root, path, input, draft) => {
    const next = root.nextElementSibling;
    if (next && next.classList.contains("kit-draft")) return;
    const bar = h("div", "kit-draft");
    const shown = draft.v.length > 80 ? draft.v.slice(0, 80) + "…" : draft.v;
    bar.append(h("span", "", "本机保存有此处未保存的输入，但该字段已被修改 Unsaved typing kept " +
                 "here; the field was changed since: "), h("q", "", shown), " ");
    const restore = h("button", "kit-draft-restore", "恢复 Restore");
    const discard = h("button", "kit-draft-discard", "放弃 Discard");
    bar.append(restore, discard);
    onTap(restore, () => {
      input.value = draft.v;
      conflicts.delete(path);
      input.dispatchEvent(new Event("input", { bubbles: true }));  // the usual edit, checked
      flush();
      bar.remove();
    });
    onTap(discard, () => {
      conflicts.delete(path);
      localStorage.removeItem(key(path));
      bar.remove();
      changed();
    });
    root.after(bar);
  };
  // Each second: kept texts in conflict are offered beside their field; a kept text not yet
  // saved is what its field shows (a reload right after typing shows every character).
  const check = () => {
    for (const root of document.querySelectorAll('[class*="kp:"]')) {
      const found = pathOf(root);
      if (!found || found[0] !== root) continue;
      const path = found[1];
      const input = root.querySelector("input:not([type=checkbox]), textarea");
      const next = root.nextElementSibling;
      const bar = next && next.classList.contains("kit-draft") ? next : null;
      const draft = ready() ? readEntry(key(path)) : null;
      if (draft && conflicts.has(path) && input) {
        if (document.activeElement !== input) offer(root, path, input, draft);
        continue;
      }
      if (bar) bar.remove();
      if (draft && typeof draft.v === "string" && input && document.activeElement !== input &&
          input.value !== draft.v) input.value = draft.v;
      root.classList.toggle("kit-pending", Boolean(draft));
    }
  };
  // Each second too: a form's box shows what was kept for it when it is first seen (after a
  // reload: the widget gets it as if typed); once shown, the kernel emptying it (its action
  // done) or changing it is what is kept.
  const checkForms = () => {
    if (!ready()) return;
    for (const root of document.querySelectorAll('[class*="kf:"]')) {
      const found = formOf(root);
      const input = root.querySelector("input:not([type=checkbox]), textarea, select");
      if (!found || found[0] !== root || !input) continue;
      const k = formKey(found[1]);
      const kept = readEntry(k);
      if (input.dataset.kitForm !== scope()) {  // first seen (a new page, another record)
        input.dataset.kitForm = scope();
        if (kept && typeof kept.v === "string" && formValue(input) !== kept.v) {
          input.value = kept.v;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.dispatchEvent(new Event("change", { bubbles: true }));
        }
        continue;
      }
      if (document.activeElement === input || !kept || formValue(input) === kept.v) continue;
      const now = formValue(input);
      if (now) localStorage.setItem(k, JSON.stringify({ v: now, t: Date.now() }));
      else localStorage.removeItem(k);
    }
  };
  const checker = setInterval(() => { check(); checkForms(); }, 1000);

  model.on("msg:custom", (msg) => {
    lastBeat = Date.now();
    if (msg.kind === "beat" && !online) {
      online = true;
      changed();
      replay();
    }
    if (msg.kind === "saved") {
      model.get("versions")[msg.path] = msg.version;  // the page's own copy: not synced back
      if (!ready()) return;
      // a change to a group settles every change kept below it that it holds
      for (const [path, draft] of drafts()) {
        if (path !== msg.path && !path.startsWith(msg.path + "/")) continue;
        const now = path === msg.path ? msg.value
          : path.slice(msg.path.length + 1).split("/").reduce(
            (node, k) => (node && typeof node === "object" ? node[k] : undefined), msg.value);
        const shown = draft.v !== null && typeof draft.v === "object" && "shown" in draft.v;
        if (same(draft.v, now) || (shown && path === msg.path && "shown" in msg &&
                                   same(draft.v.shown, msg.shown))) {
          localStorage.removeItem(key(path));
        }
        else if (path === msg.path) {  // an earlier change of this page: over the new version
          localStorage.setItem(key(path), JSON.stringify({ ...draft, base: msg.version }));
        }
        conflicts.delete(path);
        said.delete(path);
      }
      changed();
    }
    if (msg.kind === "taken") {  // a kept change the kernel has saved, or found already there
      const draft = ready() ? readEntry(key(msg.path)) : null;
      if (draft && same(draft.v, msg.kept)) localStorage.removeItem(key(msg.path));
      changed();
    }
    if (msg.kind === "conflict") {
      const draft = ready() ? readEntry(key(msg.path)) : null;
      if (draft && typeof draft.v === "string") conflicts.add(msg.path);
      else {  // a tap made over someone else's newer change: said, never imposed
        said.set(msg.path, msg.message || "他人已修改，未保存 / changed by someone else: not saved");
        localStorage.removeItem(key(msg.path));
      }
      changed();
    }
    if (msg.kind === "filed") fileDone(msg.id);
    if (msg.kind === "file_refused") {
      fileDone(msg.id);
      window.dispatchEvent(new CustomEvent("kit-file-refused", { detail: msg }));
    }
  });
  model.on("change:inspection", () => { typed.clear(); conflicts.clear(); said.clear(); replay(); changed(); });
  model.on("change:person", () => { typed.clear(); conflicts.clear(); said.clear(); replay(); changed(); });
  replay();
  show();

  // the name chosen on this machine, remembered across reloads (the office server signs in)
  const remembered = localStorage.getItem("kit-user") || "";
  if (!model.get("user") && remembered) { model.set("user", remembered); model.save_changes(); }
  model.on("change:user", () => {
    if (model.get("user")) localStorage.setItem("kit-user", model.get("user"));
  });
  // the address follows the record, stage and section (history.replaceState: no reload, no
  // new history entry per tap); Voila hands the query to the next kernel on a reload
  const follow = () => {
    const q = model.get("query");
    if (!q) return;
    const url = `${window.location.pathname}?${q}${window.location.hash}`;
    if (url !== window.location.pathname + window.location.search + window.location.hash)
      window.history.replaceState(window.history.state, "", url);
  };
  model.on("change:query", follow);
  follow();

  return () => {
    clearInterval(watch);
    clearInterval(pinger);
    clearInterval(checker);
    document.removeEventListener("input", onInput, true);
    document.removeEventListener("change", onInput, true);
    document.removeEventListener("click", onPick, true);
    document.removeEventListener("click", onNow, true);
    document.removeEventListener("focusout", flush, true);
    document.removeEventListener("visibilitychange", onHidden);
    window.removeEventListener("pagehide", flush);
    window.removeEventListener("beforeunload", flush);
    if (window.kitOutbox === outbox) delete window.kitOutbox;
    state.remove();
    banner.remove();
  };
}

export default { render };
