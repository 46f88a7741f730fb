"""Per-update latency of the colorization network at 256 x 256 on the CPU, ours next to the authors' way.

    python benchmarks/colorize_latency.py [--threads 2] [--repeats 7] [--device cpu]

Runs, in one process on the same inputs (a bundled photo's lightness plus three hints):

- baseline: the SIGGRAPH 2017 network's forward pass as the authors' colorizers package runs it:
  float32, default memory layout, autograd on (their demo calls the module without no_grad),
  and the block from conv9 to the output computed twice, as their forward does; also the same
  under ``torch.no_grad()``, a stricter baseline;
- ours, float32: our forward (that block once), inference mode;
- ours, float32 channels-last: what the Colorizer uses on a CPU without bfloat16 instructions;
- ours, fast: what the Colorizer uses: inference mode, channels-last, bfloat16 autocast where the
  CPU has bfloat16 instructions (float16 on a CUDA GPU);
- the whole update the widget makes (hints -> network -> picture at 480 pixels -> JPEG), at 256
  and in the 128 x 128 preview used while a hint is dragged.

Prints the median of ``--repeats`` rounds (after two warm-up rounds; each round runs every
variant once, in turn), the speed ratio, and the
largest difference in a or b (Lab units) between the fast output and the baseline. Uses the
published weights when they are in the workshop's cache, otherwise random weights of the same
network (the speed is the same; the difference is then measured on random weights).
"""

from __future__ import annotations

import argparse
import copy
import io
import os
import platform
import statistics
import time

import numpy as np
import torch

from workshop_lib import assets, runtime
from workshop_lib.assets import bundled
from workshop_lib.colorize import apply, weights
from workshop_lib.colorize.apply import Runner
from workshop_lib.colorize.model import SIGGRAPHGenerator
from workshop_lib.media import open_image


def authors_forward(net: SIGGRAPHGenerator, input_a, input_b, mask_b):
    """The forward pass as the authors wrote it: normalise, trunk, and the last block twice."""
    x = torch.cat(((input_a - 50) / 100, input_b / 110, mask_b), dim=1)
    conv1_2 = net.model1(x)
    conv2_2 = net.model2(conv1_2[:, :, ::2, ::2])
    conv3_3 = net.model3(conv2_2[:, :, ::2, ::2])
    conv4_3 = net.model4(conv3_3[:, :, ::2, ::2])
    conv5_3 = net.model5(conv4_3)
    conv6_3 = net.model6(conv5_3)
    conv7_3 = net.model7(conv6_3)
    conv8_up = net.model8up(conv7_3) + net.model3short8(conv3_3)
    conv8_3 = net.model8(conv8_up)
    conv9_up = net.model9up(conv8_3) + net.model2short9(conv2_2)
    conv9_3 = net.model9(conv9_up)
    conv10_up = net.model10up(conv9_3) + net.model1short10(conv1_2)
    conv10_2 = net.model10(conv10_up)
    out_reg = net.model_out(conv10_2)
    conv9_up = net.model9up(conv8_3) + net.model2short9(conv2_2)
    conv9_3 = net.model9(conv9_up)
    conv10_up = net.model10up(conv9_3) + net.model1short10(conv1_2)
    conv10_2 = net.model10(conv10_up)
    out_reg = net.model_out(conv10_2)
    return out_reg * 110


def timed_together(functions: dict, repeats: int) -> tuple[dict, dict]:
    """Median seconds per function over ``repeats`` rounds, and each one's last result.

    Each round runs every function once, in turn, so a change in the machine's load (other
    programs) slows all of them alike instead of favouring whichever ran in a quiet moment.
    Two warm-up rounds come first.
    """
    results, times = {}, {name: [] for name in functions}
    for round_number in range(repeats + 2):
        for name, function in functions.items():
            started = time.perf_counter()
            results[name] = function()
            if round_number >= 2:
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}, results


