// The click-to-colour widget's view. It draws what the Python side holds (pictures, hints,
// colours) and reports what the learner does (press, drag, release, buttons) by setting the
// "action" trait. All decisions are made in Python (workshop_lib/colorize/widget.py).

const DRAG_INTERVAL_MS = 80; // send a drag position at most this often

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

function pictureUrl(view) {
  // Bytes traits arrive as a DataView; JPEG files start with 0xFF, PNG files with 0x89.
  if (!view || view.byteLength === 0) return "";
  const type = view.getUint8(0) === 0xff ? "image/jpeg" : "image/png";
  return URL.createObjectURL(new Blob([view], { type }));
}

function render({ model, el: root }) {
  let serial = 0;
  const send = (name, extra = {}) => {
    model.set("action", { name, serial: ++serial, ...extra });
    model.save_changes();
  };
  const urls = {};
  const setPicture = (img, trait) => {
    if (urls[trait]) URL.revokeObjectURL(urls[trait]);
    urls[trait] = pictureUrl(model.get(trait));
    img.src = urls[trait];
  };

  // --- layout ---
  const canvas = el("canvas", { tabIndex: 0, title: "Click: add or select. Drag: move. Right-click or Delete: remove." });
  const result = el("img", { className: "wl-result", alt: "result" });
  const resultTitle = el("div", { className: "wl-title", textContent: "Result" });
  const colorBox = el("input", { type: "color" });
  const suggested = el("div", { className: "wl-swatches" });
  const recent = el("div", { className: "wl-swatches" });
  const gamut = el("img", { className: "wl-gamut", alt: "gamut", title: "Colours a screen can show at this spot's lightness: click to pick" });
  const size = el("input", { type: "range", min: 1, max: 9, step: 1 });
  const sizeLabel = el("span");
  const button = (text, onClick) => el("button", { textContent: text, onclick: onClick });
  const undo = button("Undo", () => send("undo"));
  const clear = button("Clear", () => send("clear"));
  const auto = button("Automatic", () => { model.set("automatic", !model.get("automatic")); model.save_changes(); });
  const compare = button("Compare", () => { model.set("show_original", !model.get("show_original")); model.save_changes(); });
  const save = button("Save", () => send("save"));
  const status = el("div", { className: "wl-status" });
  const timing = el("div", { className: "wl-timing" });
  const group = (title, ...nodes) => el("div", { className: "wl-group" }, [el("div", { className: "wl-title", textContent: title }), ...nodes]);
  root.append(el("div", { className: "wl-colorize" }, [
    el("div", { className: "wl-row" }, [
      el("div", { className: "wl-panel" }, [el("div", { className: "wl-title", textContent: "Your photo: click to colour" }), canvas]),
      el("div", { className: "wl-panel" }, [resultTitle, result]),
    ]),
    el("div", { className: "wl-controls" }, [
      group("Colour", colorBox, el("div", { textContent: "Suggested here:" }), suggested, el("div", { textContent: "Recently used:" }), recent),
      group("Gamut at this spot", gamut),
      group("Hint size", el("div", {}, [size, sizeLabel]), el("div", { className: "wl-buttons" }, [undo, clear, auto, compare, save]), timing),
    ]),
    status,
  ]));

  // --- drawing what the model holds ---
  const grey = new Image();
  let dragAt = null; // local position of the hint being dragged, drawn before Python answers
  const draw = () => {
    if (!grey.naturalWidth) return;
    canvas.width = grey.naturalWidth;
    canvas.height = grey.naturalHeight;
    const g = canvas.getContext("2d");
    g.drawImage(grey, 0, 0);
    const sx = canvas.width / model.get("image_width");
    const sy = canvas.height / model.get("image_height");
    model.get("hints").forEach((hint, index) => {
      const at = index === model.get("selected") && dragAt ? dragAt : hint;
      const half = Math.max((hint.size * canvas.width) / 256 / 2, 3);
      const x = at.x * sx - half, y = at.y * sy - half;
      g.fillStyle = hint.shown;
      g.fillRect(x, y, 2 * half, 2 * half);
      const rgb = parseInt(hint.shown.slice(1), 16);
      const light = ((rgb >> 16) & 255) * 0.3 + ((rgb >> 8) & 255) * 0.59 + (rgb & 255) * 0.11 > 128;
      g.lineWidth = index === model.get("selected") ? 3 : 1;
      g.strokeStyle = index === model.get("selected") ? "#1f77b4" : light ? "black" : "white";
      g.strokeRect(x - 0.5, y - 0.5, 2 * half + 1, 2 * half + 1);
    });
  };
  const showResult = () => {
    const original = model.get("show_original") && model.get("has_truth");
    setPicture(result, original ? "original_image" : "result_image");
    resultTitle.textContent = original ? "True colours" : model.get("automatic") ? "Result (automatic: hints ignored)" : "Result";
  };
  const swatches = (box, trait) => {
    box.replaceChildren(...model.get(trait).map((color) => el("button", {
      className: "wl-swatch", title: color, style: `background:${color}`,
      onclick: () => { model.set("color", color); model.save_changes(); },
    })));
  };
  const controls = () => {
    colorBox.value = model.get("color").startsWith("#") ? model.get("color") : "#000000";
    size.value = model.get("hint_size");
    sizeLabel.textContent = ` ${model.get("hint_size")}`;
    auto.classList.toggle("wl-on", model.get("automatic"));
    compare.classList.toggle("wl-on", model.get("show_original"));
    compare.disabled = !model.get("has_truth");
    status.textContent = model.get("status");
    timing.textContent = (model.get("busy") ? "working… " : "") + model.get("timing");
  };
  grey.onload = draw;
  setPicture(grey, "grey_image");
  setPicture(gamut, "gamut_image");
  showResult();
  swatches(suggested, "suggestions");
  swatches(recent, "recent_colors");
  controls();

  // --- what the learner does ---
  const imageXY = (event) => {
    const box = canvas.getBoundingClientRect();
    const clamp = (v, top) => Math.min(Math.max(Math.round(v), 0), top - 1);
    return {
      x: clamp(((event.clientX - box.left) / box.width) * model.get("image_width"), model.get("image_width")),
      y: clamp(((event.clientY - box.top) / box.height) * model.get("image_height"), model.get("image_height")),
    };
  };
  let pressed = false, lastSent = 0, pendingDrag = null;
  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    canvas.focus();
    canvas.setPointerCapture(event.pointerId);
    pressed = true;
    send("press", imageXY(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!pressed) return;
    dragAt = imageXY(event);
    draw();
    const now = performance.now();
    if (now - lastSent >= DRAG_INTERVAL_MS) { lastSent = now; send("drag", dragAt); }
    else {
      clearTimeout(pendingDrag);
      pendingDrag = setTimeout(() => { if (pressed && dragAt) { lastSent = performance.now(); send("drag", dragAt); } }, DRAG_INTERVAL_MS);
    }
  });
  const release = (event) => {
    if (!pressed) return;
    pressed = false;
    clearTimeout(pendingDrag);
    send("release", imageXY(event));
    dragAt = null;
  };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  canvas.addEventListener("contextmenu", (event) => { event.preventDefault(); send("remove_at", imageXY(event)); });
  canvas.addEventListener("keydown", (event) => {
    if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); send("remove_selected"); }
    if ((event.ctrlKey || event.metaKey) && event.key === "z") { event.preventDefault(); send("undo"); }
  });
  colorBox.addEventListener("change", () => { model.set("color", colorBox.value); model.save_changes(); });
  size.addEventListener("input", () => { model.set("hint_size", Number(size.value)); model.save_changes(); });
  gamut.addEventListener("click", (event) => {
    const box = gamut.getBoundingClientRect();
    send("gamut", { u: (event.clientX - box.left) / box.width, v: (event.clientY - box.top) / box.height });
  });

  // --- Python's answers ---
  const handlers = {
    "change:grey_image": () => setPicture(grey, "grey_image"),
    "change:gamut_image": () => setPicture(gamut, "gamut_image"),
    "change:hints change:selected change:image_width change:image_height": draw,
    "change:result_image change:original_image change:show_original change:automatic change:has_truth": showResult,
    "change:suggestions": () => swatches(suggested, "suggestions"),
    "change:recent_colors": () => swatches(recent, "recent_colors"),
    "change:color change:hint_size change:automatic change:show_original change:status change:timing change:busy": controls,
  };
  const onMessage = (message, buffers) => {
    if (!message || message.type !== "download") return;
    message.names.forEach((name, index) => {
      const link = el("a", { href: URL.createObjectURL(new Blob([buffers[index]])), download: name });
      root.append(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
  };
  const each = (fn) => Object.entries(handlers).forEach(([events, handler]) => events.split(" ").forEach((name) => fn(name, handler)));
  each((name, handler) => model.on(name, handler));
  model.on("msg:custom", onMessage);
  return () => {
    each((name, handler) => model.off(name, handler));
    model.off("msg:custom", onMessage);
    Object.values(urls).forEach((url) => url && URL.revokeObjectURL(url));
  };
}

export default { render };
