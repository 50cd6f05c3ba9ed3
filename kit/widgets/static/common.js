// What the kit's page pieces share (prepended to each piece's module by kit.widgets._static).
//
// h(): an element. onTap(): one tap is one action, by finger, pen, mouse or keyboard: a
// finger's tap acts on its pointerup (a browser may drop the click that should follow a touch,
// as after a stroke on the signature pad); the click it may still send is not acted on twice;
// a touch that moves (a scroll that starts on a button) does nothing. outbox(): the page's one
// keeper of changes not yet confirmed by the kernel (the page guard, guard.js), or null.

function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

const TAP_SLOP_PX = 12;       // a finger that moves further is scrolling, not tapping
const TAP_CLICK_MS = 1000;    // the click a tap may still bring is the same action

// The last finger's tap anywhere on the page: the click a browser sends after it is hit-tested
// again where the finger was, and lands on whatever is there by then (a row that unfolded
// moves a button under it), so no click follows a finger's tap on any element. Kept on the
// window: every piece of the page has its own copy of this module.

function onTap(el, action) {
  let down = null;
  el.style.touchAction = "manipulation";  // no double-tap zoom waiting on a button
  el.addEventListener("pointerdown", (e) => {
    down = e.pointerType === "mouse" ? null
      : { id: e.pointerId, x: e.clientX, y: e.clientY };
  });
  el.addEventListener("pointercancel", () => { down = null; });
  el.addEventListener("pointerup", (e) => {
    const d = down;
    down = null;
    if (!d || d.id !== e.pointerId || el.disabled) return;
    if (Math.hypot(e.clientX - d.x, e.clientY - d.y) > TAP_SLOP_PX) return;
    const r = el.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom)
      return;
    window.kitLastTouchTap = e.timeStamp;
    action(e);
  });
  el.addEventListener("click", (e) => {
    const sinceTap = e.timeStamp - (window.kitLastTouchTap ?? -Infinity);
    if (el.disabled || e.pointerType === "touch" || sinceTap < TAP_CLICK_MS) return;
    action(e);
  });
}

function outbox() {
  return window.kitOutbox || null;
}
