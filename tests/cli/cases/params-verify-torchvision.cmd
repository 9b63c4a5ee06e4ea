# torchvision CNNs with residual, dense and inverted-residual blocks, verified by the engine
for m in resnet18 mobilenet_v2 densenet121; do $CONVCALC params tests/data/torch/$m.txt --input 224x224x3 --verify | tail -n 1; done
