#!/usr/bin/env python3
"""TensorFlow Lite reference outputs of the three face landmarker networks (dev time only, never at run time).

Extracts face_detector.tflite, face_landmarks_detector.tflite and face_blendshapes.tflite from face_landmarker.task
(in memory), runs each with tflite_runtime's Interpreter (num_threads=1, default XNNPACK delegate: MediaPipe's CPU
path) on a few inputs cut from SampleFrames plus seeded random tensors, and writes the inputs and outputs as raw
little-endian files with a manifest.tsv, and the graph facts (tensors, op list) for the engine.

Run (see make-fixtures.sh, which builds the venv):
  Tools/reference/tflite/make-fixtures.sh
"""
import collections
import hashlib
import io
import os
import sys
import tempfile
import zipfile

import numpy as np
from PIL import Image
from tflite_runtime.interpreter import Interpreter
from tflite_runtime.interpreter import OpResolverType

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "OmoteNeuralTests", "Fixtures", "tflite")
TASK_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
NETWORKS = ("face_detector", "face_landmarks_detector", "face_blendshapes")

# The 146 of the 478 mesh landmarks the blendshape network reads (MediaPipe's face_blendshapes_graph.cc,
# kLandmarksSubsetIdxs); their x, y in pixels of the input frame (LandmarksToTensorCalculator with IMAGE_SIZE).
BLENDSHAPE_LANDMARKS = (
    0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67, 70, 78, 80,
    81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146, 148, 149, 150, 152, 153,
    154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172, 173, 176, 178, 181, 185, 191, 195, 197, 234, 246, 249, 251,
    263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293, 295, 296, 297, 300, 308, 310, 311, 312, 314, 317, 318,
    321, 323, 324, 332, 334, 336, 338, 356, 361, 362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385, 386,
    387, 388, 389, 390, 397, 398, 400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477,
)

# Input normalisation, from each model's own TFLite metadata (NormalizationOptions): detector mean 127.5 std 127.5
# (RGB in [-1, 1]); landmark net mean 0 std 255 (RGB in [0, 1]). Computed in float64, then rounded to float32.
U8_TO_FLOAT = {
    "face_detector": ("(u-127.5)/127.5", lambda u: ((u.astype(np.float64) - 127.5) / 127.5).astype(np.float32)),
    "face_landmarks_detector": ("u/255", lambda u: (u.astype(np.float64) / 255.0).astype(np.float32)),
}

# Frames for image cases: (case, clip, frame). Face crops use the Haar boxes in HAAR_BOXES.
DETECTOR_FRAMES = (("sf0000", "single_face", 0), ("fn0040", "face_noface", 40), ("nf0000", "no_face", 0))
LANDMARK_FRAMES = (("sf0000", "single_face", 0), ("sf0071", "single_face", 71))
# A no-face crop (cartoon) from the frame centre: the presence output must say "no face".
NO_FACE_CROP = ("nf0000", "no_face", 0, (220, 80, 200))
FACE_CROP_SCALE = 1.5


def load_task(path):
    with open(path, "rb") as handle:
        blob = handle.read()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != TASK_SHA256:
        sys.exit(f"make-fixtures: {path} has SHA-256 {digest}, expected {TASK_SHA256}; run Scripts/setup.sh")
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return {name: archive.read(name + ".tflite") for name in NETWORKS}


def interpreter(model, resolver=OpResolverType.AUTO):
    result = Interpreter(model_content=model, num_threads=1, experimental_op_resolver_type=resolver)
    result.allocate_tensors()
    return result


def run(model, feed, resolver=OpResolverType.AUTO):
    net = interpreter(model, resolver)
    detail = net.get_input_details()[0]
    net.set_tensor(detail["index"], feed.reshape(detail["shape"]))
    net.invoke()
    return [(d, net.get_tensor(d["index"]).copy()) for d in net.get_output_details()]


def frame_rgb(clip, frame):
    path = os.path.join(ROOT, "SampleFrames", clip, f"{frame:04d}.jpg")
    return Image.open(path).convert("RGB")


