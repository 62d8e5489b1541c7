#!/usr/bin/env python3
"""Times each face landmarker network under TensorFlow Lite's XNNPACK delegate, one thread (dev time only).

Feeds the fixture inputs of Tests/OmoteNeuralTests/Fixtures/tflite/ (their first case per network, converted to
float as the manifest's note says), invokes `warmup` times, then `runs` times, timing each invoke alone, and prints
a TSV: network, runs, p50_us, min_us, mean_us. Run beside Omote's engine benchmark in the same session and compare
ratios (timings on a shared VM move between runs).

Run (see time-xnnpack.sh, which builds the venv):
  Tools/reference/tflite/time-xnnpack.sh [runs] [warmup]
"""
import io
import os
import statistics
import sys
import time
import zipfile

import numpy as np
from tflite_runtime.interpreter import Interpreter

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "OmoteNeuralTests", "Fixtures", "tflite")
NETWORKS = ("face_detector", "face_landmarks_detector", "face_blendshapes")
U8_TO_FLOAT = {
    "float=(u-127.5)/127.5": lambda u: (u.astype(np.float64) - 127.5) / 127.5,
    "float=u/255": lambda u: u.astype(np.float64) / 255.0,
}


def first_input(network):
    with open(os.path.join(FIXTURES, "manifest.tsv")) as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle][1:]
    for case, name, role, _tensor, _index, dtype, _shape, file_name, note in rows:
        if name == network and role == "in":
            path = os.path.join(FIXTURES, file_name)
            if dtype == "u8":
                return case, U8_TO_FLOAT[note](np.fromfile(path, dtype=np.uint8)).astype(np.float32)
            return case, np.fromfile(path, dtype="<f4")
    sys.exit(f"time-xnnpack: no input for {network} in {FIXTURES}/manifest.tsv; run make-fixtures.sh")


def time_network(model, feed, runs, warmup):
    net = Interpreter(model_content=model, num_threads=1)
    net.allocate_tensors()
    detail = net.get_input_details()[0]
    net.set_tensor(detail["index"], feed.reshape(detail["shape"]))
    for _ in range(warmup):
        net.invoke()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        net.invoke()
        samples.append((time.perf_counter_ns() - start) / 1000.0)
    return statistics.median(samples), min(samples), statistics.fmean(samples)


def main():
    task, runs, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with zipfile.ZipFile(task) as archive:
        models = {name: archive.read(name + ".tflite") for name in NETWORKS}
    print("network\tcase\truns\tp50_us\tmin_us\tmean_us")
    for network in NETWORKS:
        case, feed = first_input(network)
        p50, fastest, mean = time_network(models[network], feed, runs, warmup)
        print(f"{network}\t{case}\t{runs}\t{p50:.1f}\t{fastest:.1f}\t{mean:.1f}", flush=True)


if __name__ == "__main__":
    main()
