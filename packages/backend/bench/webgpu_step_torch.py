"""PyTorch reference for bench/webgpu-step-bench.mjs: the same WRN-16-1 step and GKD step.

Usage: python3 webgpu_step_torch.py '{"nets": {...}, "wrnBatch": 64, "gkdBatch": 128, "steps": 10, "warmup": 3}'
Prints {"wrn": ms, "gkd": ms, "device": ..., "torch": ...} on its last line (median ms per step,
each step ending with loss.item(), as the tfjs step ends with its one read). CUDA when available.
On CUDA it adds "kernels": CUDA kernels launched by one step of each (torch.profiler), the peer
of the webgpu bench's GPU programs per step.

With "epoch": {"steps": 50, "warmup": 5, "batch": 128, "evalBatch": 256, "trainSize": 50000,
"testSize": 10000, "epochs": 200, "seeds": 10, "methods": 6} it also times `steps` consecutive
steps of the teacher's plain step, the student's plain step and the GKD step (each ending with
loss.item(), as the seed's loop logs it) and one evaluation batch of each net, and projects the
paper-cifar10 protocol from them: an epoch is ceil(trainSize / batch) steps (a DataLoader without
drop_last) and ceil(testSize / evalBatch) evaluation batches; the whole protocol is the teacher
once plus seeds × (the baseline + (methods - 1) GKD-priced runs): the other methods (Hinton KD,
RKD-D, GKD variants) are priced as the GKD step, an estimate. With "verbose": true each
measurement is also printed to stderr as it is made.
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


def cuda_kernels(step):
    """CUDA kernels one call of `step` launches (torch.profiler), or None without CUPTI."""
    try:
        from torch.profiler import ProfilerActivity, profile

        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step()
            torch.cuda.synchronize()
        return sum(1 for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA)
    except Exception as error:  # noqa: BLE001 - a missing profiler must not lose the timings
        print(f"kernel count unavailable: {error}", file=sys.stderr)
        return None


def throughput(step, steps, warmup, device):
    """Mean ms per step over `steps` consecutive steps (an epoch's pace), after `warmup`."""
    for _ in range(warmup):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) * 1000 / steps


def plain_step(net, x, y):
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x)[0], y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def eval_step(net, x):
    def step():
        net.eval()
        with torch.no_grad():
            out = net(x)[0].argmax(1).sum().item()
        net.train()
        return out

    return step


def main():
    cfg = json.loads(sys.argv[1])
    verbose = cfg.get("verbose", False)

    def say(text):
        if verbose:
            print(text, file=sys.stderr, flush=True)

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
    say(f"  PyTorch {torch.__version__} {device}: WRN-{nets['wrn'][0]}-{nets['wrn'][1]} step, batch {cfg['wrnBatch']}: {wrn:.2f} ms")

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
    say(f"  PyTorch {torch.__version__} {device}: GKD step, batch {cfg['gkdBatch']}: {gkd:.2f} ms")
    result = {"wrn": wrn, "gkd": gkd, "device": device, "torch": torch.__version__}
    if device == "cuda":
        result["kernels"] = {"wrn": cuda_kernels(wrn_step), "gkd": cuda_kernels(gkd_step)}
        say(f"  PyTorch CUDA kernels per step: {result['kernels']}")

    epoch = cfg.get("epoch")
    if epoch:
        b, eb = epoch["batch"], epoch["evalBatch"]
        ex = torch.rand(b, 3, 32, 32, device=device)
        ey = torch.randint(0, 10, (b,), device=device)
        evx = torch.rand(eb, 3, 32, 32, device=device)
        t_net = Wrn(*nets["teacher"]).to(device)
        s_net = Wrn(*nets["student"]).to(device)
        n, w = epoch["steps"], epoch["warmup"]
        ms = {
            "teacherStep": throughput(plain_step(t_net, ex, ey), n, w, device),
            "baselineStep": throughput(plain_step(s_net, ex, ey), n, w, device),
            "gkdStep": throughput(gkd_step, n, w, device) if b == cfg["gkdBatch"] else None,
            "teacherEval": throughput(eval_step(t_net, evx), n, w, device),
            "studentEval": throughput(eval_step(s_net, evx), n, w, device),
        }
        if ms["gkdStep"] is None:
            ms["gkdStep"] = ms["baselineStep"]
        steps_per_epoch = -(-epoch["trainSize"] // b)
        evals = -(-epoch["testSize"] // eb)
        teacher_epoch = (steps_per_epoch * ms["teacherStep"] + evals * ms["teacherEval"]) / 1000
        baseline_epoch = (steps_per_epoch * ms["baselineStep"] + evals * ms["studentEval"]) / 1000
        gkd_epoch = (steps_per_epoch * ms["gkdStep"] + evals * ms["studentEval"]) / 1000
        epochs, seeds, methods = epoch["epochs"], epoch["seeds"], epoch["methods"]
        total = epochs * (teacher_epoch + seeds * (baseline_epoch + (methods - 1) * gkd_epoch))
        result["epoch"] = {
            "ms": ms,
            "stepsPerEpoch": steps_per_epoch,
            "evalBatches": evals,
            "epochSeconds": {"teacher": teacher_epoch, "baseline": baseline_epoch, "gkd": gkd_epoch},
            "protocolSeconds": total,
            "timedSteps": n,
        }
        say(
            f"  PyTorch {device} epoch pace ({n} steps timed, batch {b}): teacher step {ms['teacherStep']:.2f} ms, "
            f"student step {ms['baselineStep']:.2f} ms, GKD step {ms['gkdStep']:.2f} ms, eval batch of {eb} "
            f"{ms['teacherEval']:.2f} / {ms['studentEval']:.2f} ms (teacher / student)"
        )
        say(
            f"  PyTorch {device} projected: one epoch ({steps_per_epoch} steps + {evals} eval batches) teacher "
            f"{teacher_epoch:.1f} s, baseline {baseline_epoch:.1f} s, GKD {gkd_epoch:.1f} s; one GKD run "
            f"({epochs} epochs) {epochs * gkd_epoch / 60:.1f} min; whole protocol (teacher + {seeds} seeds x "
            f"{methods} methods, non-baseline methods priced as GKD) {total / 3600:.2f} h"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
