"""Run Spleeter over a whole song: spectrogram, U-Nets, masks and back to sound, a few segments at a time.

The steps are Spleeter's own (``spleeter/model/__init__.py``): one frame of zeros (4096 samples)
goes before the song; a short-time Fourier transform (frames of 4096 samples every 1024, a
periodic Hann window, no centring) turns each channel into a spectrogram; its magnitude, cut to
the first ``bins`` frequencies, goes through the U-Nets in segments of 512 frames; the U-Nets'
outputs become ratio masks (``out**2 / sum of all out**2``); each mask, extended to all 2049
frequencies, multiplies the song's spectrogram; and the inverse transform (window, overlap-add,
times 2/3) gives each stem's samples.

Spleeter itself sends the whole song through at once, so its memory grows with the song's length.
Segments do not influence each other, so :class:`SegmentRunner` takes the song in batches of a few
segments, keeps 3072 samples of overlap between them, and gives identical results with memory
that stays the same for a 3-minute song or a 2-hour one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import torch

from ..errors import WorkshopError
from .weights import SpleeterConfig

if TYPE_CHECKING:
    from .model import SpleeterNet

__all__ = ["Cancelled", "SegmentRunner"]

_EPSILON = 1e-10  # Spleeter's EPSILON in the ratio masks
_COMPENSATION = (
    2.0 / 3.0
)  # Spleeter's WINDOW_COMPENSATION_FACTOR: a squared Hann window at 75 % overlap sums to 1.5


class Cancelled(WorkshopError):
    """The learner stopped a separation; nothing that looks finished was left behind."""


def _gather(blocks: list[np.ndarray], offset: int, length: int) -> np.ndarray:
    """Copy ``length`` samples starting ``offset`` into a list of blocks; zeros past the end."""
    chunk = np.zeros((2, length), dtype=np.float32)
    position = 0  # start of the current block, relative to ``offset``
    for block in blocks:
        begin = max(offset - position, 0)
        end = min(block.shape[1], offset - position + length)
        if end > begin:
            target = position + begin - offset
            chunk[:, target : target + end - begin] = block[:, begin:end]
        position += block.shape[1]
    return chunk


class SegmentRunner:
    """Separate a stream of stereo samples with a loaded :class:`~.model.SpleeterNet`.

    Parameters
    ----------
    net : SpleeterNet
        The loaded network, in evaluation mode.
    config : SpleeterConfig
        Spectrogram and mask settings (``bins``, ``mask_extension``, frame sizes).
    device : torch.device
        Where the network runs; the spectrograms are computed there too.
    batch_segments : int, optional
        Segments (about 11.9 s each) per batch. None: 1 on a CPU, 4 on a GPU.
    precision : {"float32", "bfloat16", "float16"}
        Number format of the U-Nets. float32 reproduces Spleeter exactly; the others are faster
        on hardware that supports them and differ slightly.
    """

    def __init__(
        self,
        net: SpleeterNet,
        config: SpleeterConfig,
        device: torch.device,
        *,
        batch_segments: int | None = None,
        precision: str = "float32",
    ) -> None:
        self.net = net
        self.config = config
        self.device = torch.device(device)
        if batch_segments is None:
            batch_segments = 4 if self.device.type == "cuda" else 1
        self.batch_segments = max(1, int(batch_segments))
        if precision not in ("float32", "bfloat16", "float16"):
            raise WorkshopError(
                f"Unknown precision {precision!r}: use 'float32', 'bfloat16' or 'float16'."
            )
        self.precision = precision
        c = config
        if c.frame_length % c.frame_step or c.bins % 64 or c.frames % 64:
            raise ValueError("frame_length must be a multiple of frame_step; bins, frames of 64")
        self.overlap = c.frame_length - c.frame_step  # samples shared by neighbouring segments
        self.segment_samples = c.frames * c.frame_step
        self.window = torch.hann_window(c.frame_length, periodic=True, device=self.device)
        # Channels-last ("NHWC", TensorFlow's own layout) makes oneDNN's convolutions about twice
        # as fast at Deezer's widths; the tiny stand-in models run faster without it.
        self.memory_format = net.memory_format
        # torch accepts memory_format here; its type stubs do not list it
        self.net = net.to(device=self.device, memory_format=self.memory_format)  # type: ignore[call-overload]

    # --- sizes ---------------------------------------------------------------------------------

    def frames_for(self, length: int) -> int:
        """STFT frames Spleeter computes for ``length`` samples (after its zero frame)."""
        return math.ceil((length + self.config.frame_length) / self.config.frame_step)

    def segments_for(self, length: int) -> int:
        """Segments of 512 frames the U-Nets see for ``length`` samples."""
        return math.ceil(self.frames_for(length) / self.config.frames)

    # --- the pieces ----------------------------------------------------------------------------

    def _stft(self, chunk: torch.Tensor) -> torch.Tensor:
        """(2, samples) -> complex (2, frames, 2049): frames of 4096 every 1024, Hann window."""
        c = self.config
        frames = chunk.unfold(-1, c.frame_length, c.frame_step) * self.window
        return torch.fft.rfft(frames, n=c.frame_length)

    def _estimates(self, stft: torch.Tensor, segments: int) -> torch.Tensor:
        """The U-Nets' outputs, (instruments, 2, frames, bins), for whole segments of a spectrogram."""
        c = self.config
        magnitude = stft[:, :, : c.bins].abs()  # (2, frames, bins)
        magnitude = magnitude.reshape(2, segments, c.frames, c.bins).transpose(0, 1)
        batch = magnitude.contiguous(memory_format=self.memory_format)
        if self.precision == "float32":
            out = self.net(batch)
        else:
            dtype = torch.bfloat16 if self.precision == "bfloat16" else torch.float16
            with torch.autocast(self.device.type, dtype=dtype):
                out = self.net(batch)
            out = out.float()
        # (instruments, segments, 2, frames, bins) -> (instruments, 2, segments * frames, bins)
        return out.transpose(1, 2).reshape(out.shape[0], 2, segments * c.frames, c.bins)

    def _mask(self, estimates: torch.Tensor, index: int) -> torch.Tensor:
        """Ratio mask of one instrument over all 2049 bins: (2, frames, 2049)."""
        c = self.config
        count = estimates.shape[0]
        total = (estimates**2).sum(dim=0) + _EPSILON
        mask = (estimates[index] ** 2 + _EPSILON / count) / total
        extra = c.frame_length // 2 + 1 - c.bins
        if c.mask_extension == "average":
            fill = mask.mean(dim=-1, keepdim=True).expand(*mask.shape[:-1], extra)
        else:
            fill = mask.new_zeros(*mask.shape[:-1], extra)
        return torch.cat([mask, fill], dim=-1)

    def _istft(self, stft: torch.Tensor) -> torch.Tensor:
        """Complex (2, frames, 2049) -> overlap-added samples (2, (frames + 3) * 1024)."""
        c = self.config
        frames = torch.fft.irfft(stft, n=c.frame_length) * (self.window * _COMPENSATION)
        hops = c.frame_length // c.frame_step
        count = frames.shape[1]
        pieces = frames.reshape(2, count, hops, c.frame_step)
        out = frames.new_zeros(2, count + hops - 1, c.frame_step)
        for j in range(hops):
            out[:, j : j + count] += pieces[:, :, j]
        return out.reshape(2, -1)

    def masks(self, samples: np.ndarray) -> dict[str, np.ndarray]:
        """Each instrument's mask for the first segment of ``samples``: (2, 512 frames, 2049 bins)."""
        chunk = self._padded_start(samples, self.segment_samples + self.overlap)
        with torch.inference_mode():
            stft = self._stft(chunk)
            estimates = self._estimates(stft, 1)
            return {
                name: self._mask(estimates, i).cpu().numpy()
                for i, name in enumerate(self.config.instruments)
            }

    def _padded_start(self, samples: np.ndarray, length: int) -> torch.Tensor:
        """The first ``length`` samples of the zero-prepended song, zero-padded at the end."""
        chunk = np.zeros((2, length), dtype=np.float32)
        usable = samples[:, : max(0, length - self.config.frame_length)]
        chunk[:, self.config.frame_length : self.config.frame_length + usable.shape[1]] = usable
        return torch.from_numpy(chunk).to(self.device)

    # --- the stream ----------------------------------------------------------------------------

    def run(
        self,
        blocks: Iterable[np.ndarray],
        length: int,
        *,
        progress: Callable[[int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Iterator[np.ndarray]:
        """Separate a song that arrives in blocks; yield the stems in blocks as they are ready.

        Parameters
        ----------
        blocks : iterable of numpy.ndarray
            float32 ``(2, n)`` pieces of the song, in order, ``length`` samples in all.
        length : int
            Total samples. The last yielded block ends exactly there.
        progress : callable, optional
            Called with the number of segments just finished.
        cancelled : callable, optional
            Asked between batches; when it returns True, :class:`Cancelled` is raised.

        Yields
        ------
        numpy.ndarray
            float32 ``(instruments, 2, n)``: the next ``n`` samples of every stem.
        """
        c = self.config
        total_segments = self.segments_for(length)
        source = iter(blocks)
        # Blocks not yet used up, as views (a whole song given at once is never copied);
        # ``first`` is where the first of them starts, in samples of the zero-prepended song.
        pending = [np.zeros((2, c.frame_length), dtype=np.float32)]  # Spleeter's zero frame
        first, available = 0, c.frame_length
        received = 0
        emitted = -c.frame_length  # output position, in samples of the original song
        carry = None
        segment = 0
        with torch.inference_mode():
            while segment < total_segments:
                if cancelled is not None and cancelled():
                    raise Cancelled("Separation stopped: you cancelled it. Nothing was saved.")
                count = min(self.batch_segments, total_segments - segment)
                start = segment * self.segment_samples
                need = count * self.segment_samples + self.overlap
                while available < start + need and received < length:
                    block = next(source, None)
                    if block is None:
                        raise WorkshopError(
                            f"The audio ended after {received} of {length} samples; the file "
                            "may be damaged or still being written. Try again or use another file."
                        )
                    block = np.asarray(block, dtype=np.float32)[:, : length - received]
                    received += block.shape[1]
                    available += block.shape[1]
                    pending.append(block)
                chunk = _gather(pending, start - first, need)
                stems = self._separate_chunk(torch.from_numpy(chunk).to(self.device), count)
                if carry is not None:
                    stems[:, :, : self.overlap] += carry
                carry = stems[:, :, -self.overlap :].clone()
                done = stems[:, :, : count * self.segment_samples]
                begin = max(0, -emitted)  # drop the zero frame at the very beginning
                stop = min(done.shape[2], length - emitted)
                if stop > begin:
                    yield done[:, :, begin:stop].float().cpu().numpy()
                emitted += done.shape[2]
                segment += count
                next_start = segment * self.segment_samples
                while pending and first + pending[0].shape[1] <= next_start:
                    first += pending.pop(0).shape[1]  # used up: let it go
                if progress is not None:
                    progress(count)

    def _separate_chunk(self, chunk: torch.Tensor, segments: int) -> torch.Tensor:
        """(2, samples) of whole segments plus overlap -> (instruments, 2, same samples)."""
        stft = self._stft(chunk)  # (2, segments * 512, 2049)
        estimates = self._estimates(stft, segments)
        outputs = [self._istft(stft * self._mask(estimates, i)) for i in range(estimates.shape[0])]
        return torch.stack(outputs)
