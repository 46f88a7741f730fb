"""Make the small offline stand-ins of the two colorization networks (random weights, < 1 MB each).

    python tools/make_colorize_test_models.py

Writes workshop_lib/colorize/offline/siggraph17-tiny.pth and eccv16-tiny.pth: state dicts of the
SAME classes as the published networks (workshop_lib.colorize.model) at width 4 instead of 64,
saved with torch.save like the authors' files, so they load through the same path
(from_pretrained -> weights.load -> assets.fetch -> torch.load(weights_only=True) -> strict load).

The weights are random (fixed seed). Two things make the stand-ins behave like colorizers in
shape, not in skill: the BatchNorm statistics are measured on the bundled sample photos (so the
layers' outputs have a sensible range instead of saturating), and the ECCV stand-in's last layer
holds real ab bin centres (grid points 10 apart, nearest the displayable range first), so its
suggested colours are colours. Neither stand-in has learned anything.
"""

from pathlib import Path

import numpy as np
import torch

from workshop_lib.colorize import apply
from workshop_lib.colorize.model import AB_NORM, ECCV_BINS, ECCVGenerator, SIGGRAPHGenerator
from workshop_lib.media.images import open_image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "workshop_lib" / "colorize" / "offline"
PHOTOS = ROOT / "workshop_lib" / "data" / "images"
WIDTH = 4
CALIBRATION = ["astronaut.jpg", "cameraman.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg"]
SEED = 2017


def bin_centres(count: int = ECCV_BINS) -> np.ndarray:
    """``count`` ab grid points (10 apart, -110..110), those nearest the sRGB gamut first."""
    grid = np.arange(-110, 111, 10, dtype=np.float64)
    a, b = np.meshgrid(grid, grid, indexing="ij")
    points = np.stack([a.ravel(), b.ravel()], axis=1)
    fine = np.arange(-115, 116, 2.5)
    lightness = np.linspace(0, 100, 41)
    grid_l, grid_a, grid_b = np.meshgrid(lightness, fine, fine, indexing="ij")
    rgb = apply.lab_to_rgb(np.stack([grid_l, grid_a, grid_b], axis=-1), clip=False)
    shown = np.all((rgb >= 0) & (rgb <= 1), axis=-1).any(axis=0)
    displayable = np.stack(np.meshgrid(fine, fine, indexing="ij"), axis=-1)[shown]
    distance = np.sqrt(((points[:, None] - displayable[None]) ** 2).sum(-1)).min(axis=1)
    order = np.lexsort((np.hypot(points[:, 0], points[:, 1]), distance))
    return points[np.sort(order[:count])]


def sample_lightness() -> torch.Tensor:
    """Lightness of the bundled photos at 256 x 256, as a batch (N, 1, 256, 256)."""
    batch = [apply.network_lightness(open_image(PHOTOS / name).image) for name in CALIBRATION]
    return torch.from_numpy(np.stack(batch))[:, None]


def calibrate(model: torch.nn.Module, *inputs: torch.Tensor) -> None:
    """Set every BatchNorm's running statistics to those of the inputs (cumulative average)."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None
    model.train()
    with torch.no_grad():
        model(*inputs)
    model.eval()
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = 0.1


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    lightness = sample_lightness()
    torch.manual_seed(SEED)

    siggraph = SIGGRAPHGenerator(width=WIDTH)
    hints = torch.zeros(lightness.shape[0], 2, 256, 256)
    mask = torch.zeros(lightness.shape[0], 1, 256, 256)
    generator = torch.Generator().manual_seed(SEED)
    for index in range(lightness.shape[0]):  # a few random hint patches, so the mask path is used
        for _ in range(4):
            row, column = torch.randint(0, 250, (2,), generator=generator).tolist()
            hints[index, :, row : row + 6, column : column + 6] = (
                torch.rand(2, 1, 1, generator=generator) * 120 - 60
            )
            mask[index, :, row : row + 6, column : column + 6] = 1
    calibrate(siggraph, lightness, hints, mask)
    torch.save(siggraph.state_dict(), OUT / "siggraph17-tiny.pth")

    eccv = ECCVGenerator(width=WIDTH)
    with torch.no_grad():
        centres = torch.from_numpy(bin_centres()).float() / AB_NORM
        eccv.model_out.weight.copy_(centres.T[:, :, None, None])
    calibrate(eccv, lightness)
    torch.save(eccv.state_dict(), OUT / "eccv16-tiny.pth")

    for path in sorted(OUT.glob("*.pth")):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
