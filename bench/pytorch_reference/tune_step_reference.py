#!/usr/bin/python3
# DEVELOPMENT-ONLY TOOLING. Not part of the project's build, tests or runtime (the project has no
# Python at run time and no Python dependency). It needs Debian's python3-torch (1.13, OpenBLAS)
# and python3-brotli installed by hand on a developer machine; never add them to
# scripts/install-deps.sh.
#
# The PyTorch reference for issue #13's speed line: one `tac tune` optimization step
# (bench/tune_step_bench.cpp) written in plain PyTorch, in the fastest form written here:
#   hnerv95 decoder (fake-quant, straight-through) -> bicubic to 874x1164 -> straight-through
#   uint8 rounding -> contest preprocessing (§1.3 float32-index bilinear as two matrix products,
#   §1.4 rgb_to_yuv6) -> PoseNet (FastViT-T12 + hydra) and SegNet (Unet, efficientnet_b2) ->
#   objective 100 * mean(CE to the ground truth's argmax) + sqrt(10 * mean pose MSE) ->
#   backward -> Adam in grid steps (lr * quantization step, as grid_adam.hpp).
# The networks follow /work/shared/docs/scorer_architecture.md with the state_dict key names of
# its Appendix A and load the twin weights from the fixtures with a small safetensors reader.
#
# Usage:
#   tune_step_reference.py [--fixtures DIR] [--batch B] [--train latents|all] [--threads N]
#                          [--iters K] [--channels-last auto|on|off] [--fold on|off] [--verify]
# --verify checks the networks and the decoder against the fixtures' golden tensors and exits.
# Prints JSON: median over --iters after one warm-up step, per-stage split, peak RSS.
import argparse
import io
import json
import math
import os
import resource
import struct
import sys
import time
import zipfile

import brotli
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FRAME_H, FRAME_W = 874, 1164
NET_H, NET_W = 384, 512


# ------------------------------------------------------------------------------------------------
# safetensors: u64 header length, JSON header, raw little-endian data (offsets from data start).
_DTYPES = {"F32": torch.float32, "F16": torch.float16, "I64": torch.int64, "I32": torch.int32,
           "U8": torch.uint8, "I8": torch.int8}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        if not (0 <= begin <= end <= len(data) - base):
            raise ValueError(f"{path}: tensor {key} lies outside the file")
        dtype = _DTYPES[info["dtype"]]
        shape = info["shape"]
        if end == begin:
            out[key] = torch.empty(shape, dtype=dtype)
        else:
            out[key] = torch.frombuffer(bytearray(data[base + begin:base + end]), dtype=dtype).reshape(shape)
    return out


def load_weights(model, path):
    state = {k: v for k, v in read_safetensors(path).items() if not k.endswith("num_batches_tracked")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"{path}: missing {missing[:5]}, unexpected {unexpected[:5]}")


@torch.no_grad()
def reparameterize(model):
    """PoseNet's multi-branch blocks as single convs (§3.5); RepMixers first (they read their
    MobileOne branches)."""
    for kind in (RepMixer, ReparamLargeKernelConv, MobileOneBlock):
        for module in list(model.modules()):
            if isinstance(module, kind) and module.fused is None:
                module.reparameterize()


@torch.no_grad()
def fold_bn(model):
    """Fold every eval-mode BN that follows a conv into that conv (frozen scorer weights)."""
    for module in list(model.modules()):
        for conv_name, bn_name in getattr(module, "fold_pairs", ()):
            conv, bn = getattr(module, conv_name), getattr(module, bn_name)
            t = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            bias = bn.bias - bn.running_mean * t
            if conv.bias is not None:
                bias = bias + conv.bias * t
            conv.weight = nn.Parameter((conv.weight * t.view(-1, 1, 1, 1)).detach())
            conv.bias = nn.Parameter(bias.detach())
            setattr(module, bn_name, nn.Identity())


def conv_bn_kernel(weight, bn):
    """A bias-free conv followed by eval BN as one (weight, bias) (§3.5 rule 1)."""
    t = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return weight * t.view(-1, 1, 1, 1), bn.bias - bn.running_mean * t