def load_network() -> tuple[SIGGRAPHGenerator, str]:
    status = assets.status(["siggraph17"])[0]
    if status.cached:
        return weights.build("siggraph17", weights.read_state_dict(status.path)), "published"
    torch.manual_seed(0)
    return SIGGRAPHGenerator().eval(), "random (the published file is not in the cache)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--device", default="cpu", help="cpu, cuda, mps or auto")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    device = runtime.pick_device(options.device)

    network, which = load_network()
    baseline_net = copy.deepcopy(network).to(device)
    plain_net = copy.deepcopy(network).to(device)
    fast_net = copy.deepcopy(network).to(device)

    photo = open_image(bundled("images/astronaut.jpg")).image
    lightness = torch.from_numpy(apply.network_lightness(photo))[None, None]
    full_l = apply.rgb_to_lab(np.asarray(photo.resize((480, 480))))[..., 0]
    hints = [
        type("H", (), {"x": x, "y": y, "ab": ab, "size": 5})
        for x, y, ab in [
            (110, 340, (45.0, 50.0)),
            (25, 60, (10.0, -40.0)),
            (225, 110, (15.0, 20.0)),
        ]
    ]
    hint_ab, mask = apply.encode_hints(hints, photo.size)

    def baseline():
        inputs = [t.to(device) for t in (lightness, hint_ab, mask)]
        return authors_forward(baseline_net, *inputs).detach().float().cpu()

    def baseline_no_grad():
        with torch.no_grad():
            return baseline()

    plain = Runner(plain_net, device, fast=False)
    fast = Runner(fast_net, device, fast=True)
    layout_only = Runner(copy.deepcopy(network).to(device), device, reduced_precision=False)

    def update(size: int):
        grid_l = (
            lightness
            if size == 256
            else torch.nn.functional.interpolate(lightness, size=size, mode="area")
        )
        ab, hint_mask = apply.encode_hints(hints, photo.size, size)
        picture = apply.compose(full_l, fast(grid_l, ab, hint_mask))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=90)
        return buffer.getvalue()

    load_before = os.getloadavg()[0]
    seconds, outputs = timed_together(
        {
            "baseline": baseline,
            "no_grad": baseline_no_grad,
            "plain": lambda: plain(lightness, hint_ab, mask),
            "layout": lambda: layout_only(lightness, hint_ab, mask),
            "fast": lambda: fast(lightness, hint_ab, mask),
            "update": lambda: update(256),
            "preview": lambda: update(128),
        },
        options.repeats,
    )
    load_after = os.getloadavg()[0]
    base_s, no_grad_s, plain_s = seconds["baseline"], seconds["no_grad"], seconds["plain"]
    fast_s, update_s, preview_s = seconds["fast"], seconds["update"], seconds["preview"]
    base_out, plain_out, fast_out = outputs["baseline"], outputs["plain"], outputs["fast"]

    print(
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
        f"{options.threads} thread(s), device {device}, weights: {which}"
    )
    print(
        f"fast path precision: {fast.precision}; load average {load_before:.2f} before, "
        f"{load_after:.2f} after (other work on the machine slows every figure)"
    )
    print()
    print(f"{'what (256 x 256 unless said)':<48}{'median s':>10}{'vs baseline':>13}")
    rows = [
        ("baseline: authors' forward, float32, autograd on", base_s),
        ("authors' forward, float32, under no_grad", no_grad_s),
        ("ours, float32, inference mode, block once", plain_s),
        ("ours, float32, channels-last (CPUs without bf16)", seconds["layout"]),
        (f"ours, fast ({fast.precision}, channels-last)", fast_s),
        ("whole widget update (hints, network, picture)", update_s),
        ("whole preview update at 128 x 128 (dragging)", preview_s),
    ]
    for label, seconds in rows:
        print(f"{label:<48}{seconds:>10.3f}{base_s / seconds:>12.2f}x")
    print()
    print(f"speed ratio, fast network vs baseline: {base_s / fast_s:.2f}x (target: at least 2x)")
    print(
        f"speed ratio, fast network vs the authors' forward under no_grad: {no_grad_s / fast_s:.2f}x"
    )
    print(
        f"max |ab difference|, fast vs baseline: {(fast_out - base_out).abs().max():.3f} Lab units "
        "(target: within 1.0)"
    )
    print(
        f"max |ab difference|, float32 ours vs baseline: {(plain_out - base_out).abs().max():.2e}"
    )
    print(f"preview update: {preview_s:.3f} s (target: under 0.2 s)")


if __name__ == "__main__":
    main()
