// The checklist of one section as compact rows: one tap per result.
//
// Each item is one row: its label and the guide's words, and the results as buttons (符合
// green, 不符合 red, 不适用 grey; none chosen: 未检查, outlined). Tapping the chosen result
// again takes it back to 未检查. The notes, the means (toggle chips) and the evidence unfold
// under the row on demand, and by themselves on 不符合, which also offers 记为问题. The row
// changes at once and the kernel saves; a refused change is said in the row, which then shows
// the record again. Text boxes sit in roots with the kp:<path> class, so the page guard keeps
// every keystroke until it is saved.
const TYPING_MS = 700;

function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

function render({ model, el }) {
  const root = h("div", "kit-rows-list");
  el.appendChild(root);
  const rows = new Map();
  const pending = new Map();  // "id|field" -> timer of typing not yet sent

  const send = (id, field, value) => {
    model.send({ kind: "set", id, field, value });
  };
  const sendText = (id, field, input) => {
    const k = `${id}|${field}`;
    clearTimeout(pending.get(k));
    pending.delete(k);
    const shown = (model.get("values")[id] || {})[field] ?? "";
    if (input.value !== shown) send(id, field, input.value);
  };
  const typed = (id, field, input) => {
    const k = `${id}|${field}`;
    clearTimeout(pending.get(k));
    pending.set(k, setTimeout(() => sendText(id, field, input), TYPING_MS));
  };

  const unfold = (row, open) => {
    row.detail.hidden = !open;
    row.toggle.setAttribute("aria-expanded", String(open));
    row.toggle.textContent = open ? "收起 ▴" : "记录 ▾";
  };

  for (const item of model.get("items")) {
    const row = { item };
    const box = h("div", `kit-row kit-item kit-item-${item.css}`);
    box.dataset.id = item.id;
    const main = h("div", "kit-row-main");
    const text = h("div", "kit-row-text");
    text.append(h("b", "kit-row-label", item.label));
    if (item.office) text.append(h("span", "kit-row-office", "（本局补充）"));
    text.append(h("span", "kit-row-zh", item.zh));
    text.append(h("span", "kit-row-en", item.en));
    const results = h("div", `kit-row-results kit-field-results--${item.css}--result`);
    results.setAttribute("role", "group");
    results.setAttribute("aria-label", `${item.label} 结果 result`);
    row.buttons = new Map();
    for (const [code, zh, en] of model.get("results")) {
      const b = h("button", `kit-r kit-r-${code}`, zh);
      b.type = "button";
      b.title = en;
      b.onclick = () => {
        const now = (model.get("values")[item.id] || {}).result;
        const next = now === code ? "unchecked" : code;
        show(row, { ...(model.get("values")[item.id] || {}), result: next });
        if (next === "nonconform") unfold(row, true);
        send(item.id, "result", next);
      };
      row.buttons.set(code, b);
      results.append(b);
    }
    row.toggle = h("button", "kit-row-toggle", "记录 ▾");
    row.toggle.type = "button";
    row.toggle.setAttribute("aria-expanded", "false");
    row.toggle.onclick = () => unfold(row, row.detail.hidden);
    main.append(text, results, row.toggle);

    row.detail = h("div", "kit-row-detail");
    row.detail.hidden = true;
    const notesBox = h("div", `kit-row-notes kit-field-results--${item.css}--notes ${item.paths.notes}`);
    notesBox.append(h("label", "kit-row-caption", "检查情况记录 Notes"));
    row.notes = h("textarea");
    row.notes.rows = 2;
    row.notes.placeholder = "检查情况 what was seen";
    row.notes.oninput = () => typed(item.id, "notes", row.notes);
    row.notes.onblur = () => sendText(item.id, "notes", row.notes);
    notesBox.append(row.notes);
    const meansBox = h("div", `kit-row-means kit-field-results--${item.css}--means`);
    meansBox.append(h("span", "kit-row-caption", "检查手段 Means"));
    row.chips = new Map();
    for (const [code, zh] of model.get("means")) {
      const c = h("button", "kit-chip", zh);
      c.type = "button";
      c.onclick = () => {
        const now = new Set((model.get("values")[item.id] || {}).means || []);
        if (now.has(code)) now.delete(code); else now.add(code);
        const order = model.get("means").map(([m]) => m).filter((m) => now.has(m));
        show(row, { ...(model.get("values")[item.id] || {}), means: order });
        send(item.id, "means", order);
      };
      row.chips.set(code, c);
      meansBox.append(c);
    }
    const evidenceBox = h("div", `kit-row-evidence kit-field-results--${item.css}--evidence ${item.paths.evidence}`);
    evidenceBox.append(h("label", "kit-row-caption", "证据材料 Evidence"));
    row.evidence = h("input");
    row.evidence.placeholder = "证据材料编号、照片、记录编号";
    row.evidence.oninput = () => typed(item.id, "evidence", row.evidence);
    row.evidence.onblur = () => sendText(item.id, "evidence", row.evidence);
    evidenceBox.append(row.evidence);
    row.finding = h("button", "kit-row-finding", "记为问题 Record as a finding");
    row.finding.type = "button";
    row.finding.onclick = () => {
      sendText(item.id, "notes", row.notes);
      row.finding.disabled = true;
      model.send({ kind: "finding", id: item.id });
    };
    // evidence: a photo (on a tablet, the camera) or a file, shown as thumbnails
    const shots = h("div", `kit-row-photos kit-field-results--${item.css}--attachments`);
    row.thumbs = h("div", "kit-row-thumbs");
    const pick = (label, cls, accept, capture) => {
      const input = h("input");
      input.type = "file";
      input.accept = accept;
      if (capture) input.setAttribute("capture", "environment");
      input.hidden = true;
      input.className = `${cls}-input`;
      const b = h("button", cls, label);
      b.type = "button";
      b.onclick = () => input.click();
      input.onchange = async () => {
        for (const file of input.files) {
          const data = await file.arrayBuffer();
          model.send({ kind: "attach", id: item.id, name: file.name }, undefined, [data]);
        }
        input.value = "";
      };
      row.uploads.push(b);
      return [b, input];
    };
    row.uploads = [];
    shots.append(h("span", "kit-row-caption", "照片与附件 Photos and files"),
                 ...pick("拍照 Photo", "kit-row-photo", "image/*", true),
                 ...pick("附件 File", "kit-row-file", "image/*,application/pdf", false),
                 row.thumbs);
    row.detail.append(notesBox, meansBox, evidenceBox, shots, row.finding);
    row.problems = h("div", "kit-row-problems");
    row.problems.setAttribute("aria-live", "polite");
    box.append(main, row.detail, row.problems);
    row.box = box;
    rows.set(item.id, row);
    root.append(box);
  }

  function show(row, v) {
    const result = v.result || "unchecked";
    row.box.classList.remove("kit-row-conform", "kit-row-nonconform", "kit-row-not_applicable",
                             "kit-row-unchecked");
    row.box.classList.add(`kit-row-${result}`);
    for (const [code, b] of row.buttons) {
      const on = code === result;
      b.classList.toggle("mod-active", on);
      b.setAttribute("aria-pressed", String(on));
    }
    const means = new Set(v.means || []);
    for (const [code, c] of row.chips) {
      c.classList.toggle("mod-active", means.has(code));
      c.setAttribute("aria-pressed", String(means.has(code)));
    }
    if (document.activeElement !== row.notes && !pending.has(`${row.item.id}|notes`))
      row.notes.value = v.notes || "";
    if (document.activeElement !== row.evidence && !pending.has(`${row.item.id}|evidence`))
      row.evidence.value = v.evidence || "";
    const kept = v.attachments || [];
    row.thumbs.replaceChildren(...kept.map((a) => {
      const fig = h("figure", "kit-thumb");
      if (a.thumb) {
        const img = h("img");
        img.src = a.thumb;
        img.alt = a.name;
        fig.append(img);
      }
      fig.append(h("figcaption", "", `${a.key} ${a.name}`));
      return fig;
    }));
    const hasText = (v.notes || "") !== "" || (v.evidence || "") !== "" || kept.length > 0;
    row.finding.hidden = result !== "nonconform" || v.found;
    row.finding.disabled = model.get("read_only");
    row.toggle.classList.toggle("kit-row-has-notes", hasText);
    if ((result === "nonconform" || hasText) && !row.opened) { unfold(row, true); row.opened = true; }
  }

  const showAll = () => {
    const values = model.get("values");
    for (const [id, row] of rows) show(row, values[id] || {});
  };
  const showProblems = () => {
    const problems = model.get("problems");
    for (const [id, row] of rows) {
      row.problems.replaceChildren(...(problems[id] || []).map(([severity, text]) => {
        const p = h("div", `kit-problem kit-problem-${severity}`,
                    (severity === "error" ? "✖ " : "⚠ ") + text);
        return p;
      }));
    }
  };
  const lock = () => {
    const ro = model.get("read_only");
    for (const row of rows.values()) {
      for (const b of [...row.buttons.values(), ...row.chips.values(), row.finding,
                       ...row.uploads])
        b.disabled = ro;
      row.notes.readOnly = ro;
      row.evidence.readOnly = ro;
    }
  };
  showAll();
  showProblems();
  lock();
  model.on("change:values", showAll);
  model.on("change:problems", showProblems);
  model.on("change:read_only", lock);
  model.on("msg:custom", (msg) => {
    const row = rows.get(msg.id);
    if (!row) return;
    if (msg.kind === "refused") {
      const p = h("div", "kit-problem kit-problem-error kit-row-refused", "✖ 未保存 not saved: " + msg.message);
      row.problems.prepend(p);
      show(row, model.get("values")[msg.id] || {});
      setTimeout(() => p.remove(), 8000);
    }
  });
  return () => { for (const timer of pending.values()) clearTimeout(timer); };
}

export default { render };