# OpenCV 4.14.0's Haar face boxes (x, y, width, height) for the landmark frames, as the retired 68-point tracker's fixture
# recorded them (detectMultiScale scaleFactor 1.1, minNeighbors 3, one thread); the committed fixtures used these.
HAAR_BOXES = {("single_face", 0): (195, 90, 196, 196), ("single_face", 71): (195, 80, 203, 203)}


def haar_box(clip, frame):
    return HAAR_BOXES[(clip, frame)]


def square_crop(image, box, size):
    """Crops a square (x, y, side) out of the image (black outside it) and resizes it bilinearly to size×size."""
    x, y, side = box
    crop = image.crop((x, y, x + side, y + side))
    return np.asarray(crop.resize((size, size), Image.BILINEAR), dtype=np.uint8)


def face_square(clip, frame):
    x, y, w, h = haar_box(clip, frame)
    side = round(max(w, h) * FACE_CROP_SCALE)
    return (round(x + w / 2 - side / 2), round(y + h / 2 - side / 2), side)


def letterbox(image, size):
    """Scales the frame to fit size×size keeping its aspect ratio, centred, black bars (MediaPipe's keep-aspect)."""
    scale = size / max(image.width, image.height)
    width = round(image.width * scale)
    height = round(image.height * scale)
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    top = (size - height) // 2
    left = (size - width) // 2
    canvas[top:top + height, left:left + width] = np.asarray(image.resize((width, height), Image.BILINEAR))
    return canvas


class Writer:
    def __init__(self, directory):
        self.directory = directory
        self.rows = []

    def tensor(self, case, network, role, name, index, array, note=""):
        dtype = {np.dtype(np.uint8): "u8", np.dtype(np.float32): "f32"}[array.dtype]
        file_name = f"{network}.{case}.{role}{index}.{dtype}"
        array.astype(array.dtype.newbyteorder("<")).tofile(os.path.join(self.directory, file_name))
        shape = "x".join(str(v) for v in array.shape)
        self.rows.append((case, network, role, name, str(index), dtype, shape, file_name, note))

    def manifest(self):
        header = ("case", "network", "role", "tensor", "index", "dtype", "shape", "file", "note")
        with open(os.path.join(self.directory, "manifest.tsv"), "w") as handle:
            for row in (header, *self.rows):
                handle.write("\t".join(row) + "\n")


def compare_paths(model, feed, reference_outputs):
    """Largest |difference| of XNNPACK's outputs to TFLite's own optimized and reference kernels."""
    notes = []
    for label, resolver in (("builtin", OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES),
                            ("ref", OpResolverType.BUILTIN_REF)):
        other = run(model, feed, resolver)
        worst = max(float(np.max(np.abs(a[1] - b[1]))) for a, b in zip(reference_outputs, other))
        notes.append(f"maxabs_vs_{label}={worst:.3g}")
    return " ".join(notes)


def record_case(writer, models, network, case, feed, stored_input, conversion):
    model = models[network]
    outputs = run(model, feed)
    detail = interpreter(model).get_input_details()[0]
    writer.tensor(case, network, "in", detail["name"], detail["index"], stored_input, conversion)
    diffs = compare_paths(model, feed, outputs)
    for output_detail, value in outputs:
        writer.tensor(case, network, "out", output_detail["name"], output_detail["index"], value, diffs)
    return outputs


def u8_case(writer, models, network, case, image):
    label, convert = U8_TO_FLOAT[network]
    return record_case(writer, models, network, case, convert(image)[np.newaxis], image, f"float={label}")


def random_case(writer, models, network, case, low, high, shape, seed):
    values = np.random.default_rng(seed).uniform(low, high, size=shape).astype(np.float32)
    return record_case(writer, models, network, case, values, values,
                       f"numpy default_rng({seed}).uniform({low},{high})")


def frame_landmarks(outputs, square):
    """The landmark net's 478 points (crop pixels of 256) mapped back to frame pixels of the square crop."""
    x, y, side = square
    points = outputs[0][1].reshape(478, 3)[:, :2].astype(np.float64)
    return points * (side / 256.0) + np.array([x, y])


