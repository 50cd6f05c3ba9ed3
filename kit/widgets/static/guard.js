// The page guard: nothing typed is lost, and a dead connection is said at once.
//
// Every keystroke in a field of the record is kept in this browser (localStorage), with the
// version of the field it was typed over, until the kernel says that value is saved. What is
// kept is keyed by the person signed in (or named on this machine): on a shared tablet, the
// next person's page never sees, offers or saves the last person's typing. When a
// field loses focus, or the page is hidden or left, the kernel is asked to save at once, with
// the latest text of every field typed into. When a page opens, the kept texts go to its
// kernel: one typed over the version still stored is saved (so the page shows it at once);
// one typed over a version someone has changed since is offered back, for the person to
// decide (the kernel then checks it as any edit). The page pings its kernel every few seconds
// and the kernel answers (and looks for colleagues' changes); when the answers stop, a banner
// says so, and that the typing is kept here. A kernel whose page is closed hears nothing, is
// idle, and is culled.
const PREFIX = "kit-draft:";  // kit-draft:<person>:<inspection>:<path>
const MAX_AGE_MS = 14 * 24 * 3600 * 1000;

function pathOf(el) {
  const root = el.closest('[class*="kp:"]');
  if (!root) return null;
  for (const c of root.classList) if (c.startsWith("kp:")) return [root, c.slice(3)];
  return null;
}

function readDraft(key) {
  try {
    const d = JSON.parse(localStorage.getItem(key) || "null");
    if (d && typeof d.v === "string" && Date.now() - d.t < MAX_AGE_MS) return d;
  } catch (e) { /* a damaged entry is no draft */ }
  return null;
}

