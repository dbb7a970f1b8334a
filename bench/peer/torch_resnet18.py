#!/usr/bin/env python3
"""PyTorch peer for djl-quant's ResNet18 benchmark: fp32 and oneDNN int8 on the same shapes.

Times torchvision's ResNet18 (ImageNet stem, 1000 classes, random weights: no download) as
  fp32-eager    the float module in eager mode,
  fp32-script   the same module traced and frozen with TorchScript,
  int8-onednn   torchvision's quantizable ResNet18, fused, eager-mode post-training quantization
                (torch.ao.quantization, qconfig 'onednn') calibrated on random images in
                [-2, 2], run with torch.backends.quantized.engine = 'onednn'.
Inputs are float tensors (N, 3, side, side) uniform in [-2, 2]; every variant returns float logits,
like the int8 model on JavaQuant (quantize at the input, dequantize at the output).

Before timing, one int8 pass runs with oneDNN's verbose log on, and the script reports which
convolution implementations oneDNN executed (e.g. 'jit_int8:avx512_core_vnni') and the ISA it
detected, so that a result is only called "oneDNN int8" when oneDNN really ran int8 convolutions.

Two modes, both writing one JSON object per line to stdout:
  standalone (default)  times every size x batch and prints one "result" line per case and variant;
  --serve               prints a "ready" line, then answers requests read from stdin, one JSON
                        object per line: {"op": "run", "size": 224, "batch": 1, "iters": 1,
                        "warmup": 0} times the variants round-robin and answers with the per-pass
                        wall and process-CPU milliseconds; {"op": "quit"} exits. ResNetBenchmark (peer=...) uses this to
                        alternate with JavaQuant in rounds on the same machine state.

Use Debian's interpreter (/usr/bin/python3 with python3-torch 1.13 and python3-torchvision).
"""

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import tempfile
import time

import torch
import torchvision
from torchvision.models.quantization import resnet18 as quantizable_resnet18

VARIANTS = ("fp32-eager", "fp32-script", "int8-onednn")
# Idle time before every timed pass, as in ResNetBenchmark: each pass starts from idle threads.
PAUSE_S = 0.010


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def random_input(batch, side, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(batch, 3, side, side, generator=g) * 4.0 - 2.0


def build_models(calib, variants):
    """Float, TorchScript and int8 ResNet18 with the same random float weights."""
    torch.manual_seed(0)
    # quantize=False: the float module with QuantStub/DeQuantStub and fusable blocks; weights=None:
    # random initialization, nothing is downloaded.
    net = quantizable_resnet18(weights=None, quantize=False).eval()
    models = {}
    if "fp32-eager" in variants:
        models["fp32-eager"] = net
    if "fp32-script" in variants:
        with torch.no_grad():
            traced = torch.jit.trace(net, random_input(1, 224, 1))
        models["fp32-script"] = torch.jit.freeze(traced)
    calib_ms = None
    if "int8-onednn" in variants:
        t0 = time.perf_counter()
        q = quantizable_resnet18(weights=None, quantize=False).eval()
        q.load_state_dict(net.state_dict())
        q.fuse_model()
        q.qconfig = torch.ao.quantization.get_default_qconfig("onednn")
        torch.ao.quantization.prepare(q, inplace=True)
        with torch.no_grad():
            for i in range(calib):
                q(random_input(1, 224, 100 + i))
        torch.ao.quantization.convert(q, inplace=True)
        calib_ms = (time.perf_counter() - t0) * 1e3
        models["int8-onednn"] = q
    return models, calib_ms


def onednn_trace(model, x):
    """Runs one pass with oneDNN's verbose log and summarizes what it executed.

    oneDNN writes the log with printf to file descriptor 1, so the descriptor is pointed at a
    temporary file for the duration of the pass (our own JSON lines on stdout stay clean).
    """
    fd, path = tempfile.mkstemp(prefix="onednn-verbose-")
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(fd, 1)
    try:
        with torch.no_grad(), torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
            model(x)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(fd)
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    os.remove(path)
    isa = None
    convs = {}
    int8_convs = 0
    for line in lines:
        parts = line.split(",")
        if len(parts) > 3 and parts[1] == "info" and parts[3].startswith("isa:"):
            isa = parts[3][len("isa:"):]
        if len(parts) > 5 and parts[1] == "exec" and parts[3] == "convolution":
            impl = parts[4]
            convs[impl] = convs.get(impl, 0) + 1
            # Memory descriptors: int8 convolutions read u8/s8 sources and s8 weights.
            if "wei_s8" in line and ("src_u8" in line or "src_s8" in line):
                int8_convs += 1
    return {"isa": isa, "convolutions": convs, "int8Convolutions": int8_convs}


def for_case(models, cache, size, batch):
    """The models for one input shape; the int8 model is a fresh copy per shape.

    With PyTorch 1.13's oneDNN 2.6, a quantized model that has run one shape can fail on another
    ("could not create a primitive descriptor for a reorder primitive", seen at 32x32 batch 1 after
    224x224 batch 8): the weights it re-laid out for the first shape do not reorder to the second.
    A copy of the converted model made before any pass runs every shape.
    """
    key = (size, batch)
    if key not in cache:
        cache[key] = {name: copy.deepcopy(m) if name == "int8-onednn" else m
                      for name, m in models.items()}
    return cache[key]


def time_round(models, x, iters, warmup):
    """Per-pass wall and process-CPU milliseconds for every model, passes round-robin over them.

    Process CPU time (all threads of this process) is what a pass costs whatever else runs on the
    machine; wall time is what a caller waits.
    """
    times = {name: [] for name in models}
    cpu = {name: [] for name in models}
    with torch.no_grad():
        for _ in range(warmup):
            for m in models.values():
                m(x)
        for _ in range(iters):
            for name, m in models.items():
                time.sleep(PAUSE_S)
                c0 = time.process_time_ns()
                t0 = time.perf_counter_ns()
                y = m(x)
                # Outputs are dense float tensors already; touching one element makes sure the
                # pass is complete (eager PyTorch on CPU is synchronous anyway).
                float(y[0, 0])
                times[name].append((time.perf_counter_ns() - t0) / 1e6)
                cpu[name].append((time.process_time_ns() - c0) / 1e6)
    return times, cpu


def host_info(threads):
    return {
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "quantizedEngine": torch.backends.quantized.engine,
        "supportedQuantizedEngines": list(torch.backends.quantized.supported_engines),
        "threads": torch.get_num_threads(),
        "requestedThreads": threads,
        "interopThreads": torch.get_num_interop_threads(),
        "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY"),
    }


