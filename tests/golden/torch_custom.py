"""torchvision's transformer classes built with sizes other than the zoo's,
for gen_torch_zoo.py: a reader that follows the classes by what they print
(not by model name) must get these right too. MODELS holds (name,
constructor, input size (C, H, W), None) as in torch_students.py."""
from torchvision.models.maxvit import MaxVit
from torchvision.models.swin_transformer import (PatchMergingV2, SwinTransformer,
                                                 SwinTransformerBlockV2)
from torchvision.models.vision_transformer import VisionTransformer


def vit_small():
    """40x40 input, 8x8 patches (25 + 1 tokens), a pre-logits layer."""
    return VisionTransformer(image_size=40, patch_size=8, num_layers=2, num_heads=2,
                             hidden_dim=48, mlp_dim=96, num_classes=10, representation_size=32)


def vit_wide_patch():
    """96x96 input, 12x12 patches, one layer, 3 classes."""
    return VisionTransformer(image_size=96, patch_size=12, num_layers=1, num_heads=4,
                             hidden_dim=64, mlp_dim=80, num_classes=3)


def swin_small():
    """2x2 patches on 56x56 (28 -> 14 -> 7), three stages."""
    return SwinTransformer(patch_size=[2, 2], embed_dim=64, depths=[2, 2, 1],
                           num_heads=[2, 4, 8], window_size=[7, 7], num_classes=10)


def swin_v2_small():
    """Swin v2 blocks and patch merging, 4x4 patches on 64x64 (16 -> 8)."""
    return SwinTransformer(patch_size=[4, 4], embed_dim=32, depths=[1, 2], num_heads=[1, 2],
                           window_size=[8, 8], num_classes=3, block=SwinTransformerBlockV2,
                           downsample_layer=PatchMergingV2)


def swin_v2_heads():
    """Swin v2 with 16 channels per head (heads shown by cpb_mlp), on 48x48:
    12x12 and 6x6 maps, both padded to whole windows of 8."""
    return SwinTransformer(patch_size=[4, 4], embed_dim=48, depths=[1, 1], num_heads=[3, 6],
                           window_size=[8, 8], num_classes=4, block=SwinTransformerBlockV2,
                           downsample_layer=PatchMergingV2)


def maxvit_small():
    """Two MaxViT blocks on 112x112 (stem 56, blocks 28 and 14)."""
    return MaxVit(input_size=(112, 112), stem_channels=16, partition_size=7,
                  block_channels=[32, 64], block_layers=[1, 2], head_dim=32,
                  stochastic_depth_prob=0.1, num_classes=10)


MODELS = [
    ("custom_vit_small", vit_small, (3, 40, 40), None),
    ("custom_vit_wide_patch", vit_wide_patch, (3, 96, 96), None),
    ("custom_swin_small", swin_small, (3, 56, 56), None),
    ("custom_swin_v2_small", swin_v2_small, (3, 64, 64), None),
    ("custom_swin_v2_heads", swin_v2_heads, (3, 48, 48), None),
    ("custom_maxvit_small", maxvit_small, (3, 112, 112), None),
]
