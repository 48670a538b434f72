"""CMUNeXt (Tang et al., ISBI 2024, arXiv 2308.01239) in PyTorch.

Attribute names follow the authors' released code, so a state dict trained there
(`stem.conv.0.weight`, `encoder4.block.2.0.fn.0.weight`, `Up_conv5.conv.3.bias`, ...)
loads here with `strict=True`.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

VARIANTS = {
    # name: (dims, depths, kernels, expected parameter count)
    "S": ((8, 16, 32, 64, 128), (1, 1, 1, 1, 1), (3, 3, 7, 7, 9), 417_505),
    "base": ((16, 32, 128, 160, 256), (1, 1, 1, 3, 1), (3, 3, 7, 7, 7), 3_149_185),
    "L": ((32, 64, 128, 256, 512), (1, 1, 1, 6, 3), (3, 3, 7, 7, 7), 8_286_721),
}


def conv_bn_relu(ch_in: int, ch_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(ch_in, ch_out, 3, padding=1, bias=True),
        nn.BatchNorm2d(ch_out),
        nn.ReLU(inplace=True),
    )


def gelu_bn(conv: nn.Conv2d) -> list[nn.Module]:
    return [conv, nn.GELU(), nn.BatchNorm2d(conv.out_channels)]


class ConvBlock(nn.Module):
    """3x3 conv, BN, ReLU (the official `conv_block`)."""

    def __init__(self, ch_in: int, ch_out: int) -> None:
        super().__init__()
        self.conv = conv_bn_relu(ch_in, ch_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class Residual(nn.Module):
    def __init__(self, fn: nn.Module) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x) + x


class CMUNeXtBlock(nn.Module):
    """`depth` x [residual large-kernel depthwise conv, inverted-bottleneck 1x1 pair], then a width change."""

    def __init__(self, ch_in: int, ch_out: int, depth: int, k: int) -> None:
        super().__init__()
        layers = []
        for _ in range(depth):
            depthwise = nn.Conv2d(ch_in, ch_in, k, groups=ch_in, padding=k // 2)
            layers.append(nn.Sequential(
                Residual(nn.Sequential(*gelu_bn(depthwise))),
                *gelu_bn(nn.Conv2d(ch_in, ch_in * 4, 1)),
                *gelu_bn(nn.Conv2d(ch_in * 4, ch_in, 1)),
            ))
        self.block = nn.Sequential(*layers)
        self.up = ConvBlock(ch_in, ch_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.up(self.block(x))


class UpConv(nn.Module):
    """x2 upsampling (nearest, as the authors' code) then 3x3 conv, BN, ReLU."""

    def __init__(self, ch_in: int, ch_out: int) -> None:
        super().__init__()
        self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), *conv_bn_relu(ch_in, ch_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.up(x)


class SkipFusion(nn.Module):
    """Skip-Fusion block: grouped 3x3 conv (groups=2) over [skip, decoder], then a 1x1 expand/reduce pair."""

    def __init__(self, ch_in: int, ch_out: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            *gelu_bn(nn.Conv2d(ch_in, ch_in, 3, padding=1, groups=2)),
            *gelu_bn(nn.Conv2d(ch_in, ch_out * 4, 1)),
            *gelu_bn(nn.Conv2d(ch_out * 4, ch_out, 1)),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class CMUNeXt(nn.Module):
    def __init__(
        self,
        input_channel: int = 3,
        num_classes: int = 1,
        dims: Sequence[int] = VARIANTS["base"][0],
        depths: Sequence[int] = VARIANTS["base"][1],
        kernels: Sequence[int] = VARIANTS["base"][2],
    ) -> None:
        super().__init__()
        self.Maxpool = nn.MaxPool2d(2, 2)
        self.stem = ConvBlock(input_channel, dims[0])
        widths_in = (dims[0], *dims[:4])
        for i in range(5):
            setattr(self, f"encoder{i + 1}", CMUNeXtBlock(widths_in[i], dims[i], depths[i], kernels[i]))
        for level in (5, 4, 3, 2):
            deep, shallow = dims[level - 1], dims[level - 2]
            setattr(self, f"Up{level}", UpConv(deep, shallow))
            setattr(self, f"Up_conv{level}", SkipFusion(shallow * 2, shallow))
        self.Conv_1x1 = nn.Conv2d(dims[0], num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        x = self.encoder1(self.stem(x))
        for i in range(2, 6):
            skips.append(x)
            x = getattr(self, f"encoder{i}")(self.Maxpool(x))
        for level in (5, 4, 3, 2):
            up = getattr(self, f"Up{level}")(x)
            x = getattr(self, f"Up_conv{level}")(torch.cat((skips.pop(), up), dim=1))
        return self.Conv_1x1(x)


def build(variant: str, input_channel: int = 3, num_classes: int = 1) -> CMUNeXt:
    if variant not in VARIANTS:
        raise ValueError(f"unknown CMUNeXt variant {variant!r}; expected one of {sorted(VARIANTS)}")
    dims, depths, kernels, _ = VARIANTS[variant]
    return CMUNeXt(input_channel, num_classes, dims, depths, kernels)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    for name, (*_, expected) in VARIANTS.items():
        count = parameter_count(build(name))
        print(f"CMUNeXt-{name}: {count:,} parameters (paper's code: {expected:,})", "ok" if count == expected else "MISMATCH")
