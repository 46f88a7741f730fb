// The click-to-colour widget's view. It draws what the Python side holds (pictures, hints,
// colours) and reports what the learner does (press, drag, release, buttons) by setting the
// "action" trait. All decisions are made in Python (workshop_lib/colorize/widget.py).
// makeKit and el come from the shared kit (workshop_lib/media/widget_kit.js), put in front of
// this script by Python.

const DRAG_INTERVAL_MS = 80; // send a drag position at most this often

function render({ model, el: root }) {
  const kit = makeKit(model);
  const send = (name, extra = {}) => kit.act(name, extra);
  const toggle = (trait) => kit.save({ [trait]: !model.get(trait) });

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
  const button = (text) => el("button", { textContent: text });
  const undo = button("Undo");
  const clear = button("Clear");
  const auto = button("Automatic");
  const compare = button("Compare");
  const save = button("Save");
  const status = el("div", { className: "wl-status" });
  const timing = el("div", { className: "wl-timing" });
  const group = (title, ...nodes) => el("div", { className: "wl-group" }, [el("div", { className: "wl-title", textContent: title }), ...nodes]);
  root.replaceChildren(el("div", { className: "wl-colorize" }, [
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
      const [hx, hy] = hint.half || [3, 3]; // half width and height on the canvas, from Python
      const x = at.x * sx - hx, y = at.y * sy - hy;
      g.fillStyle = hint.shown;
      g.fillRect(x, y, 2 * hx, 2 * hy);
      const rgb = parseInt(hint.shown.slice(1), 16);
      const light = ((rgb >> 16) & 255) * 0.3 + ((rgb >> 8) & 255) * 0.59 + (rgb & 255) * 0.11 > 128;
      g.lineWidth = index === model.get("selected") ? 3 : 1;
      g.strokeStyle = index === model.get("selected") ? "#1f77b4" : light ? "black" : "white";
      g.strokeRect(x - 0.5, y - 0.5, 2 * hx + 1, 2 * hy + 1);
    });
  };
  const showResult = () => {
    const original = model.get("show_original") && model.get("has_truth");
    kit.show(result, model.get(original ? "original_image" : "result_image"));
    resultTitle.textContent = original ? "True colours" : model.get("automatic") ? "Result (automatic: hints ignored)" : "Result";
  };
  const swatches = (box, trait) => {
    box.replaceChildren(...model.get(trait).map((color) => el("button", {
      className: "wl-swatch", title: color, style: `background:${color}`,
      onclick: () => kit.save({ color }),
    })));
  };
  const controls = () => {
    colorBox.value = model.get("color").startsWith("#") ? model.get("color") : "#000000";
    size.value = model.get("hint_size");
    sizeLabel.textContent = ` ${model.get("hint_size")}`;
    auto.classList.toggle("wl-on", model.get("automatic"));
    compare.classList.toggle("wl-on", model.get("show_original"));
    compare.disabled = !model.get("has_truth");
    kit.message(status, model.get("status"), model.get("status_details"));
    timing.textContent = (model.get("busy") ? "working… " : "") + model.get("timing");
  };
  kit.listen(grey, "load", draw);
  kit.show(grey, model.get("grey_image"));
  kit.show(gamut, model.get("gamut_image"));
  showResult();
  swatches(suggested, "suggestions");
  swatches(recent, "recent_colors");
  controls();

  // --- what the learner does (mouse, pen or finger) ---
  const imageXY = (event) => {
    const { u, v } = kit.where(event, canvas);
    const clamp = (value, top) => Math.min(Math.max(Math.round(value), 0), top - 1);
    return { x: clamp(u * model.get("image_width"), model.get("image_width")), y: clamp(v * model.get("image_height"), model.get("image_height")) };
  };
  let lastSent = 0, pendingDrag = null;
  const sendDrag = () => {
    lastSent = performance.now();
    send("drag", dragAt);
  };
  kit.drag(canvas, {
    down: (event) => {
      canvas.focus();
      send("press", imageXY(event));
    },
    move: (event) => {
      dragAt = imageXY(event);
      draw();
      kit.stop(pendingDrag);
      if (performance.now() - lastSent >= DRAG_INTERVAL_MS) sendDrag();
      else pendingDrag = kit.later(sendDrag, DRAG_INTERVAL_MS);
    },
    up: (event) => {
      kit.stop(pendingDrag);
      send("release", imageXY(event));
      dragAt = null;
    },
  });
  kit.listen(canvas, "contextmenu", (event) => { event.preventDefault(); send("remove_at", imageXY(event)); });
  kit.listen(canvas, "keydown", (event) => {
    if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); send("remove_selected"); }
    if ((event.ctrlKey || event.metaKey) && event.key === "z") { event.preventDefault(); send("undo"); }
  });
  kit.listen(undo, "click", () => send("undo"));
  kit.listen(clear, "click", () => send("clear"));
  kit.listen(auto, "click", () => toggle("automatic"));
  kit.listen(compare, "click", () => toggle("show_original"));
  kit.listen(save, "click", () => send("save"));
  kit.listen(colorBox, "change", () => kit.save({ color: colorBox.value }));
  kit.listen(size, "input", () => kit.save({ hint_size: Number(size.value) }));
  kit.listen(gamut, "click", (event) => send("gamut", kit.where(event, gamut)));

  // --- Python's answers ---
  kit.onModel("change:grey_image", () => kit.show(grey, model.get("grey_image")));
  kit.onModel("change:gamut_image", () => kit.show(gamut, model.get("gamut_image")));
  kit.onModel("change:hints change:selected change:image_width change:image_height", draw);
  kit.onModel("change:result_image change:original_image change:show_original change:automatic change:has_truth", showResult);
  kit.onModel("change:suggestions", () => swatches(suggested, "suggestions"));
  kit.onModel("change:recent_colors", () => swatches(recent, "recent_colors"));
  kit.onModel("change:color change:hint_size change:automatic change:show_original change:status change:status_details change:timing change:busy", controls);
  kit.onModel("msg:custom", (message, buffers) => {
    if (!message || message.type !== "download") return;
    message.names.forEach((name, index) => {
      const link = el("a", { href: kit.url(buffers[index], "application/octet-stream"), download: name });
      root.append(link);
      link.click();
      kit.later(() => { kit.revoke(link.href); link.remove(); }, 1000);
    });
  });
  return kit.dispose;
}

export default { render };
