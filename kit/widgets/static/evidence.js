// Photos and files of one thing of the record: the camera (on a tablet), a file, thumbnails.
// A picked file is kept in the page guard's outbox until the kernel has it.

function render({ model, el }) {
  const box = h("div", "kit-row-photos");
  box.append(h("span", "kit-row-caption", model.get("label")));
  const buttons = [];
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
        if (keep && keep.ready()) await keep.putFile(model.get("target"), file.name, data);
        else model.send({ kind: "attach", name: file.name }, undefined, [data]);
      }
      input.value = "";
    };
    buttons.push(b);
    box.append(b, input);
  };
  pick("拍照 Photo", "kit-row-photo", "image/*", true);
  pick("附件 File", "kit-row-file", "image/*,application/pdf", false);
  const thumbs = h("div", "kit-row-thumbs");
  const note = h("div", "kit-problem kit-problem-error");
  box.append(thumbs, note);
  el.appendChild(box);
  const show = () => {
    thumbs.replaceChildren(...model.get("kept").map((a) => {
      const fig = h("figure", "kit-thumb");
      if (a.thumb) { const img = h("img"); img.src = a.thumb; img.alt = a.name; fig.append(img); }
      fig.append(h("figcaption", "", `${a.key} ${a.name}`));
      return fig;
    }));
    note.textContent = model.get("message");
    for (const b of buttons) b.disabled = model.get("read_only");
  };
  show();
  for (const name of ["kept", "message", "read_only"]) model.on(`change:${name}`, show);
  const refused = (e) => {
    if (e.detail.target === model.get("target")) note.textContent = `未保存 not kept: ${e.detail.message}`;
  };
  window.addEventListener("kit-file-refused", refused);
  return () => window.removeEventListener("kit-file-refused", refused);
}

export default { render };
