#!/usr/bin/python3
"""Golden data for the network and optimizer tests (tests/unit/test_net_golden.c,
tests/unit/test_optim.c), made with Debian's python3-torch (1.13).

    /usr/bin/python3 tests/golden/gen_net.py > tests/golden/net.txt

Format: one record per tensor, a line `NAME NUMEL` followed by NUMEL numbers
(%.9g, so float32 values round-trip exactly;
%.17g for the learning rates, which are doubles). Names:

  optim/CASE/p0, optim/CASE/g{t}, optim/CASE/p{t}   a bare parameter vector, the
        gradient given at step t and the parameter after step t (torch.optim)
  lr/step, lr/cosine       learning rates for epochs 0..11 (torch.optim.lr_scheduler)
  net/NET/x, net/NET/y     input batch (N,C,H,W) and labels
  net/NET/init/PARAM       initial weights and buffers (state_dict names)
  net/NET/logits0          output of the first forward pass (training mode)
  net/NET/grad0/PARAM      gradients of the first backward pass
  net/NET/CASE/loss        loss of each step (the loss before the update)
  net/NET/CASE/after/PARAM parameters and buffers after the last step
"""
import sys
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
out = sys.stdout


def emit(name, t, double=False):
    t = torch.as_tensor(t).detach().reshape(-1).to(torch.float64)
    out.write("%s %d\n" % (name, t.numel()))
    if double:
        vals = ["%.17g" % float(v) for v in t]
    else:
        vals = ["%.9g" % float(torch.tensor(float(v), dtype=torch.float32)) for v in t]
    for i in range(0, len(vals), 8):
        out.write(" ".join(vals[i:i + 8]) + "\n")


OPTIMS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum_wd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=5e-4),
    "sgd_dampening": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3),
    "sgd_nesterov_wd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                 weight_decay=1e-3),
    "adam": lambda p: torch.optim.Adam(p, lr=1e-2),
    "adam_wd": lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.8, 0.99), eps=1e-6,
                                          weight_decay=1e-2),
    "adamw": lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
}

# ---- bare optimizers -------------------------------------------------------
gen = torch.Generator().manual_seed(1234)
for case, make in OPTIMS.items():
    p = torch.nn.Parameter(torch.randn(7, generator=gen))
    opt = make([p])
    emit("optim/%s/p0" % case, p)
    for t in range(1, 5):
        g = torch.randn(7, generator=gen) * (3.0 if t == 2 else 1.0)
        p.grad = g.clone()
        opt.step()
        emit("optim/%s/g%d" % (case, t), g)
        emit("optim/%s/p%d" % (case, t), p)

# ---- learning-rate schedules ------------------------------------------------
for name, make in (("step", lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
                   ("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
                       o, T_max=5, eta_min=0.001))):
    p = torch.nn.Parameter(torch.zeros(1))
    o = torch.optim.SGD([p], lr=0.1)
    s = make(o)
    lrs = []
    for epoch in range(12):
        lrs.append(o.param_groups[0]["lr"])
        o.step()
        s.step()
    emit("lr/%s" % name, torch.tensor(lrs, dtype=torch.float64), double=True)


# ---- whole networks ----------------------------------------------------------
def net_a():
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(24, 8), nn.ReLU(), nn.Linear(8, 5))


def net_b():
    # no biases before the batch norms: their true gradient is 0, and Adam
    # would turn rounding noise there into full-size steps
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(16, 8, bias=False), nn.BatchNorm1d(8), nn.Tanh(),
        nn.Linear(8, 5))


NETS = {"a": net_a, "b": net_b}
for netname, make_net in NETS.items():
    torch.manual_seed(7)
    model = make_net()
    x = torch.randn(4, 3, 8, 8)
    y = torch.tensor([0, 3, 1, 4])
    init = {k: v.clone() for k, v in model.state_dict().items()}
    emit("net/%s/x" % netname, x)
    emit("net/%s/y" % netname, y.to(torch.float64))
    for k, v in init.items():
        if not k.endswith("num_batches_tracked"):
            emit("net/%s/init/%s" % (netname, k), v)
    model.train()
    logits = model(x)
    loss = nn.functional.cross_entropy(logits, y)
    loss.backward()
    emit("net/%s/logits0" % netname, logits)
    for k, p in model.named_parameters():
        emit("net/%s/grad0/%s" % (netname, k), p.grad)
    for case, make in OPTIMS.items():
        model.load_state_dict(init)
        model.train()
        opt = make(model.parameters())
        losses = []
        for step in range(3):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        emit("net/%s/%s/loss" % (netname, case), torch.tensor(losses, dtype=torch.float64))
        for k, v in model.state_dict().items():
            if not k.endswith("num_batches_tracked"):
                emit("net/%s/%s/after/%s" % (netname, case, k), v)
