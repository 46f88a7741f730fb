"""The background notebooks' helpers: what machine learning is, deep learning, GPUs, source code.

- :mod:`.circles`: AI, machine learning and deep learning as nested circles.
- :mod:`.digits`: train a digit reader on scikit-learn's handwritten digits; its guesses and mistakes.
- :mod:`.faces`: face mapping with scikit-image's bundled face detector; a party look; a Colab webcam photo.
- :mod:`.neural`: a small PyTorch network on the digits; its training curve, filters and activations.
- :mod:`.speed`: matrix multiplication timed on the CPU and the GPU.
- :mod:`.source_code`: compile C with gcc, run it, and look at the program's bytes.

Names from :mod:`.neural` and :mod:`.speed` load PyTorch, so they are imported on first use.

Examples
--------
>>> from workshop_lib import basics
>>> data = basics.load_digit_data()
>>> model = basics.train_digit_model(data)
"""

from .circles import nested_circles
from .digits import (
    KINDS,
    DigitData,
    DigitModel,
    learning_curve,
    load_digit_data,
    predict_photo,
    read_digit_photo,
    save_digit_photo,
    show_confusion,
    show_digits,
    show_mistakes,
    show_predictions,
    train_digit_model,
)
from .faces import (
    SAMPLE_FACE,
    Face,
    add_party_look,
    draw_face_map,
    find_faces,
    photo_or_webcam,
    webcam_snapshot,
)
from .source_code import HexDump, compile_c, hex_dump, run_program

_LAZY = {
    "DigitNet": "neural",
    "Epoch": "neural",
    "TrainingRun": "neural",
    "plot_training": "neural",
    "show_activations": "neural",
    "show_filters": "neural",
    "train_network": "neural",
    "MatmulTiming": "speed",
    "plot_speedup": "speed",
    "time_matmul": "speed",
    "timing_table": "speed",
}

__all__ = [
    "KINDS",
    "SAMPLE_FACE",
    "DigitData",
    "DigitModel",
    "Face",
    "HexDump",
    "add_party_look",
    "compile_c",
    "draw_face_map",
    "find_faces",
    "hex_dump",
    "learning_curve",
    "load_digit_data",
    "nested_circles",
    "photo_or_webcam",
    "predict_photo",
    "read_digit_photo",
    "run_program",
    "save_digit_photo",
    "show_confusion",
    "show_digits",
    "show_mistakes",
    "show_predictions",
    "train_digit_model",
    "webcam_snapshot",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        module = import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
