// ---- workshop widget kit: shared by every widget script of workshop_lib ----
// Python puts this file in front of each widget's script (workshop_lib/media/esm.py), because an
// anywidget module cannot import files beside it. It holds no state of its own: each render()
// makes one kit with makeKit(model), registers what it sets up through it (listeners on the
// page and on the model, object URLs, timers), and returns kit.dispose as anywidget's cleanup,
// so a view that is removed or drawn again leaves nothing behind, and two widgets on one page
// share nothing.

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

function sniffType(view) {
  // The kind of file in a Bytes trait (a DataView), from its first bytes.
  const byte = (i) => (view.byteLength > i ? view.getUint8(i) : -1);
  if (byte(0) === 0x89 && byte(1) === 0x50) return "image/png";
  if (byte(0) === 0xff && byte(1) === 0xd8) return "image/jpeg";
  if (byte(0) === 0x52 && byte(1) === 0x49) return "audio/wav"; // "RIFF"
  if (byte(0) === 0x49 && byte(1) === 0x44) return "audio/mpeg"; // "ID3"
  if (byte(0) === 0xff) return "audio/mpeg"; // MP3 frame sync
  if (byte(0) === 0x1a && byte(1) === 0x45) return "audio/webm";
  return "application/octet-stream";
}

function makeKit(model) {
  const undo = []; // what dispose() takes back, newest first
  const shown = new Map(); // element -> the object URL it shows
  const urls = new Set();
  const timers = new Set();
  let serial = 0;
  const revoke = (url) => {
    if (url && urls.delete(url)) URL.revokeObjectURL(url);
  };
  const kit = {
    el,
    // A listener on a page element (or window/document), removed by dispose().
    listen(target, type, handler, options) {
      target.addEventListener(type, handler, options);
      undo.push(() => target.removeEventListener(type, handler, options));
      return handler;
    },
    // A listener on the model: "change:a change:b" or "msg:custom"; removed by dispose().
    onModel(names, handler) {
      for (const name of names.split(/\s+/).filter(Boolean)) {
        model.on(name, handler);
        undo.push(() => model.off(name, handler));
      }
      return handler;
    },
    // Set a trait (or several) and send it to Python.
    save(values) {
      for (const [name, value] of Object.entries(values)) model.set(name, value);
      model.save_changes();
    },
    // Report what the learner did: {name, serial, ...extra} into the trait (default "action").
    act(name, extra = {}, trait = "action") {
      kit.save({ [trait]: { name, serial: ++serial, ...extra } });
    },
    // An object URL for bytes (kept until dispose() or kit.revoke), or "" for no bytes.
    url(view, type) {
      if (!view || view.byteLength === 0) return "";
      const url = URL.createObjectURL(new Blob([view], { type: type || sniffType(view) }));
      urls.add(url);
      return url;
    },
    revoke,
    // Show bytes in an <img> or <audio>: its previous URL is given back. Returns the new URL.
    show(element, view, type) {
      revoke(shown.get(element));
      const url = kit.url(view, type);
      shown.set(element, url);
      element.src = url;
      if (!url) element.removeAttribute("src");
      return url;
    },
    later(fn, ms) {
      const id = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
      return id;
    },
    every(fn, ms) {
      const id = setInterval(fn, ms);
      timers.add(id);
      return id;
    },
    stop(id) {
      clearTimeout(id);
      clearInterval(id);
      timers.delete(id);
    },
    // Something else to undo when the view goes (a microphone to release, say).
    onDispose(fn) {
      undo.push(fn);
    },
    // Where a pointer event is on an element, as fractions 0..1 from the left and the top.
    where(event, element) {
      const box = element.getBoundingClientRect();
      const part = (v, start, size) => Math.min(Math.max((v - start) / (size || 1), 0), 1);
      return { u: part(event.clientX, box.left, box.width), v: part(event.clientY, box.top, box.height) };
    },
    // Press, drag and release with a mouse, a pen or a finger (pointer events, one pointer at a
    // time; the element gets touch-action: none so a finger drags instead of scrolling).
    drag(element, { down, move, up }) {
      let active = null;
      element.style.touchAction = "none";
      kit.listen(element, "pointerdown", (event) => {
        if (active !== null || !event.isPrimary || event.button !== 0) return;
        active = event.pointerId;
        if (element.setPointerCapture) element.setPointerCapture(event.pointerId);
        down(event);
      });
      kit.listen(element, "pointermove", (event) => {
        if (event.pointerId === active) move(event);
      });
      const finish = (event) => {
        if (event.pointerId !== active) return;
        active = null;
        up(event);
      };
      kit.listen(element, "pointerup", finish);
      kit.listen(element, "pointercancel", finish);
    },
    // A message with optional details folded underneath (the Python guard's sentence + details).
    message(box, sentence, details) {
      box.replaceChildren();
      if (sentence) box.append(el("span", { textContent: sentence }));
      if (details) {
        box.append(
          el("details", {}, [
            el("summary", { textContent: "Details (for whoever helps you)" }),
            el("pre", { textContent: details, style: "white-space:pre-wrap;font-size:11px" }),
          ]),
        );
      }
    },
    dispose() {
      while (undo.length) {
        try {
          undo.pop()();
        } catch (error) {
          console.warn("workshop widget cleanup:", error);
        }
      }
      for (const id of timers) kit.stop(id);
      for (const url of [...urls]) revoke(url);
      shown.clear();
    },
  };
  return kit;
}
// ---- end of the workshop widget kit ----
