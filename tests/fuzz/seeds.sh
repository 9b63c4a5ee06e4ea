#!/bin/sh
# seeds.sh OUT - build every harness's seed corpus from the repository's own
# example files (run from the repository root): OUT/NAME/ for each harness.
# Text grammars take the bundled sets, specs, reprs, cfgs, sheets and the
# matrices and sizes of the CLI test cases; binary formats take the test
# data sets, and model files and safetensors written by the program itself
# (PROGRAM, the second argument, when given).
set -e
out=${1:?usage: seeds.sh OUT [PROGRAM]}
prog=$2
rm -rf "$out"
for h in matrix shape spec torch darknet detect exset sheet variant idx cifar \
         safetensors model source onnx; do mkdir -p "$out/$h"; done
put() { # put HARNESS < data: a new seed file (pipelines run put in a
         # subshell, so the name comes from mktemp, not a counter)
    cat > "$(mktemp "$out/$1/seed-XXXXXX")"
}
# matrices: every --image/--kernel argument of the CLI cases
sed -n 's/.*--\(image\|kernel\) "\([^"]*\)".*/\2/p' tests/cli/cases/*.cmd | sort -u |
while IFS= read -r m; do printf '%s' "$m" | put matrix; done
printf '1 2 3\n4 5 6\n' | put matrix
printf '[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]' | put matrix
printf 'tensor([[1., -2.5], [3e2, 4]])' | put matrix
printf '1 2; 3 4 || 5 6; 7 8' | put matrix
# sizes: a kind byte, then input, kernel, padding, stride, dilation, output
shape() { # shape KIND-BYTE-OCTAL TEXT
    { printf "\\$1"; printf "$2"; } | put shape
}
shape 000 '32\n3\n1\n2\n1\n'
shape 001 '32x64\n3x5\n1,2x3\n2x1\n1\n'
shape 002 '\n7\nsame\n1\n2\n'
shape 005 '12\n\nfull\n2\n1\n25\n1\n'
shape 003 '224\n7\n3\n2\n1\n112\n'
shape 011 '64x64x3\n'
shape 022 '5\n3\n0\n2\n1\n\n1\n'
for f in exercises/*.spec tests/data/*.spec tests/data/bad/*.spec; do put spec < "$f"; done
for f in tests/data/torch/*.txt tests/data/bad/*.torch; do put torch < "$f"; done
# every repr of the model zoo (torchvision's and the student models), one
# seed each, without the zoo's own "#" lines
zcat tests/data/torch/models.txt.gz | awk -v dir="$out/torch" '
    /^#model / { n++; f = sprintf("%s/zoo-%03d", dir, n); next }
    /^#/ { if ($1 == "#end") close(f); next }
    f != "" { print > f }'
for f in tests/data/darknet/*.cfg tests/data/bad/*.cfg; do put darknet < "$f"; done
for f in exercises/*.spec tests/data/torch/*.txt tests/data/darknet/*.cfg; do put detect < "$f"; done
for f in exercises/*.txt tests/cli/data/exercise-*.txt; do put exset < "$f"; done
for f in tests/cli/data/check-*.txt; do put sheet < "$f"; done
for v in alice bob 7 seat-12 ''; do printf '%s' "$v" | put variant; done
# IDX: a 2-byte length of the images file, the images file, the labels file
for s in train test; do
    img=tests/data/tiny-$s-images.idx.gz lab=tests/data/tiny-$s-labels.idx.gz
    size=$(wc -c < "$img")
    { printf "\\$(printf %03o $((size / 256)))\\$(printf %03o $((size % 256)))"
      cat "$img" "$lab"; } | put idx
    # and the same decompressed (only the first images, so it stays short)
    gzip -dc "$img" | head -c 4000 > "$out/img.tmp"
    size=$(wc -c < "$out/img.tmp")
    { printf "\\$(printf %03o $((size / 256)))\\$(printf %03o $((size % 256)))"
      cat "$out/img.tmp"; gzip -dc "$lab"; } | put idx
    rm -f "$out/img.tmp"
done
# CIFAR-10: two records built from the tiny IDX images
{ printf '\003'; gzip -dc tests/data/tiny-train-images.idx.gz | tail -c +17 | head -c 3072
  printf '\011'; gzip -dc tests/data/tiny-test-images.idx.gz | tail -c +17 | head -c 3072; } \
    > "$out/cifar/two-records"
gzip -c "$out/cifar/two-records" | put cifar
# model files and safetensors: trained by the program on the tiny set
if [ -n "$prog" ]; then
    tmp=$(mktemp -d)
    if "$prog" train tests/data/tiny.spec \
         --data idx:tests/data/tiny-train-images.idx.gz,tests/data/tiny-train-labels.idx.gz \
         --epochs 1 --batch 16 --threads 1 --out "$tmp/m.safetensors" >/dev/null 2>&1; then
        put model < "$tmp/m.safetensors"
        put safetensors < "$tmp/m.safetensors"
    fi
    rm -rf "$tmp"
fi
printf '\010\0\0\0\0\0\0\0{}      ' | put safetensors
printf '\100\0\0\0\0\0\0\0{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}            \0\0\200\077\0\0\0\100' | put safetensors
for s in 'idx:@/train.idx,@/labels.idx' 'idx:@/train.idx,@/labels.idx,@/test.idx,@/tlabels.idx' \
         'mnist:@/mnist' 'cifar10:@/cifar' 'idx:a,b,c' 'cifar10:' 'mnist:' 'idx:@/test.idx,@/labels.idx'; do
    printf '%s' "$s" | put source
done
# ONNX: a 0 byte then a model, a 1 byte then a TensorProto
for f in tests/data/onnx/*.onnx; do { printf '\000'; cat "$f"; } | put onnx; done
for f in tests/data/onnx/*.pb; do { printf '\001'; cat "$f"; } | put onnx; done
# PyTorch .pt archives, their pickles, .npy arrays and images (infer inputs)
mkdir -p "$out/pt" "$out/pickle" "$out/npy" "$out/image"
for f in tests/data/pt/*.pt; do put pt < "$f"; done
if command -v unzip >/dev/null 2>&1; then
    for f in tests/data/pt/*.pt; do unzip -p "$f" '*/data.pkl' 2>/dev/null | put pickle; done
fi
printf '\200\002}q\000.' | put pickle
printf '\200\002ccollections\nOrderedDict\nq\000)Rq\001(X\001\000\000\000actorch._utils\n_rebuild_tensor_v2\nq\002((X\007\000\000\000storageq\003ctorch\nFloatStorage\nq\004X\001\000\000\0000X\003\000\000\000cpuK\002tQK\000K\002\205K\001\205\211h\000)RtRu.' | put pickle
for f in tests/data/pt/*.npy; do put npy < "$f"; done
for f in tests/data/pt/*.pgm tests/data/pt/*.png; do put image < "$f"; done
printf 'P2\n# two by two\n2 2\n15\n0 5\n10 15\n' | put image
