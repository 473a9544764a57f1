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
        y = self.conv1(a)
        y = self.conv2(F.relu(self.bn2(y)))
        return y + (self.shortcut(a) if self.shortcut is not None else x)


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
