"""PyTorch CPU reference for the @geokd/backend bench: ms per WRN-16-1 SGD-momentum step.

Usage: /usr/bin/python3 wrn_16_1_torch.py 64,128 5   -> prints {"64": ms, "128": ms} on its last line.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(1)


# The residual block is the one of the GPU benchmark's reference (one definition of the net).
from webgpu_step_torch import Block  # noqa: E402


class Wrn161(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        layers, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            for b in range(2):
                layers.append(Block(cin, cout, stride if b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*layers)
        self.bn = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        h = F.relu(self.bn(self.blocks(self.stem(x))))
        return self.fc(F.avg_pool2d(h, 8).flatten(1))


def main():
    batches = [int(b) for b in sys.argv[1].split(",")]
    steps = int(sys.argv[2])
    result = {}
    for batch in batches:
        net = Wrn161()
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        x = torch.rand(batch, 3, 32, 32)
        y = torch.randint(0, 10, (batch,))

        def step():
            opt.zero_grad()
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            opt.step()

        for _ in range(2):
            step()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        result[str(batch)] = (time.perf_counter() - start) / steps * 1000
    print(json.dumps(result))


if __name__ == "__main__":
    main()
