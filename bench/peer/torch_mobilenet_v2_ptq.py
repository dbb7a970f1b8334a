#!/usr/bin/env python3
"""PyTorch peer for djl-quant's MobileNetV2 import: float training, PyTorch's own eager PTQ, TorchScript.

Trains torchvision's mobilenet_v2 (width 1.0, 10 classes) whose features.0.0 is replaced by a 1-input-channel
3x3 stride-1 convolution, on Fashion-MNIST at 32x32, on the CPU, then reports
  float         the trained network,
  ptq-tensor    torch.ao.quantization eager-mode post-training quantization, per-tensor weights
                (MinMax, symmetric qint8) and histogram activations (quint8, full range),
  ptq-channel   the same with per-channel weights: get_default_qconfig(BACKEND),
both with torch.backends.quantized.engine = BACKEND ('onednn'; this Debian build has no fbgemm), on
torchvision's QuantizableMobileNetV2 loaded with the float weights: Conv+BN fused, ReLU6 kept as ReLU6 (torchvision's
own quantizable builder replaces it by ReLU, which would be another network than the float one and than the file
djl-quant imports), skip additions through FloatFunctional. PTQ is calibrated on the first --calib test images, as
djl-quant's ImportAndQuantize calibrates on the images it reports (--batches x --batch-size of the test split).

Accuracy is reported on those first --calib test images and on the whole test split. The traced TorchScript of the
float network is saved to --out for ImportAndQuantize:

    ImportAndQuantize <out> --calibration fashion-mnist --out mobilenet_v2-int8.jq --batches 10 --batch-size 100

Images are prepared as io.djlquant.dataset.FashionMnist with SizeMode.RESIZE (ImportAndQuantize's Fashion-MNIST
input): bilinear 28 -> 32 of pixel / 255 (align_corners=False), then (x - 0.2860) / 0.3530.

One JSON object per line on stdout. Use Debian's interpreter: /usr/bin/python3 (python3-torch 1.13,
python3-torchvision 0.14, dataset-fashion-mnist). Nothing is downloaded.
"""

import argparse
import gzip
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao import quantization as tq
from torchvision.models import mobilenet_v2
from torchvision.models.quantization.mobilenetv2 import QuantizableInvertedResidual, QuantizableMobileNetV2
from torchvision.ops.misc import Conv2dNormActivation

BACKEND = "onednn"
SIZE = 32
ROOT = "/usr/share/datasets/fashion-mnist"


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def fashion_mnist(prefix):
    """A whole split, resized and normalised as FashionMnist (RESIZE) does, and its labels."""
    with gzip.open("%s/%s-images-idx3-ubyte.gz" % (ROOT, prefix)) as f:
        pixels = np.frombuffer(f.read()[16:], np.uint8)
    with gzip.open("%s/%s-labels-idx1-ubyte.gz" % (ROOT, prefix)) as f:
        labels = np.frombuffer(f.read()[8:], np.uint8)
    x = torch.tensor(pixels.reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    x = F.interpolate(x, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
    return (x - 0.2860) / 0.3530, torch.tensor(labels.astype(np.int64))


def one_channel_stride1(net):
    old = net.features[0][0]
    net.features[0][0] = nn.Conv2d(1, old.out_channels, 3, stride=1, padding=1, bias=False)
    return net


def correct(net, x, y, batch=250):
    with torch.no_grad():
        return sum((net(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item() for i in range(0, len(x), batch))


def train(net, x, y, epochs, batch, lr, seed):
    gen = torch.Generator().manual_seed(seed)
    steps = max(1, epochs * (len(x) // batch))
    opt = torch.optim.Adam(net.parameters(), lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))
    net.train()
    step = 0
    t0 = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(len(x) // batch):
            idx = order[i * batch:(i + 1) * batch]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0:
                emit({"event": "train", "step": step, "of": steps, "loss": round(loss.item(), 4),
                      "seconds": round(time.perf_counter() - t0, 1)})
    net.eval()


def fuse(q):
    """Conv+BN of every Conv2dNormActivation (its ReLU6 stays a module) and of every projection."""
    for m in q.modules():
        if type(m) is Conv2dNormActivation:
            tq.fuse_modules(m, ["0", "1"], inplace=True)
        if type(m) is QuantizableInvertedResidual:
            m.fuse_model()


def ptq(float_net, qconfig, calib_x):
    q = one_channel_stride1(QuantizableMobileNetV2(block=QuantizableInvertedResidual, num_classes=10))
    q.load_state_dict(float_net.state_dict())
    q.eval()
    with torch.no_grad():
        probe = calib_x[:8]
        # the quantizable copy is the same float network before anything is quantized
        assert torch.allclose(q(probe), float_net(probe), atol=1e-5)
    fuse(q)
    q.qconfig = qconfig
    tq.prepare(q, inplace=True)
    with torch.no_grad():
        for i in range(0, len(calib_x), 100):
            q(calib_x[i:i + 100])
    tq.convert(q, inplace=True)
    return q


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--calib", type=int, default=1000, help="first test images used to calibrate and report")
    p.add_argument("--seed", type=int, default=20261206)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads, 0: PyTorch's default")
    p.add_argument("--out", default="mobilenet_v2_fmnist32.pt")
    p.add_argument("--train-limit", type=int, default=60000, help="first training images (smoke tests)")
    p.add_argument("--test-limit", type=int, default=10000, help="first test images (smoke tests)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    torch.backends.quantized.engine = BACKEND
    emit({"event": "config", "torch": torch.__version__, "threads": torch.get_num_threads(), "backend": BACKEND,
          "epochs": a.epochs, "batch": a.batch, "lr": a.lr, "calib": a.calib})
    x_train, y_train = fashion_mnist("train")
    x_test, y_test = fashion_mnist("t10k")
    x_train, y_train = x_train[:a.train_limit], y_train[:a.train_limit]
    x_test, y_test = x_test[:a.test_limit], y_test[:a.test_limit]

    net = one_channel_stride1(mobilenet_v2(width_mult=1.0, num_classes=10))
    t0 = time.perf_counter()
    train(net, x_train, y_train, a.epochs, a.batch, a.lr, a.seed)
    train_s = time.perf_counter() - t0
    with torch.no_grad():
        traced = torch.jit.trace(net, x_test[:8])
    traced.save(a.out)
    emit({"event": "saved", "file": a.out, "train_seconds": round(train_s, 1)})

    n = a.calib
    calib_x, calib_y = x_test[:n], y_test[:n]
    results = {"float": net}
    configs = {
        "ptq-tensor": tq.QConfig(activation=tq.HistogramObserver.with_args(reduce_range=False),
                                 weight=tq.default_weight_observer),
        "ptq-channel": tq.get_default_qconfig(BACKEND),
    }
    for name, qconfig in configs.items():
        results[name] = ptq(net, qconfig, calib_x)
    for name, model in results.items():
        first = correct(model, calib_x, calib_y)
        whole = correct(model, x_test, y_test)
        emit({"event": "result", "variant": name, "first_%d" % n: first / n, "test_%d" % len(x_test): whole / len(x_test)})


if __name__ == "__main__":
    main()
