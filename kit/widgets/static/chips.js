// A multi-choice field as chips (kit.widgets._fields.ChoiceChips): the field's label, then
// every option's full text as a button a finger can tap, wrapping onto as many lines as it
// needs; a chosen one is marked by its colour and a tick (never colour alone) and says so to
// a screen reader (aria-pressed). One tap toggles one option; the new choice goes to the
// kernel, which saves it through the field and sends back the record's value when it was
// refused (the chips then show what the record holds). Until the kernel confirms it, the
// page guard's outbox keeps the choice (a lost connection or a reload loses nothing), and the
// field is marked as waiting. h(), onTap(), outbox(): static/common.js.

function render({ model, el }) {
  el.classList.add("kit-choices");
  const label = h("div", "kit-choices-label");
  const list = h("div", "kit-choices-list");
  list.setAttribute("role", "group");
  el.append(label, list);
  let buttons = new Map();  // option value -> its chip

  const toggle = (value) => {
    if (model.get("disabled")) return;
    const chosen = new Set(model.get("value"));
    if (chosen.has(value)) chosen.delete(value);
    else chosen.add(value);
    const order = model.get("options").map((o) => o[1]);
    const known = order.filter((v) => chosen.has(v));
    const next = known.concat([...chosen].filter((v) => !order.includes(v)));
    const keep = outbox();
    const root = el.closest('[class*="kp:"]');
    const path = root && [...root.classList].find((c) => c.startsWith("kp:"));
    if (keep && path) keep.put(path.slice(3), next);
    model.set("value", next);
    try { model.save_changes(); }
    catch (e) { /* the kernel is gone: the outbox sends it to the next one */ }
  };

  const mark = () => {  // the chosen ones, without rebuilding (focus stays where it is)
    const chosen = new Set(model.get("value"));
    const disabled = model.get("disabled");
    for (const [value, chip] of buttons) {
      const on = chosen.has(value);
      chip.classList.toggle("mod-on", on);
      chip.setAttribute("aria-pressed", on ? "true" : "false");
      chip.querySelector(".kit-choice-mark").textContent = on ? "✓" : "";
      chip.disabled = disabled;
    }
    el.classList.toggle("mod-disabled", disabled);
  };

  const build = () => {
    label.textContent = model.get("description");
    list.setAttribute("aria-label", model.get("description"));
    buttons = new Map();
    const chips = [];
    for (const [text, value] of model.get("options")) {
      const chip = h("button", "kit-choice");
      chip.type = "button";
      chip.append(h("span", "kit-choice-mark"), h("span", "kit-choice-text", text));
      onTap(chip, () => toggle(value));
      buttons.set(value, chip);
      chips.push(chip);
    }
    if (!chips.length) chips.push(h("span", "kit-choices-none", "（暂无可选项 nothing to choose yet）"));
    list.replaceChildren(...chips);
    mark();
  };

  build();
  model.on("change:options", build);
  model.on("change:description", build);
  model.on("change:value", mark);
  model.on("change:disabled", mark);
  return () => {
    model.off("change:options", build);
    model.off("change:description", build);
    model.off("change:value", mark);
    model.off("change:disabled", mark);
  };
}

export default { render };
