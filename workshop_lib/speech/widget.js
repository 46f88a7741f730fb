// Recorder: the browser's microphone (MediaRecorder) or a file, sent to Python as bytes.
// Python cleans and keeps the recording, then sends back a message, a waveform picture
// and the cleaned sound to play. All decisions are made in Python (widget.py).

function button(label) {
  const b = document.createElement("button");
  b.textContent = label;
  b.style.cssText = "margin-right:6px;padding:4px 10px;font-size:14px;cursor:pointer";
  return b;
}

function objectUrl(view, type) {
  if (!view || view.byteLength === 0) return null;
  return URL.createObjectURL(new Blob([view], { type }));
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.style.cssText = "font-family:sans-serif;border:1px solid #ccc;border-radius:6px;padding:8px;max-width:640px";
  const record = button("● Record");
  const stop = button("■ Stop");
  stop.disabled = true;
  const pick = document.createElement("input");
  pick.type = "file";
  pick.accept = "audio/*,.wav,.mp3,.m4a,.ogg,.webm,.flac";
  const status = document.createElement("div");
  status.style.cssText = "margin:6px 0;white-space:pre-wrap";
  const picture = document.createElement("img");
  picture.style.cssText = "max-width:100%;display:none";
  const player = document.createElement("audio");
  player.controls = true;
  player.style.cssText = "display:none;width:100%";
  box.append(record, stop, pick, status, picture, player);
  el.appendChild(box);

  let recorder = null;
  let timer = null;
  const urls = [];

  function send(buffer, kind, name) {
    model.set("audio", new DataView(buffer));
    model.set("audio_kind", kind);
    model.set("file_name", name);
    model.set("takes", model.get("takes") + 1);
    model.save_changes();
  }

  record.onclick = async () => {
    let stream;
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
      clearInterval(timer);
      stream.getTracks().forEach((track) => track.stop());
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
    timer = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      status.textContent = "● Recording… " + seconds + " s (press Stop when done)";
      if (seconds >= most && recorder.state === "recording") recorder.stop();
    }, 250);
  };
  stop.onclick = () => recorder && recorder.state === "recording" && recorder.stop();

  pick.onchange = async () => {
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
  };

  function show() {
    status.textContent = model.get("message");
    const png = objectUrl(model.get("waveform"), "image/png");
    picture.style.display = png ? "block" : "none";
    if (png) { picture.src = png; urls.push(png); }
    const wav = objectUrl(model.get("playback"), "audio/wav");
    player.style.display = wav ? "block" : "none";
    if (wav) { player.src = wav; urls.push(wav); }
  }
  model.on("change:message", show);
  model.on("change:waveform", show);
  model.on("change:playback", show);
  show();

  return () => {
    clearInterval(timer);
    urls.forEach((url) => URL.revokeObjectURL(url));
  };
}

export default { render };
