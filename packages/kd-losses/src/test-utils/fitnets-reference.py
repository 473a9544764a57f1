"""Golden values of the FitNets hint loss, from PyTorch (an independent implementation).

Run: /usr/bin/python3 packages/kd-losses/src/test-utils/fitnets-reference.py
(Debian's python3-torch, PyTorch 1.13, float64). fitnets-loss.test.ts holds its output.

The regressor is a 1x1 Conv2d on NCHW maps (and nn.functional.linear on [B, D] features),
the loss nn.functional.mse_loss (mean over every entry): the formula of the FitNets paper,
written without the tfjs code's reshape-and-matMul.
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def values(count, seed):
    # Same numbers as fitnetsInputs() in fitnets-loss.test.ts.
    return [math.sin(0.7 * i + seed) for i in range(count)]


def case_nhwc():
    b, h, w, cs, ct = 2, 2, 2, 3, 4
    student = torch.tensor(values(b * h * w * cs, 1.0)).reshape(b, h, w, cs).requires_grad_()
    teacher = torch.tensor(values(b * h * w * ct, 2.0)).reshape(b, h, w, ct)
    kernel = torch.tensor(values(cs * ct, 3.0)).reshape(cs, ct).mul(0.5).requires_grad_()
    bias = torch.tensor(values(ct, 4.0)).mul(0.1).requires_grad_()
    weight = kernel.t().reshape(ct, cs, 1, 1)
    mapped = F.conv2d(student.permute(0, 3, 1, 2), weight, bias)
    loss = F.mse_loss(mapped, teacher.permute(0, 3, 1, 2))
    loss.backward()
    return {
        'loss': loss.item(),
        'dStudent': student.grad.flatten().tolist(),
        'dKernel': kernel.grad.flatten().tolist(),
        'dBias': bias.grad.flatten().tolist(),
    }


def case_dense():
    b, cs, ct = 3, 5, 2
    student = torch.tensor(values(b * cs, 5.0)).reshape(b, cs).requires_grad_()
    teacher = torch.tensor(values(b * ct, 6.0)).reshape(b, ct)
    kernel = torch.tensor(values(cs * ct, 7.0)).reshape(cs, ct).requires_grad_()
    bias = torch.tensor(values(ct, 8.0)).requires_grad_()
    loss = F.mse_loss(F.linear(student, kernel.t(), bias), teacher)
    loss.backward()
    return {
        'loss': loss.item(),
        'dStudent': student.grad.flatten().tolist(),
        'dKernel': kernel.grad.flatten().tolist(),
        'dBias': bias.grad.flatten().tolist(),
    }


print(json.dumps({'torch': torch.__version__, 'nhwc': case_nhwc(), 'dense': case_dense()}, indent=1))
