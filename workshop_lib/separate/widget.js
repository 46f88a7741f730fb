// The separation widget's view. It shows what the Python side holds (players, sliders, progress,
// messages) and reports what the learner does (file chosen, buttons, sliders) through the
// "action", "upload" and "volumes" traits. All the work is done in Python
// (workshop_lib/separate/widget.py). makeKit and el come from the shared kit
// (workshop_lib/media/widget_kit.js), put in front of this script by Python.

const STEM_CHOICES = Object.freeze([
  [2, "2 stems: vocals + accompaniment"],
  [4, "4 stems: vocals, drums, bass, other"],
  [5, "5 stems: vocals, piano, drums, bass, other"],
]);
const ROW_STYLE = "display:flex;gap:8px;align-items:center;margin:4px 0";

function render({ model, el: root }) {
  const kit = makeKit(model);
  const send = (name) => kit.act(name);

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
  root.replaceChildren(
    el("div", { className: "ws-row", style: ROW_STYLE }, [el("b", { textContent: "Song: " }), songName, fileInput]),
    el("div", { className: "ws-row", style: ROW_STYLE }, [choice, runButton, cancelButton, bar]),
    error,
    status,
    results,
  );
  root.style.fontFamily = "sans-serif";
  error.style.cssText = "color:#b00020;font-weight:bold;margin:6px 0;white-space:pre-wrap";
  status.style.cssText = "margin:6px 0;color:#333";

  // --- learner -> Python ---
  kit.listen(fileInput, "change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    kit.save({ upload_name: file.name, upload: new DataView(await file.arrayBuffer()) });
    send("upload");
    fileInput.value = "";
  });
  kit.listen(choice, "change", () => kit.save({ stems: Number(choice.value) }));
  kit.listen(runButton, "click", () => send("run"));
  kit.listen(cancelButton, "click", () => send("cancel"));

  let playMix = false;
  const drawStems = () => {
    for (const old of stemsBox.querySelectorAll("audio")) kit.show(old, null);
    stemsBox.replaceChildren();
    const audio = model.get("stem_audio") || {};
    const volumes = model.get("volumes") || {};
    const scores = model.get("scores") || {};
    for (const name of model.get("names")) {
      const player = el("audio", { controls: true });
      kit.show(player, audio[name]);
      const slider = el("input", { type: "range", min: 0, max: 1.5, step: 0.05, value: volumes[name] ?? 1 });
      const shown = el("span", { textContent: `${Math.round((volumes[name] ?? 1) * 100)} %` });
      // These elements are replaced on the next redraw; their listeners go with them.
      slider.oninput = () => (shown.textContent = `${Math.round(slider.value * 100)} %`);
      slider.onchange = () => {
        playMix = true;
        kit.save({ volumes: { ...model.get("volumes"), [name]: Number(slider.value) } });
      };
      const score = name in scores ? ` (SDR ${scores[name]} dB)` : "";
      stemsBox.append(
        el("div", { className: "ws-row", style: ROW_STYLE }, [
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
    kit.message(error, model.get("error"), model.get("error_details"));
    status.textContent = model.get("status");
    results.style.display = model.get("names").length ? "" : "none";
  };
  const updateMix = () => {
    const position = mixPlayer.currentTime;
    const wasPlaying = !mixPlayer.paused;
    kit.show(mixPlayer, model.get("mix_audio"));
    mixPlayer.onloadedmetadata = () => {
      mixPlayer.currentTime = Math.min(position, mixPlayer.duration || 0);
      if (wasPlaying || playMix) mixPlayer.play().catch(() => {});
      playMix = false;
    };
  };
  const updateKaraoke = () => kit.show(karaoke, model.get("karaoke_audio"));

  kit.onModel("change:song_name change:stems change:busy change:progress change:error change:error_details change:status change:names", update);
  kit.onModel("change:names change:scores", drawStems);
  kit.onModel("change:mix_audio", updateMix);
  kit.onModel("change:karaoke_audio", updateKaraoke);
  kit.onDispose(() => {
    for (const player of [karaoke, mixPlayer, ...stemsBox.querySelectorAll("audio")]) player.pause();
  });
  update();
  drawStems();
  updateMix();
  updateKaraoke();
  return kit.dispose;
}

export default { render };