def fused_conv(cin, cout, k, s, g, weight, bias):
    c = nn.Conv2d(cin, cout, k, s, k // 2, groups=g, bias=True)
    c.weight = nn.Parameter(weight.detach().clone())
    c.bias = nn.Parameter(bias.detach().clone())
    return c


def conv(cin, cout, k, s=1, g=1, bias=False):
    return nn.Conv2d(cin, cout, k, s, k // 2, groups=g, bias=bias)


# ------------------------------------------------------------------------------------------------
# SegNet: smp Unet('tu-efficientnet_b2', classes=5), §2.
class SqueezeExcite(nn.Module):  # SegNet's: SiLU inside
    def __init__(self, c, rd):
        super().__init__()
        self.conv_reduce = nn.Conv2d(c, rd, 1)
        self.conv_expand = nn.Conv2d(rd, c, 1)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.conv_expand(F.silu(self.conv_reduce(s))))


class DepthwiseSeparable(nn.Module):
    fold_pairs = (("conv_dw", "bn1"), ("conv_pw", "bn2"))

    def __init__(self, cin, cout, k, s, rd):
        super().__init__()
        self.conv_dw = conv(cin, cin, k, s, cin)
        self.bn1 = nn.BatchNorm2d(cin)
        self.se = SqueezeExcite(cin, rd)
        self.conv_pw = conv(cin, cout, 1)
        self.bn2 = nn.BatchNorm2d(cout)
        self.skip = s == 1 and cin == cout

    def forward(self, x):
        y = self.bn2(self.conv_pw(self.se(F.silu(self.bn1(self.conv_dw(x))))))
        return y + x if self.skip else y


class InvertedResidual(nn.Module):
    fold_pairs = (("conv_pw", "bn1"), ("conv_dw", "bn2"), ("conv_pwl", "bn3"))

    def __init__(self, cin, mid, cout, k, s, rd):
        super().__init__()
        self.conv_pw = conv(cin, mid, 1)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv_dw = conv(mid, mid, k, s, mid)
        self.bn2 = nn.BatchNorm2d(mid)
        self.se = SqueezeExcite(mid, rd)
        self.conv_pwl = conv(mid, cout, 1)
        self.bn3 = nn.BatchNorm2d(cout)
        self.skip = s == 1 and cin == cout

    def forward(self, x):
        y = F.silu(self.bn1(self.conv_pw(x)))
        y = self.se(F.silu(self.bn2(self.conv_dw(y))))
        y = self.bn3(self.conv_pwl(y))
        return y + x if self.skip else y


class EfficientNetB2Features(nn.Module):
    # (repeats, kernel, first stride, expansion, out channels) per stage, §2.1's table.
    STAGES = ((2, 3, 1, 1, 16), (3, 3, 2, 6, 24), (3, 5, 2, 6, 48), (4, 3, 2, 6, 88),
              (4, 5, 1, 6, 120), (5, 5, 2, 6, 208), (2, 3, 1, 6, 352))
    TAPS = (0, 1, 2, 4, 6)
    fold_pairs = (("conv_stem", "bn1"),)

    def __init__(self):
        super().__init__()
        self.conv_stem = conv(3, 32, 3, 2)
        self.bn1 = nn.BatchNorm2d(32)
        stages, cin = [], 32
        for repeats, k, stride, expand, cout in self.STAGES:
            blocks = []
            for j in range(repeats):
                s = stride if j == 0 else 1
                rd = round(0.25 * cin)
                blocks.append(DepthwiseSeparable(cin, cout, k, s, rd) if expand == 1
                              else InvertedResidual(cin, cin * expand, cout, k, s, rd))
                cin = cout
            stages.append(nn.Sequential(*blocks))
        self.blocks = nn.Sequential(*stages)

    def forward(self, x):
        x = F.silu(self.bn1(self.conv_stem(x)))
        features = []
        for i, stage in enumerate(self.blocks):
            x = stage(x)
            if i in self.TAPS:
                features.append(x)
        return features


class TimmUniversalEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = EfficientNetB2Features()


def conv_bn_relu(cin, cout):
    m = nn.Sequential(conv(cin, cout, 3), nn.BatchNorm2d(cout), nn.ReLU())
    m.fold_pairs = (("0", "1"),)
    return m


class UnetDecoderBlock(nn.Module):
    def __init__(self, cin, cskip, cout):
        super().__init__()
        self.conv1 = conv_bn_relu(cin + cskip, cout)
        self.conv2 = conv_bn_relu(cout, cout)

    def forward(self, x, skip):
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        if skip is not None:
            x = torch.cat([x, skip], 1)
        return self.conv2(self.conv1(x))


class UnetDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        ins, skips, outs = (352, 256, 128, 64, 32), (120, 48, 24, 16, 0), (256, 128, 64, 32, 16)
        self.blocks = nn.ModuleList(UnetDecoderBlock(i, s, o) for i, s, o in zip(ins, skips, outs))

    def forward(self, features):
        f1, f2, f3, f4, f5 = features
        y = f5
        for block, skip in zip(self.blocks, (f4, f3, f2, f1, None)):
            y = block(y, skip)
        return y


class SegNet(nn.Module):
    """(B, 3, 384, 512) RGB 0..255, no normalization -> (B, 5, 384, 512) logits."""

    def __init__(self):
        super().__init__()
        self.encoder = TimmUniversalEncoder()
        self.decoder = UnetDecoder()
        self.segmentation_head = nn.Sequential(nn.Conv2d(16, 5, 3, 1, 1))

    def forward(self, x):
        return self.segmentation_head(self.decoder(self.encoder.model(x)))


# ------------------------------------------------------------------------------------------------
# PoseNet: timm fastvit_t12 (GELU-tanh, train-time multi-branch form) + summarizer + hydra, §3.
def gelu(x):
    return F.gelu(x, approximate="tanh")


class ConvNorm(nn.Module):
    fold_pairs = (("conv", "bn"),)

    def __init__(self, cin, cout, k, s=1, g=1):
        super().__init__()
        self.conv = conv(cin, cout, k, s, g)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class FinalSE(nn.Module):  # timm SEModule: ReLU inside
    def __init__(self, c, rd):
        super().__init__()
        self.fc1 = nn.Conv2d(c, rd, 1)
        self.fc2 = nn.Conv2d(rd, c, 1)

    def forward(self, x):
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3), keepdim=True)))))


