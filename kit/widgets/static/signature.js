// A signature drawn on the screen: pointer events, so a finger, a pen or a mouse all draw.
// The signer's name is given above the pad; 保存 keeps the drawing as PNG with that name in the
// page guard's outbox (on this device until the kernel has it: a lost connection or a reload
// loses no signature) and sends it to the kernel, which keeps it with who drew it, who
// captured it and when. Keep and Clear act on a finger's tap itself (onTap): after a stroke a
// browser may send no click for the tap that follows.
function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "kit-sign-box";
  const title = document.createElement("div");
  title.className = "kit-sign-label";
  title.textContent = model.get("label");
  const name = document.createElement("input");
  name.type = "text";
  name.className = "kit-sign-name";
  name.placeholder = "签字人姓名 signer's name";
  name.setAttribute("aria-label", `${model.get("label")} 签字人姓名 signer's name`);
  name.value = model.get("signer");
  const canvas = document.createElement("canvas");
  canvas.className = "kit-sign-canvas";
  canvas.width = 600;
  canvas.height = 200;
  canvas.setAttribute("aria-label", `${model.get("label")} 签名区 signature pad`);
  const ctx = canvas.getContext("2d");
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111";
  let drawing = false;
  let strokes = 0;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width,
            (e.clientY - r.top) * canvas.height / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    if (model.get("read_only")) return;
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = at(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
    strokes += 1;
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const [x, y] = at(e);
    ctx.lineTo(x, y);
    ctx.stroke();
    e.preventDefault();
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  const buttons = document.createElement("div");
  buttons.className = "kit-sign-buttons";
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "kit-sign-clear";
  clear.textContent = "清除 Clear";
  onTap(clear, () => { ctx.clearRect(0, 0, canvas.width, canvas.height); strokes = 0; });
  const save = document.createElement("button");
  save.type = "button";
  save.className = "kit-sign-save";
  save.textContent = "保存签名 Keep";
  const note = document.createElement("span");
  note.className = "kit-sign-message";
  onTap(save, () => {
    if (!strokes) { note.textContent = "请先签名 sign first"; return; }
    strokes = 0;
    canvas.toBlob(async (blob) => {
      const data = await blob.arrayBuffer();
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      const keep = outbox();
      if (keep && keep.ready()) {
        await keep.putFile(`signatures/${model.get("who")}`, `签名-${model.get("who")}.png`,
                           data, { signature: true, signer: name.value });
        note.textContent = "已保存在本机，正在上传 kept on this device, sending…";
      } else {
        model.send({ kind: "sign", signer: name.value }, undefined, [data]);
      }
    }, "image/png");
  });
  buttons.append(clear, save, note);
  const kept = document.createElement("figure");
  kept.className = "kit-sign-kept";
  const img = document.createElement("img");
  const caption = document.createElement("figcaption");
  kept.append(img, caption);
  box.append(title, name, canvas, buttons, kept);
  el.appendChild(box);
  const show = () => {
    const src = model.get("signed");
    kept.hidden = !src;
    if (src) img.src = src;
    img.alt = `${model.get("label")} 已保存的签名`;
    caption.textContent = model.get("caption");
    note.textContent = model.get("message");
    const ro = model.get("read_only");
    clear.disabled = ro;
    save.disabled = ro;
    name.disabled = ro;
    if (document.activeElement !== name && model.get("signer") && !name.value)
      name.value = model.get("signer");
    canvas.classList.toggle("kit-sign-disabled", ro);
  };
  show();
  for (const trait of ["signed", "caption", "message", "read_only", "signer"])
    model.on(`change:${trait}`, show);
  const refused = (e) => {
    if (e.detail.target === `signatures/${model.get("who")}`)
      note.textContent = `未保存 not kept: ${e.detail.message}`;
  };
  window.addEventListener("kit-file-refused", refused);
  return () => window.removeEventListener("kit-file-refused", refused);
}

export default { render };
