// Recorder: the browser's microphone (MediaRecorder) or a file, sent to Python as bytes.
// Python cleans and keeps the recording, then sends back a message, a waveform picture
// and the cleaned sound to play. All decisions are made in Python (widget.py).
// makeKit and el come from the shared kit (workshop_lib/media/widget_kit.js), put in front of
// this script by Python.

const BUTTON_STYLE = "margin-right:6px;padding:4px 10px;font-size:14px;cursor:pointer";

function render({ model, el: root }) {
  const kit = makeKit(model);
  const record = el("button", { textContent: "● Record", style: BUTTON_STYLE });
  const stop = el("button", { textContent: "■ Stop", style: BUTTON_STYLE, disabled: true });
  const pick = el("input", { type: "file", accept: "audio/*,.wav,.mp3,.m4a,.ogg,.webm,.flac" });
  const status = el("div", { style: "margin:6px 0;white-space:pre-wrap" });
  const picture = el("img", { style: "max-width:100%;display:none" });
  const player = el("audio", { controls: true, style: "display:none;width:100%" });
  const box = el("div", {}, [record, stop, pick, status, picture, player]);
  box.style.cssText = "font-family:sans-serif;border:1px solid #ccc;border-radius:6px;padding:8px;max-width:640px";
  root.replaceChildren(box);

  let recorder = null;
  let stream = null;
  let timer = null;
  const release = () => {
    // Give the microphone back (the browser's red dot goes away).
    kit.stop(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  };

  const send = (buffer, kind, name) => {
    kit.save({ audio: new DataView(buffer), audio_kind: kind, file_name: name, takes: model.get("takes") + 1 });
  };

  kit.listen(record, "click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      status.textContent = "The browser did not allow the microphone (" + error.name + "). " +
        "Allow it in the address bar, or upload a file instead.";
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (event) => chunks.push(event.data);
    recorder.onstop = async () => {
      release();
      const blob = new Blob(chunks, { type: recorder.mimeType });
      status.textContent = "Sending the recording to Python…";
      send(await blob.arrayBuffer(), "microphone", "recording");
      record.disabled = false;
      stop.disabled = true;
    };
    recorder.start();
    record.disabled = true;
    stop.disabled = false;
    const started = Date.now();
    const most = model.get("max_seconds");
    timer = kit.every(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      status.textContent = "● Recording… " + seconds + " s (press Stop when done)";
      if (seconds >= most && recorder.state === "recording") recorder.stop();
    }, 250);
  });
  kit.listen(stop, "click", () => recorder && recorder.state === "recording" && recorder.stop());

  kit.listen(pick, "change", async () => {
    const file = pick.files[0];
    if (!file) return;
    if (file.size > model.get("max_upload_bytes")) {
      status.textContent = "'" + file.name + "' is too large to send here. Pick a clip under " +
        Math.round(model.get("max_upload_bytes") / 1e6) + " MB (about 10 seconds is plenty).";
      return;
    }
    status.textContent = "Sending '" + file.name + "' to Python…";
    send(await file.arrayBuffer(), "upload", file.name);
    pick.value = "";
  });

  const show = () => {
    kit.message(status, model.get("message"), model.get("message_details"));
    const png = kit.show(picture, model.get("waveform"), "image/png");
    picture.style.display = png ? "block" : "none";
    const wav = kit.show(player, model.get("playback"), "audio/wav");
    player.style.display = wav ? "block" : "none";
  };
  kit.onModel("change:message change:message_details change:waveform change:playback", show);
  kit.onDispose(() => {
    // The view is going: stop a recording without sending it, and release the microphone.
    if (recorder && recorder.state === "recording") {
      recorder.onstop = null;
      recorder.stop();
    }
    release();
    player.pause();
  });
  show();
  return kit.dispose;
}

export default { render };