class MobileOneBlock(nn.Module):
    def __init__(self, cin, cout, k, s=1, g=1, act=True, se=False, scale_branch=True, conv_branches=1):
        super().__init__()
        self.identity = nn.BatchNorm2d(cin) if cin == cout and s == 1 else None
        self.conv_kxk = nn.ModuleList(ConvNorm(cin, cout, k, s, g) for _ in range(conv_branches))
        self.conv_scale = ConvNorm(cin, cout, 1, s, g) if k > 1 and scale_branch else None
        self.se = FinalSE(cout, cout // 16) if se else None
        self.act = act
        self.shape = (cin, cout, k, s, g)
        self.fused = None

    def kernel_bias(self):  # the branches as one conv (§3.5 rules 1-3)
        cin, cout, k, s, g = self.shape
        weight, bias = torch.zeros(cout, cin // g, k, k), torch.zeros(cout)
        if self.conv_scale is not None:
            w, b = conv_bn_kernel(self.conv_scale.conv.weight, self.conv_scale.bn)
            weight, bias = weight + F.pad(w, [k // 2] * 4), bias + b
        if self.identity is not None:
            eye = torch.zeros(cout, cin // g, k, k)
            eye[torch.arange(cout), torch.arange(cout) % (cin // g), k // 2, k // 2] = 1.0
            w, b = conv_bn_kernel(eye, self.identity)
            weight, bias = weight + w, bias + b
        for branch in self.conv_kxk:
            w, b = conv_bn_kernel(branch.conv.weight, branch.bn)
            weight, bias = weight + w, bias + b
        return weight, bias

    def reparameterize(self):
        cin, cout, k, s, g = self.shape
        self.fused = fused_conv(cin, cout, k, s, g, *self.kernel_bias())
        self.identity, self.conv_scale, self.conv_kxk = None, None, nn.ModuleList()

    def forward(self, x):
        if self.fused is not None:
            out = self.fused(x)
            if self.se is not None:
                out = self.se(out)
            return gelu(out) if self.act else out
        out = 0
        if self.conv_scale is not None:
            out = self.conv_scale(x)
        if self.identity is not None:
            out = out + self.identity(x)
        for branch in self.conv_kxk:
            out = out + branch(x)
        if self.se is not None:
            out = self.se(out)
        return gelu(out) if self.act else out


class LayerScale(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(c, 1, 1))

    def forward(self, x):
        return x * self.gamma


class RepMixer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = MobileOneBlock(c, c, 3, 1, c, act=False, scale_branch=False, conv_branches=0)
        self.mixer = MobileOneBlock(c, c, 3, 1, c, act=False)
        self.layer_scale = LayerScale(c)
        self.c = c
        self.fused = None

    def reparameterize(self):  # x + g (mixer(x) - norm(x)) as one depthwise 3x3 conv (§3.5 rule 5)
        wm, bm = self.mixer.kernel_bias()
        wn, bn = self.norm.kernel_bias()
        gamma = self.layer_scale.gamma.view(-1)
        eye = torch.zeros(self.c, 1, 3, 3)
        eye[:, 0, 1, 1] = 1.0
        self.fused = fused_conv(self.c, self.c, 3, 1, self.c, eye + gamma.view(-1, 1, 1, 1) * (wm - wn), gamma * (bm - bn))
        del self.mixer, self.norm, self.layer_scale

    def forward(self, x):
        if self.fused is not None:
            return self.fused(x)
        return x + self.layer_scale(self.mixer(x) - self.norm(x))


class ConvMlp(nn.Module):
    def __init__(self, c, hidden):
        super().__init__()
        self.conv = ConvNorm(c, c, 7, 1, c)
        self.fc1 = nn.Conv2d(c, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, c, 1)

    def forward(self, x):
        return self.fc2(gelu(self.fc1(self.conv(x))))


class RepMixerBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_mixer = RepMixer(c)
        self.mlp = ConvMlp(c, 3 * c)
        self.layer_scale = LayerScale(c)

    def forward(self, x):
        x = self.token_mixer(x)
        return x + self.layer_scale(self.mlp(x))


class ReparamLargeKernelConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.large_conv = ConvNorm(cin, cout, 7, 2, cin)
        self.small_conv = ConvNorm(cin, cout, 3, 2, cin)
        self.shape = (cin, cout)
        self.fused = None

    def reparameterize(self):  # §3.5 rule 4
        w7, b7 = conv_bn_kernel(self.large_conv.conv.weight, self.large_conv.bn)
        w3, b3 = conv_bn_kernel(self.small_conv.conv.weight, self.small_conv.bn)
        cin, cout = self.shape
        self.fused = fused_conv(cin, cout, 7, 2, cin, w7 + F.pad(w3, [2, 2, 2, 2]), b7 + b3)
        del self.large_conv, self.small_conv

    def forward(self, x):
        if self.fused is not None:
            return self.fused(x)
        return self.large_conv(x) + self.small_conv(x)


class PatchEmbed(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.proj = nn.Sequential(ReparamLargeKernelConv(cin, cout), MobileOneBlock(cout, cout, 1))


class FastVitStage(nn.Module):
    def __init__(self, cin, c, depth):
        super().__init__()
        self.downsample = PatchEmbed(cin, c) if cin != c else None
        self.blocks = nn.Sequential(*(RepMixerBlock(c) for _ in range(depth)))

    def forward(self, x):
        if self.downsample is not None:
            x = self.downsample.proj(x)
        return self.blocks(x)


class ClassifierHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1024, 2048)

    def forward(self, x):
        return self.fc(x.mean((2, 3)))


class FastVitT12(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(MobileOneBlock(12, 64, 3, 2), MobileOneBlock(64, 64, 3, 2, 64),
                                  MobileOneBlock(64, 64, 1))
        dims, depths = (64, 128, 256, 512), (2, 2, 6, 2)
        self.stages = nn.Sequential(*(FastVitStage(dims[max(i - 1, 0)], dims[i], depths[i]) for i in range(4)))
        self.final_conv = MobileOneBlock(512, 1024, 3, 1, 512, se=True)
        self.head = ClassifierHead()

    def forward(self, x):
        return self.head(self.final_conv(self.stages(self.stem(x))))


class AllNorm(nn.Module):  # BatchNorm1d(1, eps 1e-3) over every element
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(1, eps=1e-3)

    def forward(self, x):
        return self.bn(x.reshape(-1, 1)).view(x.shape)


class ResBlock(nn.Module):
    def __init__(self, f=512):
        super().__init__()
        self.block_a = nn.Sequential(nn.Linear(f, 2 * f), AllNorm(), nn.ReLU(), nn.Linear(2 * f, f), AllNorm())
        self.block_b = nn.Sequential(nn.ReLU(), nn.Linear(f, 2 * f), AllNorm(), nn.ReLU(), nn.Linear(2 * f, f), AllNorm())

    def forward(self, x):
        # Upstream's in-place ReLU (block_b[0]) rectifies `a` before the add (§3.4).
        r = F.relu(x + self.block_a(x))
        return F.relu(r + self.block_b[1:](r))


class Hydra(nn.Module):
    def __init__(self):
        super().__init__()
        self.resblock = ResBlock()
        self.in_layer = nn.ModuleDict({"pose": nn.Linear(512, 32)})
        self.res_layer = nn.ModuleDict({"pose": nn.Sequential(nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32))})
        self.final_layer = nn.ModuleDict({"pose": nn.Linear(32, 12)})

    def forward(self, x):
        h1 = F.relu(self.in_layer["pose"](self.resblock(x)))
        return self.final_layer["pose"](F.relu(h1 + self.res_layer["pose"](h1)))


class PoseNet(nn.Module):
    """(B, 12, 192, 256) YUV6 0..255 (before normalization) -> (B, 12)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("_mean", torch.zeros(1, 12, 1, 1))
        self.register_buffer("_std", torch.ones(1, 12, 1, 1))
        self.vision = FastVitT12()
        self.summarizer = nn.Sequential(nn.Linear(2048, 512), nn.ReLU(), ResBlock())
        self.hydra = Hydra()

    def forward(self, x):
        return self.hydra(self.summarizer(self.vision((x - self._mean) / self._std)))


# ------------------------------------------------------------------------------------------------
# Contest preprocessing, differentiable (§1.3, §1.4).
def bilinear_axis_matrix(n_in, n_out):
    """(n_out, n_in) matrix of §1.3's float32-index bilinear weights (torch >= 2's arithmetic)."""
    scale = np.float32(n_in) / np.float32(n_out)
    src = scale * (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) - np.float32(0.5)
    src = np.maximum(src, np.float32(0))
    i0 = np.minimum(np.floor(src), n_in - 1).astype(np.int64)
    i1 = i0 + (i0 < n_in - 1)
    l1 = np.clip(src - i0.astype(np.float32), np.float32(0), np.float32(1)).astype(np.float32)
    l0 = (np.float32(1) - l1).astype(np.float32)
    m = np.zeros((n_out, n_in), dtype=np.float32)
    np.add.at(m, (np.arange(n_out), i0), l0)
    np.add.at(m, (np.arange(n_out), i1), l1)
    return torch.from_numpy(m)


class Preprocess:
    def __init__(self, h=FRAME_H, w=FRAME_W):
        self.rows = bilinear_axis_matrix(h, NET_H)
        self.cols_t = bilinear_axis_matrix(w, NET_W).t().contiguous()

    def resize(self, frames):  # (N, H, W, 3) -> (N, 3, 384, 512), W axis first, then H
        return torch.matmul(self.rows, torch.matmul(frames.permute(0, 3, 1, 2), self.cols_t))


def rgb_to_yuv6(x):  # (N, 3, 384, 512) -> (N, 6, 192, 256)
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    y = torch.clamp((r * 0.299 + g * 0.587) + b * 0.114, 0.0, 255.0)
    u = torch.clamp((b - y) / 1.772 + 128.0, 0.0, 255.0)
    v = torch.clamp((r - y) / 1.402 + 128.0, 0.0, 255.0)

    def sub(p):
        return (((p[:, 0::2, 0::2] + p[:, 1::2, 0::2]) + p[:, 0::2, 1::2]) + p[:, 1::2, 1::2]) * 0.25

    return torch.stack([y[:, 0::2, 0::2], y[:, 1::2, 0::2], y[:, 0::2, 1::2], y[:, 1::2, 1::2], sub(u), sub(v)], 1)


def straight_through(x, q, passing):
    return q.detach() + (x - x.detach()) * passing.to(x.dtype)


def straight_through_uint8(x):
    return x + (torch.clamp(torch.round(x), 0.0, 255.0) - x).detach()


# ------------------------------------------------------------------------------------------------
# hnerv95 archive (fixtures/README.md "Format of 0.bin") and its differentiable decoder.
def _sections(blob):
    pos, out = 0, []
    for _ in range(3):
        (n,) = struct.unpack_from("<I", blob, pos)
        if n > len(blob) - pos - 4:
            raise ValueError("hnerv95 archive: section length exceeds the member")
        out.append(brotli.decompress(blob[pos + 4:pos + 4 + n]))
        pos += 4 + n
    return out


def read_hnerv95(path):
    with zipfile.ZipFile(path) as z:
        blob = z.read("0.bin")
    meta_raw, tensors_raw, latents_raw = _sections(blob)
    meta = json.loads(meta_raw)
    tensors, pos = {}, 0
    (count,) = struct.unpack_from("<I", tensors_raw, pos)
    pos += 4
    for _ in range(count):
        (name_len,) = struct.unpack_from("<I", tensors_raw, pos)
        name = tensors_raw[pos + 4:pos + 4 + name_len].decode()
        pos += 4 + name_len
        (ndim,) = struct.unpack_from("<I", tensors_raw, pos)
        dims = struct.unpack_from(f"<{ndim}I", tensors_raw, pos + 4)
        pos += 4 + 4 * ndim
        scale, size = struct.unpack_from("<fI", tensors_raw, pos)
        pos += 8
        u = np.frombuffer(tensors_raw, dtype=np.uint8, count=size, offset=pos).astype(np.int32)
        pos += size
        v = (u >> 1) ^ -(u & 1)  # zigzag
        w = v.astype(np.float32) * np.float32(scale)
        tensors[name] = (torch.from_numpy(w.reshape(dims).copy()), float(np.float32(scale)))
    n, d = struct.unpack_from("<II", latents_raw, 0)
    mins = np.frombuffer(latents_raw, dtype="<f2", count=d, offset=8).astype(np.float32)
    scales = np.frombuffer(latents_raw, dtype="<f2", count=d, offset=8 + 2 * d).astype(np.float32)
    planes = np.frombuffer(latents_raw, dtype=np.uint8, count=2 * n * d, offset=8 + 4 * d).astype(np.int32)
    zz = planes[:n * d] | (planes[n * d:] << 8)
    delta = (zz >> 1) ^ -(zz & 1)
    q = np.cumsum(delta.reshape(n, d), axis=0) & 0xFF  # running sums wrap to uint8
    latents = q.astype(np.float32) * scales + mins  # product, then sum: two float32 roundings
    return meta, tensors, torch.from_numpy(latents.astype(np.float32)), torch.from_numpy(mins), torch.from_numpy(scales)


class Hnerv95Decoder:
    def __init__(self, archive_path):
        self.meta, tensors, self.latents, self.latent_mins, self.latent_scales = read_hnerv95(archive_path)
        self.weights = {name: value for name, (value, _) in tensors.items()}
        self.scales = {name: scale for name, (_, scale) in tensors.items()}
        self.widths = [self.weights["stem.weight"].shape[0] // 48] + [
            self.weights[f"blocks.{i}.weight"].shape[0] // 4 for i in range(6)]
        h, w = self.meta["eval_size"]
        self.grid = (h // 64, w // 64)

    def q(self, name):  # fake-quant onto the tensor's int8 grid, straight-through inside it
        w, scale = self.weights[name], self.scales[name]
        if scale == 0.0:
            return torch.zeros_like(w)
        level = torch.round(w.detach() / scale)
        return straight_through(w, level.clamp(-128, 127) * scale, (level >= -128) & (level <= 127))

    def q_latents(self, z):
        zero = self.latent_scales == 0
        safe = torch.where(zero, torch.ones_like(self.latent_scales), self.latent_scales)
        level = torch.where(zero, torch.zeros_like(z), torch.round((z.detach() - self.latent_mins) / safe))
        q = level.clamp(0, 255) * self.latent_scales + self.latent_mins
        return straight_through(z, q, (level >= 0) & (level <= 255) & ~zero)

    def decode(self, pairs, memory_format=torch.contiguous_format):  # -> (B, 2, 3, 384, 512)
        b = pairs.shape[0]
        z = self.q_latents(self.latents.index_select(0, pairs))
        x = torch.sin(F.linear(z, self.q("stem.weight"), self.q("stem.bias")).view(b, self.widths[0], *self.grid))
        x = x.contiguous(memory_format=memory_format)
        for i in range(6):
            identity = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
            if f"skips.{i}.weight" in self.weights:
                identity = F.conv2d(identity, self.q(f"skips.{i}.weight"), self.q(f"skips.{i}.bias"))
            y = F.conv2d(x, self.q(f"blocks.{i}.weight"), self.q(f"blocks.{i}.bias"), padding=1)
            x = torch.sin(F.pixel_shuffle(y, 2) + identity)
        r = F.conv2d(x, self.q("refine.0.weight"), self.q("refine.0.bias"), padding=2, dilation=2)
        r = F.conv2d(r, self.q("refine.1.weight"), self.q("refine.1.bias"), padding=1)
        x = x + 0.1 * torch.sin(r)
        f0 = 255.0 * torch.sigmoid(F.conv2d(x, self.q("rgb_0.weight"), self.q("rgb_0.bias"), padding=1))
        f1 = 255.0 * torch.sigmoid(F.conv2d(x, self.q("rgb_1.weight"), self.q("rgb_1.bias"), padding=1))
        return torch.stack([f0, f1], 1)

    def frames(self, pairs, memory_format=torch.contiguous_format):  # -> (B, 2, 874, 1164, 3)
        net = self.decode(pairs, memory_format)
        b = net.shape[0]
        up = F.interpolate(net.flatten(0, 1), size=(FRAME_H, FRAME_W), mode="bicubic", align_corners=False)
        return straight_through_uint8(up.permute(0, 2, 3, 1).reshape(b, 2, FRAME_H, FRAME_W, 3))


# ------------------------------------------------------------------------------------------------
# The scorer as a differentiable function of frames, and the objective (score_terms.cpp).
class Scorer:
    def __init__(self, segnet, posenet, layouts):
        self.segnet, self.posenet, self.layouts = segnet, posenet, layouts
        self.pre = Preprocess()

    def preprocess(self, frames):  # (B, 2, H, W, 3) -> posenet input (B, 12, 192, 256), segnet input
        b = frames.shape[0]
        resized = self.pre.resize(frames.flatten(0, 1))
        yuv = rgb_to_yuv6(resized).reshape(b, 12, NET_H // 2, NET_W // 2)
        second = resized.view(b, 2, 3, NET_H, NET_W)[:, 1]
        return (yuv.contiguous(memory_format=self.layouts["posenet"]),
                second.contiguous(memory_format=self.layouts["segnet"]))

    def ground_truth(self, frames):
        with torch.no_grad():
            yuv, second = self.preprocess(frames)
            logits = self.segnet(second)
            return self.posenet(yuv), logits.argmax(1)


def objective(pose, logits, gt_pose, gt_classes):
    pose_distortion = (pose[:, :6] - gt_pose[:, :6]).pow(2).mean(1)
    seg_surrogate = F.nll_loss(F.log_softmax(logits, 1), gt_classes, reduction="none").flatten(1).mean(1)
    return 100.0 * seg_surrogate.mean() + torch.sqrt(10.0 * pose_distortion.mean().clamp_min(1e-30))


class GridAdam:  # grid_adam.hpp: p -= lr * unit * m_hat / (sqrt(v_hat) + eps)
    def __init__(self):
        self.params, self.beta1, self.beta2, self.eps = [], 0.9, 0.999, 1e-12

    def add(self, value, unit, lr):
        value.requires_grad_(True)
        self.params.append([value, unit, lr, torch.zeros_like(value), torch.zeros_like(value), 0])

    @torch.no_grad()
    def step(self):
        for p in self.params:
            value, unit, lr, m, v, t = p
            t += 1
            p[5] = t
            g = value.grad if value.grad is not None else torch.zeros_like(value)
            m.mul_(self.beta1).add_(g, alpha=1 - self.beta1)
            v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            denom = (v / (1 - self.beta2 ** t)).sqrt_().add_(self.eps)
            value.sub_(m / denom * unit * (lr / (1 - self.beta1 ** t)))
            if value.grad is not None:
                value.grad.zero_()


# ------------------------------------------------------------------------------------------------
def load_networks(fixtures, fold):
    segnet, posenet = SegNet(), PoseNet()
    load_weights(segnet, os.path.join(fixtures, "scorer/twin_segnet.safetensors"))
    load_weights(posenet, os.path.join(fixtures, "scorer/twin_posenet.safetensors"))
    for net in (segnet, posenet):
        net.eval()
        if fold:  # the fast inference form of the frozen networks
            reparameterize(net)
            fold_bn(net)
        net.requires_grad_(False)  # frozen: gradients flow to the frames only
    return segnet, posenet


def verify(fixtures):
    """Compare the networks, the preprocessing and the decoder with the fixtures' goldens."""
    g = read_safetensors(os.path.join(fixtures, "scorer/clip16/golden.safetensors"))
    report = {}
    for fold in (False, True):
        segnet, posenet = load_networks(fixtures, fold)
        with torch.no_grad():
            pose = posenet(g["posenet_in_gt_s0"].unsqueeze(0))[0]
            logits = segnet(g["segnet_in_gt_s0"].unsqueeze(0))[0]
        ref_pose = g["posenet_out_gt"][0]
        report["folded_and_reparameterized" if fold else "train_form"] = {
            "posenet_max_rel_err": ((pose - ref_pose).abs().max() / ref_pose.abs().max()).item(),
            "segnet_logits_max_abs_err": (logits - g["segnet_logits_gt_s0"]).abs().max().item(),
            "segnet_argmax_agreement": (logits.argmax(0) == g["segnet_argmax_gt"][0].long()).double().mean().item(),
        }
    frames = torch.stack([g["gt_rgb_f0"], g["gt_rgb_f1"]]).float().unsqueeze(0)
    scorer = Scorer(segnet, posenet, {"posenet": torch.contiguous_format, "segnet": torch.contiguous_format})
    yuv, second = scorer.preprocess(frames)
    report["preprocess"] = {
        "posenet_in_max_abs_err": (yuv[0] - g["posenet_in_gt_s0"]).abs().max().item(),
        "segnet_in_max_abs_err": (second[0] - g["segnet_in_gt_s0"]).abs().max().item(),
    }
    r = read_safetensors(os.path.join(fixtures, "replay/qhnerv_ft_best/golden.safetensors"))
    dec = Hnerv95Decoder(os.path.join(fixtures, "replay/qhnerv_ft_best/archive.zip"))
    with torch.no_grad():
        out = dec.decode(torch.tensor([0]))[0]
    report["hnerv95"] = {
        "latents_bitwise_equal": bool(torch.equal(dec.latents, r["latents"])),
        "tensors_bitwise_equal": all(torch.equal(v, r["dequantized." + k]) for k, v in dec.weights.items()),
        "decoder_out_pair0_max_abs_err": (out - r["decoder_out_pair0"]).abs().max().item(),
    }
    return report


def median(values):
    return sorted(values)[len(values) // 2]


LAYOUTS = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}


def fwd_bwd_ms(fn, x, reps=2):
    """Forward + backward to the input, the faster of `reps` runs (the first also warms up)."""
    best = math.inf
    for _ in range(reps):
        xi = x.detach().requires_grad_(True)
        t = time.perf_counter()
        fn(xi).float().sum().backward()
        best = min(best, 1000.0 * (time.perf_counter() - t))
    return best


def pick_layouts(mode, segnet, posenet, dec, batch):
    """Per component (decoder, PoseNet, SegNet): the given layout, or with `auto` the faster of
    contiguous and channels-last in a short forward + backward trial."""
    if mode != "auto":
        name = "channels_last" if mode == "on" else "contiguous"
        return {k: name for k in ("decoder", "posenet", "segnet")}, {}
    chosen, trial = {}, {}
    pairs = torch.arange(batch)
    for component in ("decoder", "posenet", "segnet"):
        trial[component] = {}
        for name, layout in LAYOUTS.items():
            if component == "decoder":
                dec.latents.requires_grad_(True)
                trial[component][name] = fwd_bwd_ms(lambda z: dec.frames(pairs, layout), dec.latents)
                dec.latents.grad = None
            else:
                net = posenet if component == "posenet" else segnet
                shape = (batch, 12, NET_H // 2, NET_W // 2) if component == "posenet" else (batch, 3, NET_H, NET_W)
                net.to(memory_format=layout)
                x = (255.0 * torch.rand(shape)).contiguous(memory_format=layout)
                trial[component][name] = fwd_bwd_ms(net, x)
        chosen[component] = min(trial[component], key=trial[component].get)
    return chosen, trial


def run_steps(args):
    segnet, posenet = load_networks(args.fixtures, args.fold == "on")
    dec = Hnerv95Decoder(os.path.join(args.fixtures, "replay/qhnerv_ft_best/archive.zip"))
    names, trial = pick_layouts(args.channels_last, segnet, posenet, dec, args.batch)
    layouts = {k: LAYOUTS[v] for k, v in names.items()}
    segnet.to(memory_format=layouts["segnet"])
    posenet.to(memory_format=layouts["posenet"])
    scorer = Scorer(segnet, posenet, layouts)
    adam = GridAdam()
    adam.add(dec.latents, dec.latent_scales.unsqueeze(0), 0.25)
    if args.train == "all":
        for name, value in dec.weights.items():
            adam.add(value, torch.tensor(dec.scales[name]), 0.05)
    pairs = torch.arange(args.batch)
    with torch.no_grad():  # the ground truth is the decoder's own pairs B..2B-1 (timing only)
        gt_pose, gt_classes = scorer.ground_truth(dec.frames(pairs + args.batch, layouts["decoder"]))
    stages = {k: [] for k in ("decoder_forward_ms", "preprocess_ms", "posenet_forward_ms",
                              "segnet_forward_ms", "backward_ms", "adam_ms", "step_ms")}
    for i in range(args.iters + 1):
        t0 = time.perf_counter()
        frames = dec.frames(pairs, layouts["decoder"])
        t1 = time.perf_counter()
        yuv, second = scorer.preprocess(frames)
        t2 = time.perf_counter()
        pose = posenet(yuv)
        t3 = time.perf_counter()
        logits = segnet(second)  # the objective's few elementwise ops are timed with SegNet
        loss = objective(pose, logits, gt_pose, gt_classes)
        t4 = time.perf_counter()
        loss.backward()
        t5 = time.perf_counter()
        adam.step()
        t6 = time.perf_counter()
        if i == 0:
            continue  # warm-up
        for key, a, b in (("decoder_forward_ms", t0, t1), ("preprocess_ms", t1, t2), ("posenet_forward_ms", t2, t3),
                          ("segnet_forward_ms", t3, t4), ("backward_ms", t4, t5), ("adam_ms", t5, t6),
                          ("step_ms", t0, t6)):
            stages[key].append(1000.0 * (b - a))
    result = {k: median(v) for k, v in stages.items()}
    return result, names, trial


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="PyTorch reference of one tac tune step (development only)")
    parser.add_argument("--fixtures", default=os.environ.get("TAC_FIXTURES", os.path.join(here, "../../../shared/fixtures")))
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--train", choices=("latents", "all"), default="latents")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=3)
    parser.add_argument("--channels-last", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--fold", choices=("on", "off"), default="on",
                        help="BN folded into convs and PoseNet reparameterized (frozen networks' fast form)")
    parser.add_argument("--verify", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.verify:
        print(json.dumps(verify(args.fixtures), indent=2))
        return
    result, layouts, trial = run_steps(args)
    result["scorer_forward_ms"] = result["preprocess_ms"] + result["posenet_forward_ms"] + result["segnet_forward_ms"]
    out = {"bench": "tune_step_pytorch_reference", "torch": torch.__version__, "batch": args.batch,
           "train": args.train, "threads": args.threads, "iters": args.iters, "fold": args.fold,
           "layouts": layouts, "layout_trial_fwd_bwd_ms": trial,
           **result, "samples_per_second": 1000.0 * args.batch / result["step_ms"],
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
           "loadavg": os.getloadavg(), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "")}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    sys.exit(main())
