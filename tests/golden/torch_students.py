"""Models of the kind students write, for gen_torch_zoo.py. MODELS holds
(name, constructor, input size (C, H, W) / (N,) / None for no forward
pass, and why the repr cannot tell a count, or None)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def assignment_bn():
    """The seed assignment with BatchNorm (390,986 parameters)."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 5, padding=2), nn.BatchNorm2d(128), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2048, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, 10))


class CifarBlock(nn.Module):
    """The widely copied CIFAR ResNet block: the shortcut is nn.Sequential()."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(CifarBlock(16, 16), CifarBlock(16, 16))
        self.layer2 = nn.Sequential(CifarBlock(16, 32, 2), CifarBlock(32, 32))
        self.linear = nn.Linear(32, 10)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer2(self.layer1(out))
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return self.linear(out)


class GRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(5000, 64, padding_idx=0)
        self.gru = nn.GRU(64, 128, num_layers=2, batch_first=True, dropout=0.2)
        self.fc = nn.Linear(128, 4)

    def forward(self, x):
        return self.fc(self.gru(self.embed(x))[0][:, -1])


class BiLSTMTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(1000, 50)
        self.lstm = nn.LSTM(50, 100, num_layers=2, bidirectional=True, proj_size=40)
        self.out = nn.Linear(80, 9)
        self.soft = nn.LogSoftmax(dim=-1)

    def forward(self, x):
        return self.soft(self.out(self.lstm(self.embed(x))[0]))


class RNNCells(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(10, 20, nonlinearity="relu", bias=False)
        self.cell = nn.LSTMCell(20, 30)
        self.gcell = nn.GRUCell(30, 10)
        self.rcell = nn.RNNCell(10, 5)


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(1000, 64)
        layer = nn.TransformerEncoderLayer(64, 4, 128, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.norm = nn.LayerNorm(64)
        self.head = nn.Linear(64, 2)


class AttnPool(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(32, 4, bias=False)
        self.attn2 = nn.MultiheadAttention(32, 2, dropout=0.1)
        self.proj = nn.Linear(32, 8)


def conv_autoencoder():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())


def espcn():
    return nn.Sequential(
        nn.Conv2d(1, 64, 5, padding=2), nn.Tanh(), nn.Conv2d(64, 32, 3, padding=1), nn.Tanh(),
        nn.Conv2d(32, 9, 3, padding=1), nn.PixelShuffle(3))


def upsample_decoder():
    return nn.Sequential(
        nn.Linear(16, 32 * 4 * 4), nn.ReLU(), nn.Unflatten(1, (32, 4, 4)),
        nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(32, 16, 3, padding=1),
        nn.ReLU(), nn.Upsample(size=(16, 16), mode="bilinear"), nn.Conv2d(16, 3, 3, padding=1),
        nn.Sigmoid())


def groupnorm_cnn():
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.GroupNorm(8, 32), nn.SiLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.GroupNorm(4, 64, affine=False),
        nn.Mish(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def style_net():
    return nn.Sequential(
        nn.ReflectionPad2d(4), nn.Conv2d(3, 32, 9), nn.InstanceNorm2d(32, affine=True),
        nn.ReLU(), nn.ZeroPad2d((1, 1, 0, 2)), nn.Conv2d(32, 64, 3, stride=2),
        nn.InstanceNorm2d(64, track_running_stats=True), nn.ReLU(),
        nn.ReplicationPad2d(1), nn.Conv2d(64, 64, 3), nn.InstanceNorm2d(64),
        nn.ConstantPad2d(2, 0.5), nn.Conv2d(64, 3, 5), nn.Tanh())


def prelu_net():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3), nn.PReLU(16), nn.Conv2d(16, 16, 3), nn.PReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 6 * 6, 10), nn.RReLU(), nn.Linear(10, 2))


def selu_mlp():
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 256), nn.SELU(), nn.AlphaDropout(0.1), nn.Linear(256, 128),
        nn.CELU(), nn.Linear(128, 64), nn.Softplus(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))


def layernorm_mlp():
    return nn.Sequential(
        nn.Linear(100, 64), nn.LayerNorm(64), nn.GELU(), nn.Dropout(0.1), nn.Linear(64, 64),
        nn.LayerNorm(64, elementwise_affine=False), nn.Hardtanh(), nn.Linear(64, 3),
        nn.Softmax(dim=1))


def audio_conv1d():
    return nn.Sequential(
        nn.Conv1d(1, 16, 9, stride=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(4),
        nn.Conv1d(16, 32, 3, groups=2, bias=False), nn.ReLU(), nn.AdaptiveAvgPool1d(1),
        nn.Flatten(), nn.Linear(32, 5))


def video_conv3d():
    return nn.Sequential(
        nn.Conv3d(3, 8, (3, 3, 3), padding=1), nn.BatchNorm3d(8), nn.ReLU(), nn.MaxPool3d(2),
        nn.Conv3d(8, 16, 3), nn.ConvTranspose3d(16, 4, 2, stride=2), nn.Dropout3d(0.2),
        nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(4, 2))


def bag_model():
    return nn.Sequential(nn.EmbeddingBag(2000, 32, mode="sum"), nn.Linear(32, 2))


def lrn_alexnet_ish():
    return nn.Sequential(
        nn.Conv2d(3, 48, 11, stride=4, padding=2), nn.ReLU(), nn.LocalResponseNorm(5),
        nn.MaxPool2d(3, 2), nn.Conv2d(48, 128, 5, padding=2, groups=2), nn.ReLU(),
        nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.Dropout(), nn.Linear(128 * 13 * 13, 256), nn.ReLU(), nn.Linear(256, 10))


def activations_zoo():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU6(), nn.LeakyReLU(0.1), nn.ELU(), nn.SELU(),
        nn.CELU(), nn.GELU(), nn.SiLU(), nn.Mish(), nn.Hardswish(), nn.Hardsigmoid(),
        nn.Hardtanh(), nn.Sigmoid(), nn.LogSigmoid(), nn.Tanh(), nn.Tanhshrink(),
        nn.Softplus(), nn.Softshrink(), nn.Hardshrink(), nn.Softsign(), nn.Threshold(0.1, 0),
        nn.Softmax2d(), nn.Dropout2d(0.1), nn.Identity(), nn.Flatten(), nn.Linear(8 * 8 * 8, 4),
        nn.Softmin(dim=1))


class ModuleListNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(20, 20) for _ in range(3)])
        self.heads = nn.ModuleDict({"a": nn.Linear(20, 2), "b": nn.Linear(20, 3)})
        self.unused = nn.ModuleList()


def pixel_unshuffle_net():
    return nn.Sequential(
        nn.PixelUnshuffle(2), nn.Conv2d(12, 24, 3, padding=1), nn.ReLU(),
        nn.UpsamplingNearest2d(scale_factor=2), nn.Conv2d(24, 3, 1))


class FrozenBackbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(8, 2)
        for p in self.features.parameters():
            p.requires_grad = False


class SharedConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1)
        self.again = self.conv
        self.fc = nn.Linear(8, 2)


class BareParameter(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(16))
        self.fc = nn.Linear(16, 4)


class MyLinear(nn.Linear):
    pass


class MyConv(nn.Conv2d):
    pass


class Scaler(nn.Module):
    def forward(self, x):
        return x * 2


def subclass_net():
    return nn.Sequential(MyConv(3, 8, 3), Scaler(), nn.Flatten(), MyLinear(8 * 30 * 30, 10))


def vgg_cifar():
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, "M"]
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.5), nn.Linear(256 * 4 * 4, 512),
                         nn.ReLU(True), nn.Linear(512, 10))


def sync_bn_net():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.SyncBatchNorm(8), nn.ReLU(),
                         nn.AvgPool2d(2, ceil_mode=True), nn.Flatten(), nn.Linear(8 * 15 * 15, 2))


MODELS = [
    ("student_assignment_bn", assignment_bn, (3, 32, 32), None),
    ("student_cifar_resnet", CifarResNet, (3, 32, 32), None),
    ("student_gru_classifier", GRUClassifier, None, None),
    ("student_bilstm_tagger", BiLSTMTagger, None, None),
    ("student_rnn_cells", RNNCells, None, None),
    ("student_tiny_transformer", TinyTransformer, None, None),
    ("student_attn_pool", AttnPool, None, None),
    ("student_conv_autoencoder", conv_autoencoder, (1, 28, 28), None),
    ("student_espcn", espcn, (1, 32, 32), None),
    ("student_upsample_decoder", upsample_decoder, (16,), None),
    ("student_groupnorm_cnn", groupnorm_cnn, (3, 32, 32), None),
    ("student_style_net", style_net, (3, 64, 64), None),
    ("student_prelu_net", prelu_net, (3, 16, 16), None),
    ("student_selu_mlp", selu_mlp, (1, 28, 28), None),
    ("student_layernorm_mlp", layernorm_mlp, (100,), None),
    ("student_audio_conv1d", audio_conv1d, None, None),
    ("student_video_conv3d", video_conv3d, None, None),
    ("student_bag_model", bag_model, None, None),
    ("student_lrn_alexnet", lrn_alexnet_ish, (3, 224, 224), None),
    ("student_activations", activations_zoo, (3, 8, 8), None),
    ("student_module_list", ModuleListNet, None, None),
    ("student_pixel_unshuffle", pixel_unshuffle_net, (3, 32, 32), None),
    ("student_vgg_cifar", vgg_cifar, (3, 32, 32), None),
    ("student_sync_bn", sync_bn_net, None, None),
    ("student_subclasses", subclass_net, (3, 32, 32), None),
    ("student_frozen_backbone", FrozenBackbone, None, "frozen"),
    ("student_shared_conv", SharedConv, None, "shared"),
    ("student_bare_parameter", BareParameter, None, "parameter"),
]