def serve(models, info):
    emit(dict(info, event="ready", variants=list(models)))
    inputs = {}
    cases = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        op = req.get("op")
        if op == "quit":
            break
        if op != "run":
            emit({"event": "error", "message": "unknown op %r" % (op,)})
            continue
        size, batch = int(req["size"]), int(req["batch"])
        key = (size, batch)
        if key not in inputs:
            inputs[key] = random_input(batch, size, batch * 1000 + size)
        times, cpu = time_round(for_case(models, cases, size, batch), inputs[key],
                                int(req.get("iters", 1)), int(req.get("warmup", 0)))
        emit({"event": "times", "size": size, "batch": batch, "times": times, "cpuTimes": cpu})


def standalone(models, info, sizes, batches, warmup, iters):
    emit(dict(info, event="info", variants=list(models)))
    cases = {}
    for size in sizes:
        for batch in batches:
            x = random_input(batch, size, batch * 1000 + size)
            times, cpu = time_round(for_case(models, cases, size, batch), x, iters, warmup)
            for name, t in times.items():
                t_sorted = sorted(t)
                emit({"event": "result", "size": size, "batch": batch, "model": name,
                      "medianMs": statistics.median(t), "minMs": t_sorted[0],
                      "cpuMedianMs": statistics.median(cpu[name]),
                      "p90Ms": t_sorted[min(len(t) - 1, max(0, -(-9 * len(t) // 10) - 1))],
                      "imagesPerSecond": batch * 1000.0 / statistics.median(t), "iters": len(t)})


def ints(csv):
    return [int(v) for v in csv.split(",") if v.strip()]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sizes", default="224,32")
    p.add_argument("--batches", default="1,8")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--iters", type=int, default=15)
    p.add_argument("--calib", type=int, default=2, help="random 224x224 calibration images")
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--serve", action="store_true", help="answer timing requests from stdin")
    a = p.parse_args()

    variants = [v for v in a.variants.split(",") if v]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        p.error("unknown variants %s (known: %s)" % (unknown, ", ".join(VARIANTS)))
    # Thread pools must be sized before the first parallel region.
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    if "onednn" not in torch.backends.quantized.supported_engines:
        emit({"event": "error", "message": "this PyTorch has no onednn quantized engine: %s"
              % (torch.backends.quantized.supported_engines,)})
        sys.exit(2)
    torch.backends.quantized.engine = "onednn"

    t0 = time.perf_counter()
    models, calib_ms = build_models(a.calib, variants)
    info = host_info(a.threads)
    info["setupMs"] = (time.perf_counter() - t0) * 1e3
    info["int8CalibrateConvertMs"] = calib_ms
    if "int8-onednn" in models:
        trace = onednn_trace(copy.deepcopy(models["int8-onednn"]), random_input(1, 224, 1))
        info["onednn"] = trace
        if trace["int8Convolutions"] == 0:
            emit(dict(info, event="error",
                      message="oneDNN ran no int8 convolution: the int8 model is not on oneDNN"))
            sys.exit(3)
    if a.serve:
        serve(models, info)
    else:
        standalone(models, info, ints(a.sizes), ints(a.batches), a.warmup, a.iters)


if __name__ == "__main__":
    main()
