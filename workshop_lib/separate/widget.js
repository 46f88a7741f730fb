// The separation widget's view. It shows what the Python side holds (players, sliders, progress,
// messages) and reports what the learner does (file chosen, buttons, sliders) through the
// "action", "upload" and "volumes" traits. All the work is done in Python
// (workshop_lib/separate/widget.py).

const STEM_CHOICES = [
  [2, "2 stems: vocals + accompaniment"],
  [4, "4 stems: vocals, drums, bass, other"],
  [5, "5 stems: vocals, piano, drums, bass, other"],
];

function el(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) node.append(child);
  return node;
}

function audioUrl(view) {
  // Bytes arrive as a DataView; MP3 (ID3 tag or frame sync 0xFF) or WAV ("RIFF").
  if (!view || view.byteLength === 0) return "";
  const type = view.getUint8(0) === 0x52 ? "audio/wav" : "audio/mpeg";
  return URL.createObjectURL(new Blob([view], { type }));
}

function render({ model, el: root }) {
  let serial = 0;
  const send = (name) => {
    model.set("action", { name, serial: ++serial });
    model.save_changes();
  };
  const urls = new Set();
  const setAudio = (player, view) => {
    if (player.dataset.url) {
      URL.revokeObjectURL(player.dataset.url);
      urls.delete(player.dataset.url);
    }
    const url = audioUrl(view);
    if (url) urls.add(url);
    player.dataset.url = url;
    player.src = url;
  };

  // --- controls ---
  const fileInput = el("input", { type: "file", accept: "audio/*,.mp3,.wav,.flac,.ogg,.m4a" });
  const songName = el("span", { className: "ws-song" });
  const choice = el("select", {}, STEM_CHOICES.map(([v, t]) => el("option", { value: v, textContent: t })));
  const runButton = el("button", { textContent: "Separate" });
  const cancelButton = el("button", { textContent: "Cancel" });
  const bar = el("progress", { max: 1, value: 0 });
  const error = el("div", { className: "ws-error" });
  const status = el("div", { className: "ws-status" });
  const stemsBox = el("div");
  const karaoke = el("audio", { controls: true });
  const mixPlayer = el("audio", { controls: true });
  const results = el("div", {}, [
    el("h4", { textContent: "Stems (volume sliders make the mix below)" }),
    stemsBox,
    el("h4", { textContent: "Karaoke: everything but the vocals" }),
    karaoke,
    el("h4", { textContent: "Your mix" }),
    mixPlayer,
  ]);
  root.append(
    el("div", { className: "ws-row" }, [el("b", { textContent: "Song: " }), songName, fileInput]),
    el("div", { className: "ws-row" }, [choice, runButton, cancelButton, bar]),
    error,
    status,
    results,
  );
  root.style.fontFamily = "sans-serif";
  error.style.cssText = "color:#b00020;font-weight:bold;margin:6px 0;white-space:pre-wrap";
  status.style.cssText = "margin:6px 0;color:#333";
  for (const row of root.querySelectorAll(".ws-row")) row.style.cssText = "display:flex;gap:8px;align-items:center;margin:4px 0";

  // --- learner -> Python ---
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    model.set("upload_name", file.name);
    model.set("upload", new DataView(await file.arrayBuffer()));
    model.save_changes();
    send("upload");
    fileInput.value = "";
  });
  choice.addEventListener("change", () => {
    model.set("stems", Number(choice.value));
    model.save_changes();
  });
  runButton.addEventListener("click", () => send("run"));
  cancelButton.addEventListener("click", () => send("cancel"));

  let playMix = false;
  const drawStems = () => {
    for (const old of stemsBox.querySelectorAll("audio")) setAudio(old, null);
    stemsBox.replaceChildren();
    const audio = model.get("stem_audio") || {};
    const volumes = model.get("volumes") || {};
    const scores = model.get("scores") || {};
    for (const name of model.get("names")) {
      const player = el("audio", { controls: true });
      setAudio(player, audio[name]);
      const slider = el("input", { type: "range", min: 0, max: 1.5, step: 0.05, value: volumes[name] ?? 1 });
      const shown = el("span", { textContent: `${Math.round((volumes[name] ?? 1) * 100)} %` });
      slider.addEventListener("input", () => (shown.textContent = `${Math.round(slider.value * 100)} %`));
      slider.addEventListener("change", () => {
        playMix = true;
        model.set("volumes", { ...model.get("volumes"), [name]: Number(slider.value) });
        model.save_changes();
      });
      const score = name in scores ? ` (SDR ${scores[name]} dB)` : "";
      stemsBox.append(
        el("div", { className: "ws-row", style: "display:flex;gap:8px;align-items:center;margin:4px 0" }, [
          el("b", { textContent: name + score, style: "min-width:170px" }),
          player,
          slider,
          shown,
        ]),
      );
    }
  };

  // --- Python -> view ---
  const update = () => {
    songName.textContent = model.get("song_name");
    choice.value = String(model.get("stems"));
    const busy = model.get("busy");
    runButton.disabled = busy;
    cancelButton.disabled = !busy;
    choice.disabled = busy;
    fileInput.disabled = busy;
    bar.value = model.get("progress");
    error.textContent = model.get("error");
    status.textContent = model.get("status");
    results.style.display = model.get("names").length ? "" : "none";
  };
  const updateMix = () => {
    const position = mixPlayer.currentTime;
    const wasPlaying = !mixPlayer.paused;
    setAudio(mixPlayer, model.get("mix_audio"));
    mixPlayer.onloadedmetadata = () => {
      mixPlayer.currentTime = Math.min(position, mixPlayer.duration || 0);
      if (wasPlaying || playMix) mixPlayer.play().catch(() => {});
      playMix = false;
    };
  };
  const updateKaraoke = () => setAudio(karaoke, model.get("karaoke_audio"));

  for (const name of ["song_name", "stems", "busy", "progress", "error", "status", "names"]) {
    model.on(`change:${name}`, update);
  }
  model.on("change:names", drawStems);
  model.on("change:scores", drawStems);
  model.on("change:mix_audio", updateMix);
  model.on("change:karaoke_audio", updateKaraoke);
  update();
  drawStems();
  updateMix();
  updateKaraoke();

  return () => {
    for (const url of urls) URL.revokeObjectURL(url);
  };
}

export default { render };