function render({ model, el }) {
  const inspection = () => model.get("inspection");
  const person = () => model.get("person");
  const prefixNow = () => `${PREFIX}${encodeURIComponent(person())}:${inspection()}:`;
  const key = (path) => `${prefixNow()}${path}`;
  const banner = document.createElement("div");
  banner.className = "kit-offline";
  banner.setAttribute("role", "alert");
  banner.hidden = true;
  banner.textContent = "与服务器的连接已中断或服务器无响应。您的输入已保存在本浏览器中，恢复连接后请刷新页面，" +
    "即可恢复未保存的内容。 / The connection to the server is lost or the server is not " +
    "answering. What you typed is kept in this browser: reload once the connection is back " +
    "to restore it.";
  el.appendChild(banner);
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
  let lastBeat = Date.now();
  const ping = () => {
    try { model.send({ kind: "ping" }); } catch (e) { /* the kernel is gone: the banner says so */ }
  };
  const pinger = setInterval(ping, model.get("beat_ms"));
  const watch = setInterval(() => {
    banner.hidden = Date.now() - lastBeat < model.get("beat_ms") * 6;
    document.body.classList.toggle("kit-is-offline", !banner.hidden);
  }, 1000);

  const typed = new Set();      // fields typed into on this page
  const conflicts = new Set();  // kept texts the kernel would not save over a newer value
  let sent = "";                // the inspection whose kept texts went to the kernel
  const store = (path, draft) => localStorage.setItem(key(path), JSON.stringify(draft));

  const onInput = (event) => {
    const t = event.target;
    if (!(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement)) return;
    const found = pathOf(t);
    if (!found || !inspection() || !person()) return;
    const path = found[1];
    const old = readDraft(key(path));
    const base = old && typed.has(path) ? old.base : (model.get("versions")[path] ?? null);
    typed.add(path);
    conflicts.delete(path);
    store(path, { v: t.value, t: Date.now(), base });
  };
  const latest = () => {
    const values = {};
    for (const path of typed) {
      const draft = readDraft(key(path));
      if (draft) values[path] = draft.v;
    }
    return values;
  };
  // The widgets' own updates go one at a time, and the last may still wait when a page is
  // left: the flush carries the latest text of every field typed into.
  const flush = () => {
    try { model.send({ kind: "flush", values: latest() }); } catch (e) { /* the kernel is gone */ }
  };
  const onHidden = () => { if (document.visibilityState === "hidden") flush(); };
  document.addEventListener("input", onInput, true);
  document.addEventListener("focusout", flush, true);
  document.addEventListener("visibilitychange", onHidden);
  window.addEventListener("pagehide", flush);
  window.addEventListener("beforeunload", flush);

  const sendKept = () => {
    if (!inspection() || !person() || sent === prefixNow()) return;
    sent = prefixNow();
    const items = [];
    const prefix = prefixNow();
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (!k || !k.startsWith(prefix)) continue;
      const draft = readDraft(k);
      if (draft) items.push({ path: k.slice(prefix.length), value: draft.v, base: draft.base });
      else localStorage.removeItem(k);
    }
    if (items.length) model.send({ kind: "kept", person: person(), items });
  };

  const offer = (root, path, input, draft) => {
    const next = root.nextElementSibling;
    if (next && next.classList.contains("kit-draft")) return;
    const bar = document.createElement("div");
    bar.className = "kit-draft";
    const shown = draft.v.length > 80 ? draft.v.slice(0, 80) + "…" : draft.v;
    bar.innerHTML = "<span>本机保存有此处未保存的输入，但该字段已被修改 Unsaved typing kept here; " +
      "the field was changed since: </span><q></q> ";
    bar.querySelector("q").textContent = shown;
    const restore = document.createElement("button");
    restore.textContent = "恢复 Restore";
    restore.className = "kit-draft-restore";
    const discard = document.createElement("button");
    discard.textContent = "放弃 Discard";
    discard.className = "kit-draft-discard";
    bar.append(restore, discard);
    restore.onclick = () => {
      input.value = draft.v;
      conflicts.delete(path);
      input.dispatchEvent(new Event("input", { bubbles: true }));  // the usual edit, checked
      flush();
      bar.remove();
    };
    discard.onclick = () => {
      conflicts.delete(path);
      localStorage.removeItem(key(path));
      bar.remove();
    };
    root.after(bar);
  };
  // Each second: kept texts in conflict are offered beside their field (checking again and
  // again survives views that render late or re-render); others' bars are removed.
  const check = () => {
    sendKept();
    for (const root of document.querySelectorAll('[class*="kp:"]')) {
      const input = root.querySelector("input, textarea");
      const found = input && pathOf(input);
      if (!found) continue;
      const path = found[1];
      const next = root.nextElementSibling;
      const bar = next && next.classList.contains("kit-draft") ? next : null;
      const draft = conflicts.has(path) ? readDraft(key(path)) : null;
      if (!draft) { if (bar) bar.remove(); continue; }
      if (document.activeElement !== input) offer(root, path, input, draft);
    }
  };
  const checker = setInterval(check, 1000);

  model.on("msg:custom", (msg) => {
    lastBeat = Date.now();
    if (msg.kind === "saved") {
      const versions = model.get("versions");
      versions[msg.path] = msg.version;
      const draft = readDraft(key(msg.path));
      if (!draft) return;
      if (draft.v === msg.value) localStorage.removeItem(key(msg.path));
      else store(msg.path, { ...draft, base: msg.version });  // an earlier text of this page
      conflicts.delete(msg.path);
    }
    if (msg.kind === "conflict") conflicts.add(msg.path);
  });
  model.on("change:inspection", () => { typed.clear(); conflicts.clear(); });
  model.on("change:person", () => { typed.clear(); conflicts.clear(); });
  return () => {
    clearInterval(watch);
    clearInterval(pinger);
    clearInterval(checker);
    document.removeEventListener("input", onInput, true);
    document.removeEventListener("focusout", flush, true);
    document.removeEventListener("visibilitychange", onHidden);
    window.removeEventListener("pagehide", flush);
    window.removeEventListener("beforeunload", flush);
  };
}

export default { render };
