// Photos and files of one thing of the record: the camera (on a tablet), a file, thumbnails.
function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

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
    b.onclick = () => input.click();
    input.onchange = async () => {
      for (const file of input.files) {
        model.send({ kind: "attach", name: file.name }, undefined, [await file.arrayBuffer()]);
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
}

export default { render };
