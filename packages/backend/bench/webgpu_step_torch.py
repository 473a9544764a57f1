"""PyTorch reference for bench/webgpu-step-bench.mjs: the same WRN-16-1 step and GKD step.

Usage: python3 webgpu_step_torch.py '{"nets": {...}, "wrnBatch": 64, "gkdBatch": 128, "steps": 10, "warmup": 3}'
Prints {"wrn": ms, "gkd": ms, "device": ..., "torch": ...} on its last line (median ms per step,
each step ending with loss.item(), as the tfjs step ends with its one read). CUDA when available.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if cin != cout or stride != 1 else None

    def forward(self, x):
        a = F.relu(self.bn1(x))
        y = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return y + (self.shortcut(a) if self.shortcut is not None else x)


class Wrn(nn.Module):
    """WRN-depth-widen as bench/wrn-16-1.mjs builds it; forward returns logits and stage outputs."""

    def __init__(self, depth, widen, num_classes=10):
        super().__init__()
        per_stage = (depth - 4) // 6
        self.stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.stages = nn.ModuleList()
        cin = 16
        for width, stride in [(16, 1), (32, 2), (64, 2)]:
            cout = round(width * widen)
            blocks = []
            for b in range(per_stage):
                blocks.append(Block(cin, cout, stride if b == 0 else 1))
                cin = cout
            self.stages.append(nn.Sequential(*blocks))
        self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        h = self.stem(x)
        outs = []
        for stage in self.stages:
            h = stage(h)
            outs.append(h)
        h = F.relu(self.bn(h))
        return self.fc(F.avg_pool2d(h, 8).flatten(1)), outs


def cosine_graph(f):
    flat = f.flatten(1)
    unit = flat / torch.sqrt((flat * flat).sum(1, keepdim=True) + 1e-12)
    return unit @ unit.t()


def timed(step, steps, warmup, device):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    cfg = json.loads(sys.argv[1])
    nets = cfg["nets"]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(1)
    steps, warmup = cfg["steps"], cfg["warmup"]

    net = Wrn(*nets["wrn"]).to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    x = torch.rand(cfg["wrnBatch"], 3, 32, 32, device=device)
    y = torch.randint(0, 10, (cfg["wrnBatch"],), device=device)

    def wrn_step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x)[0], y)
        loss.backward()
        opt.step()
        return loss.item()

    wrn = timed(wrn_step, steps, warmup, device)

    teacher = Wrn(*nets["teacher"]).to(device)
    student = Wrn(*nets["student"]).to(device)
    sopt = torch.optim.SGD(student.parameters(), lr=0.1, momentum=0.9)
    gx = torch.rand(cfg["gkdBatch"], 3, 32, 32, device=device)
    gy = torch.randint(0, 10, (cfg["gkdBatch"],), device=device)

    def gkd_step():
        with torch.no_grad():
            t_graphs = [cosine_graph(t) for t in teacher(gx)[1]]
        sopt.zero_grad()
        logits, s_outs = student(gx)
        graph = sum(((cosine_graph(s) - t) ** 2).mean() for s, t in zip(s_outs, t_graphs)) / len(s_outs)
        loss = F.cross_entropy(logits, gy) + 25 * graph
        loss.backward()
        sopt.step()
        return loss.item()

    gkd = timed(gkd_step, steps, warmup, device)
    print(json.dumps({"wrn": wrn, "gkd": gkd, "device": device, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