def write_graph_facts(models, directory):
    """Per network: every tensor the graph declares and the op list (without delegation), for the engine."""
    lines = []
    for network in NETWORKS:
        net = interpreter(models[network], OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        tensors = {d["index"]: d for d in net.get_tensor_details()}
        ops = net._get_ops_details()
        with open(os.path.join(directory, f"{network}.ops.tsv"), "w") as handle:
            handle.write("op\tname\tinputs\toutputs\n")
            for op in ops:
                def describe(indices):
                    parts = []
                    for i in indices:
                        if i < 0:
                            parts.append("-")
                            continue
                        t = tensors[i]
                        parts.append(f"{i}:{t['dtype'].__name__}[{'x'.join(str(v) for v in t['shape'])}]")
                    return " ".join(parts)
                handle.write(f"{op['index']}\t{op['op_name']}\t{describe(op['inputs'])}\t{describe(op['outputs'])}\n")
        histogram = collections.Counter(op["op_name"] for op in ops)
        lines.append(f"## {network}: {len(ops)} ops, {len(tensors)} tensors")
        for d in net.get_input_details():
            lines.append(f"in  {d['index']} {d['name']} {list(d['shape'])} {d['dtype'].__name__}")
        for d in net.get_output_details():
            lines.append(f"out {d['index']} {d['name']} {list(d['shape'])} {d['dtype'].__name__}")
        lines.append("ops " + ", ".join(f"{name} {count}" for name, count in histogram.most_common()))
    return "\n".join(lines)


def main():
    task = sys.argv[1]
    models = load_task(task)
    os.makedirs(FIXTURES, exist_ok=True)
    for stale in os.listdir(FIXTURES):
        if stale != "README.md":
            os.remove(os.path.join(FIXTURES, stale))
    writer = Writer(FIXTURES)

    for case, clip, frame in DETECTOR_FRAMES:
        u8_case(writer, models, "face_detector", case, letterbox(frame_rgb(clip, frame), 128))
    random_case(writer, models, "face_detector", "random1", -1.0, 1.0, (1, 128, 128, 3), 1)

    landmark_outputs = {}
    for case, clip, frame in LANDMARK_FRAMES:
        square = face_square(clip, frame)
        crop = square_crop(frame_rgb(clip, frame), square, 256)
        outputs = u8_case(writer, models, "face_landmarks_detector", case, crop)
        landmark_outputs[case] = frame_landmarks(outputs, square)
    case, clip, frame, square = NO_FACE_CROP
    u8_case(writer, models, "face_landmarks_detector", case, square_crop(frame_rgb(clip, frame), square, 256))
    random_case(writer, models, "face_landmarks_detector", "random1", 0.0, 1.0, (1, 256, 256, 3), 2)

    subset = np.array(BLENDSHAPE_LANDMARKS)
    for case, points in landmark_outputs.items():
        feed = points[subset].astype(np.float32)[np.newaxis]
        record_case(writer, models, "face_blendshapes", case, feed, feed,
                    f"landmarks of face_landmarks_detector.{case} in frame pixels (640x360), subset of 146")
    neutral = landmark_outputs["sf0000"][subset]
    jitter = np.random.default_rng(3).normal(0.0, 4.0, size=neutral.shape)
    feed = (neutral + jitter).astype(np.float32)[np.newaxis]
    record_case(writer, models, "face_blendshapes", "jitter3", feed, feed,
                "sf0000 points + numpy default_rng(3).normal(0,4)")
    random_case(writer, models, "face_blendshapes", "random4", 0.0, 360.0, (1, 146, 2), 4)

    np.array(BLENDSHAPE_LANDMARKS, dtype="<i4").tofile(os.path.join(FIXTURES, "blendshape-landmark-subset.i32"))
    writer.manifest()
    print(write_graph_facts(models, FIXTURES))


if __name__ == "__main__":
    main()
