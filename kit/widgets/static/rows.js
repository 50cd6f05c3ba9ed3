// The checklist of one section as compact rows: one tap per result.
//
// Each item is one row: its label and the guide's words, and the results as buttons (符合
// green, 不符合 red, 不适用 grey; none chosen: 未检查, outlined). Tapping the chosen result
// again takes it back to 未检查. The notes, the means (toggle chips) and the evidence unfold
// under the row on demand, and by themselves on 不符合, which also offers 记为问题. The row
// changes at once and the kernel saves; until it says so, the page guard's outbox keeps the
// tap (a lost connection, a reload, a new kernel lose nothing) and the row is marked as
// waiting; the section's count includes what waits. A refused change is said in the row,
// which then shows the record again. Text boxes sit in roots with the kp:<path> class, so the
// page guard keeps every keystroke until it is saved. A second tap acts on what the row shows.
const TYPING_MS = 700;

function render({ model, el }) {
  const root = h("div", "kit-rows-list");
  const tally = h("div", "kit-rows-count");
  tally.setAttribute("aria-live", "polite");
  el.append(tally, root);
  const rows = new Map();
  const pending = new Map();  // "id|field" -> timer of typing not yet sent
  const path = (id, field) => `results/${id}/${field}`;

  const send = (id, field, value) => {
    const keep = outbox();
    if (keep) keep.put(path(id, field), value);  // kept until the kernel says it is saved
    try { model.send({ kind: "set", id, field, value }); }
    catch (e) { /* the kernel is gone: the outbox sends it to the next one */ }
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
      onTap(b, () => {
        const next = row.shown.result === code ? "unchecked" : code;
        show(row, { ...row.shown, result: next });
        if (next === "nonconform") unfold(row, true);
        send(item.id, "result", next);
      });
      row.buttons.set(code, b);
      results.append(b);
    }
    row.toggle = h("button", "kit-row-toggle", "记录 ▾");
    row.toggle.type = "button";
    row.toggle.setAttribute("aria-expanded", "false");
    onTap(row.toggle, () => unfold(row, row.detail.hidden));
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
      onTap(c, () => {
        const now = new Set(row.shown.means || []);
        if (now.has(code)) now.delete(code); else now.add(code);
        const order = model.get("means").map(([m]) => m).filter((m) => now.has(m));
        show(row, { ...row.shown, means: order });
        send(item.id, "means", order);
      });
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
    onTap(row.finding, () => {
      sendText(item.id, "notes", row.notes);
      row.finding.disabled = true;
      model.send({ kind: "finding", id: item.id });
    });
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
      onTap(b, () => input.click());
      input.onchange = async () => {
        for (const file of input.files) {
          const data = await file.arrayBuffer();
          const keep = outbox();
          if (keep && keep.ready()) {  // kept on this device until the kernel has it
            row.waitingFiles = (row.waitingFiles || 0) + 1;
            await keep.putFile(`results/${item.id}`, file.name, data);
          } else model.send({ kind: "attach", id: item.id, name: file.name }, undefined, [data]);
        }
        input.value = "";
        markAll();
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
    row.shown = { ...v };
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

  // A tap not yet confirmed: the row shows it and says it waits; the section counts it.
  const mark = (row) => {
    const keep = outbox();
    const waits = Boolean(keep) && ["result", "means", "notes", "evidence"].some(
      (f) => keep.pending(path(row.item.id, f)));
    row.box.classList.toggle("kit-pending", waits);
    row.box.title = waits ? "待保存：连接恢复后自动保存 / waiting to be saved" : "";
    return waits;
  };
  function markAll() {
    let checked = 0, bad = 0, waiting = 0;
    for (const row of rows.values()) {
      const result = row.shown.result || "unchecked";
      if (result !== "unchecked") checked += 1;
      if (result === "nonconform") bad += 1;
      if (mark(row)) waiting += 1;
    }
    tally.textContent = `本节已检查 ${checked}/${rows.size}，不符合 ${bad}` +
      (waiting ? `，其中 ${waiting} 项待保存` : "") +
      ` / checked ${checked} of ${rows.size}, ${bad} not conforming` +
      (waiting ? `, ${waiting} waiting to be saved` : "");
    tally.classList.toggle("kit-rows-count-waiting", waiting > 0);
  }
  const showAll = () => {
    const values = model.get("values");
    const keep = outbox();
    for (const [id, row] of rows) {
      const v = { ...(values[id] || {}) };
      for (const f of ["result", "means"]) {  // a kept tap is what the row shows until saved
        const kept = keep ? keep.value(path(id, f)) : undefined;
        if (kept !== undefined) v[f] = kept;
      }
      show(row, v);
    }
    markAll();
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
  const keep = outbox();
  const stop = keep ? keep.on(markAll) : () => {};
  const refused = (e) => {  // a photo the kernel would not keep: said in its row
    const id = String(e.detail.target || "").replace(/^results\//, "");
    const row = rows.get(id);
    if (!row) return;
    const p = h("div", "kit-problem kit-problem-error kit-row-refused",
                "✖ 未保存 not kept: " + e.detail.message);
    row.problems.prepend(p);
    setTimeout(() => p.remove(), 8000);
  };
  window.addEventListener("kit-file-refused", refused);
  model.on("change:values", showAll);
  model.on("change:problems", showProblems);
  model.on("change:read_only", lock);
  model.on("msg:custom", (msg) => {
    const row = rows.get(msg.id);
    if (!row) return;
    if (msg.kind === "refused") {
      const p = h("div", "kit-problem kit-problem-error kit-row-refused", "✖ 未保存 not saved: " + msg.message);
      row.problems.prepend(p);
      const keepNow = outbox();
      if (keepNow && msg.field) keepNow.drop(path(msg.id, msg.field));  // refused: not kept
      show(row, model.get("values")[msg.id] || {});
      markAll();
      setTimeout(() => p.remove(), 8000);
    }
  });
  return () => {
    for (const timer of pending.values()) clearTimeout(timer);
    stop();
    window.removeEventListener("kit-file-refused", refused);
  };
}

export default { render };
